"""Access-matrix rows for programme runs (composed by tests/security/matrix_areas/programmes.py).

None yet: creating a run from a template ("Buat angkatan dari templat") and editing templates are Wagtail admin
views (register_admin_urls and a snippet viewset in lms.programmes.wagtail_hooks), outside the URL names this matrix
generates; tests/programmes/test_runs.py tries them as an administrator, an instructor, a learner and anonymously."""

from __future__ import annotations

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    pass


def urls(world) -> dict[str, str]:
    return {}
