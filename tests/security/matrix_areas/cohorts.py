"""Access-matrix rows for lms.cohorts (see tests/security/matrix_areas/__init__.py).

Classes, class membership, withdrawals and reinstatements are for administrators only (lms.access.
user_can_manage_cohort): not the course's instructors either."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

NAMESPACE = "cohorts"
#                    anon   outsider enrolled withdrawn other  instr  admin
COHORT_ADMIN = rule(LOGIN, DENY, DENY, DENY, DENY, DENY, OK)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "cohorts:class_create": {"POST": COHORT_ADMIN},
    "cohorts:class_assign": {"POST": COHORT_ADMIN},
    "cohorts:enrollment_detail": {"GET": COHORT_ADMIN},
    "cohorts:enrollment_withdraw": {"POST": COHORT_ADMIN},
    "cohorts:enrollment_reinstate": {"POST": COHORT_ADMIN},
    "cohorts:enrollment_move": {"POST": COHORT_ADMIN},
    "cohorts:class_detail": {"GET": COHORT_ADMIN},
    "cohorts:group_create": {"POST": COHORT_ADMIN},
    "cohorts:group_assign": {"POST": COHORT_ADMIN},
    "cohorts:class_instructor": {"POST": COHORT_ADMIN},
}
POST_BODIES: dict[str, dict[str, str]] = {
    "cohorts:class_create": {"name": "Kelas Matriks"},
    "cohorts:enrollment_withdraw": {"reason": "Uji matriks", "effective_on": "2026-12-04"},
    "cohorts:enrollment_reinstate": {"reason": "Uji matriks", "effective_on": "2026-12-04"},
    "cohorts:group_create": {"name": "Kelompok Matriks"},
}
# cohorts:enrollment_move is tried with an empty body: the administrator gets the page back with the form's
# errors (400), nothing moved; everyone else is refused before the form. group_assign and class_instructor too
# (empty body): the administrator is sent back to the class page with a message.
# cohorts:class_assign is tried with an empty body (the ids are only known once the world exists): the
# administrator is sent back to the kelola page with a message; everyone else is refused before the form.
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from lms.cohorts.services import course_class_create
    from lms.models import Enrollment

    course_class = course_class_create(course=world.course, name="Kelas A")
    world.extra["course_class"] = course_class
    world.extra["enrolled_enrollment"] = Enrollment.objects.get(user=world.people["enrolled"], course=world.course)
    world.extra["withdrawn_enrollment"] = Enrollment.objects.get(user=world.people["withdrawn"], course=world.course)


def urls(world) -> dict[str, str]:
    course, enrolled, withdrawn = world.course, world.extra["enrolled_enrollment"], world.extra["withdrawn_enrollment"]
    course_class = world.extra["course_class"]
    return {
        "cohorts:class_create": reverse("cohorts:class_create", args=[course.pk]),
        "cohorts:class_assign": reverse("cohorts:class_assign", args=[course.pk]),
        "cohorts:enrollment_detail": reverse("cohorts:enrollment_detail", args=[enrolled.pk]),
        "cohorts:enrollment_withdraw": reverse("cohorts:enrollment_withdraw", args=[enrolled.pk]),
        "cohorts:enrollment_reinstate": reverse("cohorts:enrollment_reinstate", args=[withdrawn.pk]),
        "cohorts:enrollment_move": reverse("cohorts:enrollment_move", args=[enrolled.pk]),
        "cohorts:class_detail": reverse("cohorts:class_detail", args=[course.pk, course_class.pk]),
        "cohorts:group_create": reverse("cohorts:group_create", args=[course.pk, course_class.pk]),
        "cohorts:group_assign": reverse("cohorts:group_assign", args=[course.pk, course_class.pk]),
        "cohorts:class_instructor": reverse("cohorts:class_instructor", args=[course.pk, course_class.pk]),
    }
