"""Log in with NIP (any spacing) or email, and the throttles that keep guessing slow.

Whatever spelling reaches an account counts against that account's one throttle bucket ("198609262015051001",
"1986 0926 2015 05 1 001" and "198609262015051001." alike)."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from lms import ratelimit
from lms.nip import nip_normalize


def login_identifier_normalize(raw: str | None) -> str:
    """The throttle bucket of an identifier: NIP digits without the spaces, dots and dashes people write (exactly
    what the lookup compares), or an email folded at least as loosely as the database's iexact, so that no
    spelling reaching an account gets a bucket of its own. PostgreSQL compares UPPER(): "sıti@…" (dotless ı) and
    "ſiti@…" (long s) both find siti@…, hence upper() before casefold()."""
    identifier = (raw or "").strip()
    if "@" in identifier:
        return identifier.upper().casefold()
    return nip_normalize(identifier)


def user_lookup(identifier: str) -> Q:
    """The account a NIP or email names, as login and password reset look it up."""
    identifier = identifier.strip()
    return Q(email__iexact=identifier) if "@" in identifier else Q(nip=nip_normalize(identifier))


def login_account_key(raw: str | None) -> str:
    """The per-account throttle bucket of what was typed: the account it names, so that its NIP and its email
    (in any spelling) share one lock, or the normalized identifier when it names no account, so that guesses at
    an unknown one are counted alike and the answer does not tell which accounts exist."""
    identifier = login_identifier_normalize(raw)
    # NUL: PostgreSQL cannot even compare it (the field validators refuse it later, with a message).
    if identifier and len(identifier) <= 254 and "\x00" not in identifier:
        # Also by the folded form: SQLite's iexact folds ASCII only, so "sıti@…" names no account there.
        lookup = user_lookup(raw or "") | (Q(email__iexact=identifier) if "@" in identifier else Q(nip=identifier))
        user_pk = get_user_model().objects.filter(lookup).order_by("pk").values_list("pk", flat=True).first()
        if user_pk is not None:
            return f"user:{user_pk}"
    return identifier


class NipOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("nip") or "").strip()
        if not identifier or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(user_lookup(identifier)).order_by("pk").first()
        if user is None:
            # Spend the same time as a real check, so that timing does not reveal which NIPs exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


# --- Login throttle --------------------------------------------------------------------------------------------
# Two limits. Per account, whatever the IP (a botnet guessing one NIP): attempts counted before the password is
# checked and forgotten when the owner gets in, with a lock that grows and is capped so the owner gets back in.
# Per client IP, whatever the account (one machine trying many NIPs): wrong passwords in a window, generous
# because a whole office shares one address behind its NAT.


def login_attempt_begin(request: HttpRequest | None, identifier: str) -> int:
    """Take one login attempt for this identifier from this client: minutes to wait first (0: go ahead)."""
    wait = ratelimit.window_remaining(
        f"login-ip:{ratelimit.client_ip(request)}",
        limit=settings.SIGER_LOGIN_IP_FAILURES,
        window_seconds=settings.SIGER_LOGIN_IP_WINDOW_SECONDS,
    )
    if not wait and identifier:
        wait = ratelimit.attempt_reserve(
            f"login-account:{identifier}",
            free_attempts=settings.SIGER_LOGIN_ACCOUNT_FAILURES,
            base_lock_seconds=settings.SIGER_LOGIN_LOCK_SECONDS,
            max_lock_seconds=settings.SIGER_LOGIN_MAX_LOCK_SECONDS,
        )
    return _minutes(wait) if wait else 0


def login_failure_record(request: HttpRequest | None) -> None:
    """Count a wrong password (or unknown account) against the client IP; the account's count was taken by
    login_attempt_begin."""
    ratelimit.window_hit(
        f"login-ip:{ratelimit.client_ip(request)}", window_seconds=settings.SIGER_LOGIN_IP_WINDOW_SECONDS
    )


def login_success_record(identifier: str) -> None:
    """The owner got in: earlier failures on the account no longer count towards a lock."""
    ratelimit.failure_reset(f"login-account:{identifier}")


# --- Password reset throttle -----------------------------------------------------------------------------------


def password_reset_wait_minutes(request: HttpRequest | None, identifier: str) -> int:
    """Count one reset request; minutes to wait if the identifier or the client IP asked too often (0: go on).

    Counted whether or not the account exists, so the answer says nothing about which accounts exist."""
    window = settings.SIGER_PASSWORD_RESET_WINDOW_SECONDS
    limits = [(f"reset-ip:{ratelimit.client_ip(request)}", settings.SIGER_PASSWORD_RESET_PER_IP)]
    if identifier:
        limits.append((f"reset-account:{identifier}", settings.SIGER_PASSWORD_RESET_PER_ACCOUNT))
    wait = max(ratelimit.window_remaining(key, limit=limit, window_seconds=window) for key, limit in limits)
    if wait:
        return _minutes(wait)
    for key, _limit in limits:
        ratelimit.window_hit(key, window_seconds=window)
    return 0
