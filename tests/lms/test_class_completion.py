"""A course with a session for one class only: the learners of the other classes still complete it."""

from __future__ import annotations

import pytest

from lms.cohorts.services import class_members_assign, course_class_create
from lms.factories import LiveSessionPageFactory, UserFactory
from lms.models import EnrollmentStatus, ProgressSource
from lms.selectors import course_path
from lms.services import enrollment_create, progress_complete

pytestmark = pytest.mark.django_db


def _complete_own_path(course, enrollment):
    for step in course_path(course=course, enrollment=enrollment).steps:
        progress_complete(enrollment=enrollment, item=step.page, source=ProgressSource.OVERRIDE)
    enrollment.refresh_from_db()
    return enrollment


def test_when_every_step_of_ones_own_path_is_done_then_completed_despite_another_class_session(course, administrator):
    a = course_class_create(course=course, name="Kelas A")
    b = course_class_create(course=course, name="Kelas B")
    in_a = enrollment_create(user=UserFactory(), course=course)
    in_b = enrollment_create(user=UserFactory(), course=course)
    class_members_assign(course_class=a, enrollments=[in_a], by=administrator)
    class_members_assign(course_class=b, enrollments=[in_b], by=administrator)
    LiveSessionPageFactory(parent=course, title="Webinar Kelas A", slug="webinar-kelas-a", course_class=a)

    assert _complete_own_path(course, in_b).status == EnrollmentStatus.COMPLETED
    path_a = course_path(course=course, enrollment=in_a)
    for step in path_a.steps[:-1]:  # all but Kelas A's own session
        progress_complete(enrollment=in_a, item=step.page, source=ProgressSource.OVERRIDE)
    in_a.refresh_from_db()
    assert in_a.status == EnrollmentStatus.ACTIVE  # their class's session is still theirs to attend
    assert _complete_own_path(course, in_a).status == EnrollmentStatus.COMPLETED
