"""Access-matrix rows for lms.sso (see tests/security/matrix_areas/__init__.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

NAMESPACE = "sso"
# The matrix runs with SSO off (no SIGER_OIDC_* in its settings): both URLs answer everyone 404 with a page saying
# SSO is not enabled. With SSO on they are public entry points (a sign-in has no one to ask yet), and what they do
# for each kind of visit is in tests/e2e/test_sso_flow.py and tests/sso/test_sso.py.
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "sso:start": {"GET": rule(DENY, DENY, DENY, DENY, DENY, DENY, DENY)},
    "sso:callback": {"GET": rule(DENY, DENY, DENY, DENY, DENY, DENY, DENY)},
}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    """Nothing to add: the SSO URLs name no record."""


def urls(world) -> dict[str, str]:
    return {
        "sso:start": reverse("sso:start") + "?next=/",
        "sso:callback": reverse("sso:callback") + "?code=x&state=y",
    }
