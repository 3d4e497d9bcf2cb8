"""Access-matrix rows for the guides area of lms.programmes (composed by tests/security/matrix_areas/programmes.py).

Assigning coaches, mentors and examiners and their import are for those who manage the run
(lms.access.user_can_run_programme). "Peserta bimbingan saya" is every signed-in person's own list (empty for most).
A participant's record: the participant while enrolled, their guides (here the instructor is the enrolled person's
coach) and the run's managers."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

#                   anon   outsider enrolled withdrawn other  instr  admin
RUN = rule(LOGIN, DENY, DENY, DENY, DENY, OK, OK)
SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
RECORD = rule(LOGIN, DENY, OK, DENY, DENY, OK, OK)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "programmes:guides": {"GET": RUN},
    "programmes:guide_assign": {"POST": RUN},
    "programmes:guide_end": {"POST": RUN},
    "programmes:guide_import": {"POST": RUN},
    "programmes:guide_import_preview": {"GET": RUN},
    "programmes:guide_import_apply": {"POST": RUN},
    "programmes:mine": {"GET": SIGNED_IN},
    "programmes:participant": {"GET": RECORD},
}
# guide_assign, guide_import and guide_import_apply are tried with an empty body: a manager is sent back with a
# message (or gets the form/preview again, 400/409), nothing written; everyone else is refused before the form.
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from lms.models import Enrollment
    from lms.programmes.guides import guide_assign
    from lms.programmes.models import GuideImport, GuideRole

    enrollment = Enrollment.objects.get(user=world.people["enrolled"], course=world.course)
    world.extra["guides_enrollment"] = enrollment
    world.extra["guides_coach"] = guide_assign(
        enrollment=enrollment, user=world.people["instructor"], role=GuideRole.COACH, by=world.people["administrator"]
    )
    world.extra["guides_import"] = GuideImport.objects.create(
        course=world.course,
        filename="pembimbing.csv",
        sha256="0" * 64,
        rows=[],
        created_by=world.people["administrator"],
    )


def urls(world) -> dict[str, str]:
    course = world.course
    guide_import = world.extra["guides_import"]
    return {
        "programmes:guides": reverse("programmes:guides", args=[course.pk]),
        "programmes:guide_assign": reverse("programmes:guide_assign", args=[course.pk]),
        "programmes:guide_end": reverse("programmes:guide_end", args=[world.extra["guides_coach"].pk]),
        "programmes:guide_import": reverse("programmes:guide_import", args=[course.pk]),
        "programmes:guide_import_preview": reverse(
            "programmes:guide_import_preview", args=[course.pk, guide_import.pk]
        ),
        "programmes:guide_import_apply": reverse("programmes:guide_import_apply", args=[course.pk, guide_import.pk]),
        "programmes:mine": reverse("programmes:mine"),
        "programmes:participant": reverse("programmes:participant", args=[world.extra["guides_enrollment"].pk]),
    }
