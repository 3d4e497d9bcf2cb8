"""Access-matrix rows for lms.programmes, composed from one module per area of it (runs, guides, projects,
seminar and results) so that each keeps its rows beside its own tests."""

from __future__ import annotations

from tests.security.matrix_areas import programmes_guides, programmes_projects, programmes_runs, programmes_seminar

PARTS = (programmes_runs, programmes_guides, programmes_projects, programmes_seminar)
NAMESPACE = "programmes"
EXPECTATIONS = {name: row for part in PARTS for name, row in part.EXPECTATIONS.items()}
POST_BODIES = {name: body for part in PARTS for name, body in part.POST_BODIES.items()}
PAGE_MODELS = tuple(model for part in PARTS for model in part.PAGE_MODELS)


def extend_world(world) -> None:
    for part in PARTS:
        part.extend_world(world)


def urls(world) -> dict[str, str]:
    return {name: url for part in PARTS for name, url in part.urls(world).items()}
