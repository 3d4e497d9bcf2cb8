"""Writes for SSO: an account made from the provider's claims, blanks filled on later sign-ins."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lms.models import User, WorkUnit
from lms.services import user_create
from lms.sso.refusals import Refusal, SsoRefused
from lms.sso.selectors import sso_claim_nip, sso_claim_verified_email


def _claim_text(claims: dict, name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _claim_full_name(claims: dict) -> str:
    name = _claim_text(claims, "name", 150)
    if not name:
        name = " ".join(part for part in (_claim_text(claims, n, 75) for n in ("given_name", "family_name")) if part)
    return name


def sso_user_create(*, claims: dict) -> User:
    """An account for a NIP the provider vouches for (only with SIGER_OIDC_CREATE_USERS on): name, verified
    email and the OPD when one of that name exists; no password (SSO, or a reset link, gets them in)."""
    nip = sso_claim_nip(claims=claims)
    if not nip:
        # A Siger account is its NIP: an email alone cannot make one.
        raise SsoRefused(Refusal.NO_IDENTITY, "no NIP claim to create an account from")
    email = sso_claim_verified_email(claims=claims)
    if email and User.objects.filter(email__iexact=email).exists():
        raise SsoRefused(Refusal.EMAIL_TAKEN, email)
    opd_name = _claim_text(claims, settings.SIGER_OIDC_OPD_CLAIM, 200)
    # Matched to the OPD list, never added to it: the list is the administrator's.
    work_unit = WorkUnit.objects.filter(name__iexact=opd_name).first() if opd_name else None
    try:
        with transaction.atomic():
            return user_create(nip=nip, full_name=_claim_full_name(claims) or nip, email=email, work_unit=work_unit)
    except ValidationError as error:
        if "nip" in getattr(error, "error_dict", {}):
            raise SsoRefused(Refusal.INVALID_NIP, str(error)) from error
        raise SsoRefused(Refusal.NO_IDENTITY, str(error)) from error
    except IntegrityError:
        # Two sign-ins of one new person at once: the other created the account; never a second one.
        existing = User.objects.filter(nip=nip).first()
        if existing is None:
            raise SsoRefused(Refusal.EMAIL_TAKEN, email) from None
        return existing


def sso_user_update(*, user: User, claims: dict) -> User:
    """Fill what the account lacks (name, email) from the claims; what the administrator entered is kept."""
    changed = []
    if not user.full_name and (name := _claim_full_name(claims)):
        user.full_name = name
        changed.append("full_name")
    email = sso_claim_verified_email(claims=claims)
    if not user.email and email and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)
    return user
