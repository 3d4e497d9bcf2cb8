"""The outcomes and per-role rules of the access matrix (tests/security/test_access_matrix.py), shared with the
areas that add their own rows (tests/security/matrix_areas/)."""

from __future__ import annotations

OK, DENY, LOGIN, ANY = "ok", "deny", "login", "any"
REFUSED = "refused"  # LOGIN or DENY: turned away either way
ROLES = ("anonymous", "outsider", "enrolled", "withdrawn", "other_instructor", "instructor", "administrator")


def rule(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


#                      anon   outsider enrolled withdrawn other  instr  admin
PUBLIC = rule(OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
STEP = rule(LOGIN, DENY, OK, DENY, DENY, OK, OK)  # a step of the course path: enrolled, or manages the course
MANAGE = rule(LOGIN, DENY, DENY, DENY, DENY, OK, OK)  # the course's instructors and administrators
AGENCY = rule(LOGIN, DENY, DENY, DENY, DENY, DENY, OK)  # agency-wide: administrators
REPORT = rule(REFUSED, DENY, DENY, DENY, DENY, OK, OK)  # MANAGE; the xAPI views answer 403 rather than a login
# The player host's routes carry a signed token minted by the module page for who may open it; cookies do not
# reach that host, so a forged token is refused whoever asks.
TOKEN = rule(DENY, DENY, DENY, DENY, DENY, DENY, DENY)
# Wagtail admin, on this course's pages: nobody outside the course gets in; inside, Wagtail's own page
# permissions decide the details (ANY), except where a row below says otherwise.
ADMIN_PAGE = rule(LOGIN, DENY, DENY, DENY, DENY, ANY, ANY)
ADMIN_PAGE_OPEN = rule(LOGIN, DENY, DENY, DENY, DENY, OK, OK)
ADMIN_PAGE_NO_DELETE = rule(LOGIN, DENY, DENY, DENY, DENY, DENY, ANY)
