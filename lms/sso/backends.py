"""mozilla-django-oidc's backend, fitted to Siger: endpoints from discovery, id_token audience and issuer checked,
accounts matched by NIP (or verified email), never a second account for a NIP."""

from __future__ import annotations

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from lms.sso.provider import provider_endpoints
from lms.sso.refusals import Refusal, SsoRefused
from lms.sso.selectors import sso_claim_nip, sso_claim_verified_email, sso_users_matching
from lms.sso.services import sso_user_create, sso_user_update

SIGN_ALGORITHM = "RS256"


class SigerOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # The library reads every endpoint from settings here; Django builds every backend for every login
        # (password logins too), so endpoints are looked up only when an SSO callback needs them.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.SIGER_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.SIGER_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = SIGN_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None  # always the provider's JWKS, so its key rotation needs nothing here

    def authenticate(self, request, **kwargs):
        # Only the SSO callback passes a nonce (None included): a password login posted to a URL carrying
        # ?code=&state= must not send that code to the provider.
        if request is None or "nonce" not in kwargs:
            return None
        endpoints = provider_endpoints()
        self.issuer = endpoints.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        """The signature, and also what the library leaves out: the token is for this client, from this issuer,
        and not expired (OpenID Connect Core §3.1.3.7)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != SIGN_ALGORITHM:
            raise SuspiciousOperation(f"id_token alg {header.get('alg')!r} is not {SIGN_ALGORITHM}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[SIGN_ALGORITHM],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=60,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"id_token refused: {error}") from error
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("id_token for several audiences without this client as azp")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        # Core §5.3.2: the UserInfo answer must be about the subject of the verified id_token.
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the id_token's")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        # The library's version turns every refusal into a silent None; Siger tells the person why.
        claims = self.get_userinfo(access_token, id_token, payload)
        self.verify_claims(claims)
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            raise SsoRefused(Refusal.UNKNOWN_ACCOUNT, "several accounts match")
        if users:
            return self.update_user(users[0], claims)
        if not settings.SIGER_OIDC_CREATE_USERS:
            raise SsoRefused(Refusal.UNKNOWN_ACCOUNT, self.describe_user_by_claims(claims))
        return self.create_user(claims)

    def describe_user_by_claims(self, claims):
        return f"sub {claims.get('sub')!r}"

    def verify_claims(self, claims):
        if sso_claim_nip(claims=claims) or sso_claim_verified_email(claims=claims):
            return True
        raise SsoRefused(Refusal.NO_IDENTITY, "neither a NIP claim nor a verified email")

    def filter_users_by_claims(self, claims):
        return sso_users_matching(claims=claims)

    def create_user(self, claims):
        return sso_user_create(claims=claims)

    def update_user(self, user, claims):
        if not user.is_active:
            raise SsoRefused(Refusal.INACTIVE, f"user {user.pk}")
        return sso_user_update(user=user, claims=claims)

    def get_user(self, user_id):
        # The library's get_user skips the is_active check: a deactivated account would stay signed in.
        return ModelBackend.get_user(self, user_id)
