"""Access-matrix rows for one area of lms.programmes (composed by tests/security/matrix_areas/programmes.py)."""

from __future__ import annotations

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    pass


def urls(world) -> dict[str, str]:
    return {}
