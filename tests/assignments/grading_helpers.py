"""Builders for the grading tests: assignments, groups and hand-ins made with the ORM (the learner's side has
its own tests of handing in)."""

from __future__ import annotations

import datetime
import json

from django.core.files.base import ContentFile
from django.utils import timezone

from lms.assignments.models import (
    AssignmentPage,
    GroupMode,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionVersion,
)
from lms.cohorts.models import ClassMembership, CourseClass, GroupMembership, StudyGroup
from lms.factories import AssignmentPageFactory
from lms.models import CoursePage, Enrollment

# A minimal, valid one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

RUBRIC = [
    {"name": "Ketepatan isu", "levels": [("Kurang", 1), ("Cukup", 2), ("Baik", 4)]},
    {"name": "Rencana kegiatan", "levels": [("Belum ada", 0), ("Lengkap", 5)]},
    {"name": "Nilai dasar ASN", "levels": [("Kurang", 1), ("Baik", 3)]},
]


def rubric_json(criteria: list[dict]) -> str:
    return json.dumps(
        [
            {
                "type": "criterion",
                "value": {
                    "name": criterion["name"],
                    "description": "",
                    "levels": [
                        {"label": label, "points": points, "description": ""} for label, points in criterion["levels"]
                    ],
                },
            }
            for criterion in criteria
        ]
    )


def assignment_make(
    course: CoursePage, *, title: str = "Rancangan Aktualisasi", rubric=None, **fields
) -> AssignmentPage:
    page = AssignmentPageFactory(
        parent=course,
        title=title,
        slug=fields.pop("slug", title.lower().replace(" ", "-")),
        rubric=rubric_json(rubric) if rubric else "[]",
        **fields,
    )
    return AssignmentPage.objects.get(pk=page.pk)


def group_make(course: CoursePage, enrollments: list[Enrollment], *, name: str = "Kelompok 1", class_name="Kelas A"):
    course_class, _ = CourseClass.objects.get_or_create(course=course, name=class_name)
    group = StudyGroup.objects.create(course_class=course_class, name=name)
    for enrollment in enrollments:
        ClassMembership.objects.get_or_create(enrollment=enrollment, defaults={"course_class": course_class})
        GroupMembership.objects.create(group=group, enrollment=enrollment, course_class=course_class)
    return group


def hand_in(
    assignment: AssignmentPage,
    *,
    by,
    enrollment: Enrollment | None = None,
    group: StudyGroup | None = None,
    text: str = "",
    files: tuple[tuple[str, bytes], ...] = (("rancangan.pdf", PDF),),
    at: datetime.datetime | None = None,
    late: bool = False,
) -> SubmissionVersion:
    """A hand-in as the learner's side records it: the submission (new or back to SUBMITTED) and a new version."""
    at = at or timezone.now()
    owner = {"group": group} if group is not None else {"enrollment": enrollment}
    submission = Submission.objects.filter(assignment=assignment, **owner).first()
    if submission is None:
        submission = Submission.objects.create(
            assignment=assignment, status=SubmissionStatus.SUBMITTED, submitted_at=at, **owner
        )
    else:
        submission.status, submission.submitted_at = SubmissionStatus.SUBMITTED, at
        submission.save(update_fields=["status", "submitted_at"])
    number = submission.versions.count() + 1
    version = SubmissionVersion.objects.create(
        submission=submission, number=number, text=text, submitted_by=by, submitted_at=at, is_late=late
    )
    for name, content in files:
        stored = SubmissionFile(
            version=version,
            original_name=name,
            extension="pdf",
            content_type="application/pdf",
            size=len(content),
            stored_prefix=f"{assignment.pk}/{submission.pk}",
        )
        stored.file.save("x.pdf", ContentFile(content), save=False)
        stored.save()
    return version


__all__ = ["GroupMode", "PDF", "RUBRIC", "assignment_make", "group_make", "hand_in"]
