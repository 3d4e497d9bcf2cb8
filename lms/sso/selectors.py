"""Reads for SSO: which Siger account the provider's claims name."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from lms.nip import nip_normalize
from lms.sso.refusals import Refusal, SsoRefused

_NIP = re.compile(r"[0-9]{18}", re.ASCII)


def sso_claim_nip(*, claims: dict) -> str:
    """The NIP claim as Siger stores NIPs (18 ASCII digits), "" when the provider sent none."""
    raw = claims.get(settings.SIGER_OIDC_NIP_CLAIM)
    if raw in (None, ""):
        return ""
    nip = nip_normalize(str(raw))
    if not _NIP.fullmatch(nip):
        raise SsoRefused(Refusal.INVALID_NIP, repr(raw))
    return nip


def sso_claim_verified_email(*, claims: dict) -> str:
    """The email, only when the provider says it verified it (some providers send the flag as a string)."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    if isinstance(email, str) and "@" in email and (verified is True or str(verified).lower() == "true"):
        return email.strip()
    return ""


def sso_users_matching(*, claims: dict) -> QuerySet:
    """The accounts the claims name: by NIP when there is a NIP claim (and then by NIP only: an email shared by a
    different NIP is another person), otherwise by verified email, compared case-insensitively."""
    users = get_user_model().objects.all()
    nip = sso_claim_nip(claims=claims)
    if nip:
        return users.filter(nip=nip)
    email = sso_claim_verified_email(claims=claims)
    if email:
        return users.filter(email__iexact=email)
    return users.none()
