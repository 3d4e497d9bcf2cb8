"""Rows of the access matrix that belong to the areas with a package of their own under lms/.

Each module here defines:
- ``NAMESPACE``: its URL namespace (every URL in it must have a row);
- ``EXPECTATIONS``: URL name -> {method: rule} (rules from tests.security.matrix_rules);
- ``POST_BODIES``: URL name -> form body for its POST (optional rows);
- ``PAGE_MODELS``: page models with routable sub-routes ("<Model>:<route name>" rows);
- ``extend_world(world)``: adds what its URLs need to ``world.extra`` (the world of test_access_matrix);
- ``urls(world)``: URL name -> the URL to try.
"""

from tests.security.matrix_areas import accounts, assignments, cohorts, competence, notifications, programmes, sso

AREAS = (accounts, cohorts, assignments, notifications, sso, competence, programmes)
NAMESPACES = tuple(area.NAMESPACE for area in AREAS)
PAGE_MODELS = tuple(model for area in AREAS for model in area.PAGE_MODELS)
