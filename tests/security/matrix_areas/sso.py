"""Access-matrix rows for lms.sso (see tests/security/matrix_areas/__init__.py)."""

from __future__ import annotations

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

NAMESPACE = "sso"
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    """Nothing to add yet."""


def urls(world) -> dict[str, str]:
    return {}
