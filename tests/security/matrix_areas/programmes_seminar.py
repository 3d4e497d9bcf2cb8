"""Access-matrix rows for the seminar and the final result of lms.programmes (views/seminar.py, views/results.py).

The schedule, slots, examiner panels, the results table with its XLSX, component scores, the graduation decision
and the printable scoring sheets are for those who manage the run (lms.access.user_can_run_programme). "Seminar
yang saya uji" is every signed-in person's own list (empty for most). The rubric form is the examiners' of that
participant only (lms.access.user_can_score_seminar): in the matrix world the course's instructor is the enrolled
participant's examiner (added here), so an administrator, who manages but does not examine, is refused."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

#                      anon   outsider enrolled withdrawn other  instr  admin
RUN = rule(LOGIN, DENY, DENY, DENY, DENY, OK, OK)
SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
EXAMINER = rule(LOGIN, DENY, DENY, DENY, DENY, OK, DENY)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "programmes:seminar_schedule": {"GET": RUN},
    "programmes:seminar_slot": {"POST": RUN},
    "programmes:seminar_examiner_add": {"POST": RUN},
    "programmes:seminar_examiner_end": {"POST": RUN},
    "programmes:seminar_mine": {"GET": SIGNED_IN},
    "programmes:seminar_score": {"GET": EXAMINER, "POST": EXAMINER},
    "programmes:results": {"GET": RUN},
    "programmes:results_score": {"POST": RUN},
    "programmes:results_decide": {"POST": RUN},
    "programmes:results_xlsx": {"GET": RUN},
    "programmes:score_sheets": {"GET": RUN},
}
# Empty bodies, except a draft score: a manager (or the examiner) gets the page again with a message (400), or the
# draft is refused because the world's course has no seminar criteria (400); nothing written. Everyone else is
# refused before the form is read.
POST_BODIES: dict[str, dict[str, str]] = {
    "programmes:seminar_score": {"score-substansi": "80"},
}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from lms.models import Enrollment
    from lms.programmes.guides import guide_assign
    from lms.programmes.models import GuideRole
    from lms.programmes.seminar import seminar_slot_set

    enrollment = Enrollment.objects.get(user=world.people["enrolled"], course=world.course)
    world.extra["seminar_enrollment"] = enrollment
    world.extra["seminar_examiner"] = guide_assign(
        enrollment=enrollment,
        user=world.people["instructor"],
        role=GuideRole.EXAMINER,
        by=world.people["administrator"],
    )
    seminar_slot_set(
        session=world.session,
        enrollment=enrollment,
        starts_at=world.session.starts_at,
        room="Aula",
        by=world.people["administrator"],
    )


def urls(world) -> dict[str, str]:
    course, enrollment = world.course, world.extra["seminar_enrollment"]
    return {
        "programmes:seminar_schedule": reverse("programmes:seminar_schedule", args=[course.pk]),
        "programmes:seminar_slot": reverse("programmes:seminar_slot", args=[course.pk]),
        "programmes:seminar_examiner_add": reverse("programmes:seminar_examiner_add", args=[course.pk]),
        "programmes:seminar_examiner_end": reverse(
            "programmes:seminar_examiner_end", args=[world.extra["seminar_examiner"].pk]
        ),
        "programmes:seminar_mine": reverse("programmes:seminar_mine"),
        "programmes:seminar_score": reverse("programmes:seminar_score", args=[enrollment.pk]),
        "programmes:results": reverse("programmes:results", args=[course.pk]),
        "programmes:results_score": reverse("programmes:results_score", args=[course.pk]),
        "programmes:results_decide": reverse("programmes:results_decide", args=[course.pk]),
        "programmes:results_xlsx": reverse("programmes:results_xlsx", args=[course.pk]),
        "programmes:score_sheets": reverse("programmes:score_sheets", args=[course.pk])
        + f"?enrollment={enrollment.pk}",
    }
