"""Access-matrix rows for lms.assignments (see tests/security/matrix_areas/__init__.py).

The assignment page is a step of the course path (STEP). A submission's files and a grade's returned file are for
the submission's members (the enrolled learner here, who handed in) and those who grade it (MANAGE); everyone
else gets 404, as if the file did not exist (DENY)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.assignments.models import AssignmentPage
from tests.security.matrix_rules import ANY, DENY, LOGIN, MANAGE, OK, REFUSED, STEP, rule  # noqa: F401

NAMESPACE = "assignments"
#                    anon   outsider enrolled withdrawn other  instr  admin
SUBMISSION_FILE = rule(LOGIN, DENY, OK, DENY, DENY, OK, OK)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "AssignmentPage:assignment": {"GET": STEP},
    "AssignmentPage:index_route": {"GET": STEP},  # RoutablePageMixin's own name for the same "" route
    # An empty hand-in: the learner is told what is missing (400, the page again); those who manage the course
    # are sent back to the page (they hand in nothing).
    "AssignmentPage:submit": {"POST": STEP},
    "assignments:submission_file": {"GET": SUBMISSION_FILE},
    "assignments:returned_file": {"GET": SUBMISSION_FILE},
    # The grading queue lists only the courses one manages: any instructor or administrator may open it (another
    # course's instructor sees an empty queue); grading and the ZIP are for this course's managers.
    "assignments:queue": {"GET": rule(LOGIN, DENY, DENY, DENY, OK, OK, OK)},
    "assignments:grade": {"GET": MANAGE, "POST": MANAGE},
    "assignments:submissions_zip": {"GET": MANAGE},
}
POST_BODIES: dict[str, dict[str, str]] = {
    "AssignmentPage:submit": {"text": ""},
    # A version that does not exist: a manager gets the form back (400), nothing graded.
    "assignments:grade": {"version": "999999", "decision": "graded", "score": "80"},
}


PAGE_MODELS: tuple = (AssignmentPage,)

# One page of a tiny valid PDF: enough for the content check.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def extend_world(world) -> None:
    from lms.assignments.grading import submission_grade
    from lms.assignments.services import submission_submit
    from lms.factories import AssignmentPageFactory
    from lms.models import Enrollment

    assignment = AssignmentPageFactory(parent=world.course, title="Tugas Rancangan", slug="tugas-rancangan")
    enrolled = world.people["enrolled"]
    enrollment = Enrollment.objects.get(user=enrolled, course=world.course)
    submission = submission_submit(
        assignment=assignment,
        enrollment=enrollment,
        files=[SimpleUploadedFile("rancangan.pdf", PDF, content_type="application/pdf")],
        text="",
        by=enrolled,
    )
    grade = submission_grade(
        submission=submission,
        version=submission.latest_version,
        by=world.people["instructor"],
        decision="revision",
        feedback="Lengkapi bab dua.",
        returned_file=SimpleUploadedFile("catatan.pdf", PDF, content_type="application/pdf"),
    )
    world.extra.update(
        assignment=assignment,
        submission=submission,
        submission_file=submission.latest_version.files.get(),
        grade=grade,
    )


def urls(world) -> dict[str, str]:
    assignment = world.extra["assignment"]
    return {
        "AssignmentPage:assignment": assignment.url + assignment.reverse_subpage("assignment"),
        "AssignmentPage:index_route": assignment.url + assignment.reverse_subpage("assignment"),
        "AssignmentPage:submit": assignment.url + assignment.reverse_subpage("submit"),
        "assignments:submission_file": reverse("assignments:submission_file", args=[world.extra["submission_file"].pk]),
        "assignments:returned_file": reverse("assignments:returned_file", args=[world.extra["grade"].pk]),
        "assignments:queue": reverse("assignments:queue"),
        "assignments:grade": reverse("assignments:grade", args=[world.extra["submission"].pk]),
        "assignments:submissions_zip": reverse("assignments:submissions_zip", args=[assignment.pk]),
    }
