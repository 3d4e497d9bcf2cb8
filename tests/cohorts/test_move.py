"""Moving a participant to another class or another cohort (lms.cohorts.services.enrollment_move)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.cohorts.models import ClassMembership, EnrollmentChange, EnrollmentChangeKind, GroupMembership
from lms.cohorts.selectors import enrollment_class, enrollment_group
from lms.cohorts.services import (
    CohortError,
    class_members_assign,
    course_class_create,
    enrollment_move,
    enrollment_withdraw,
    group_members_assign,
    study_group_create,
)
from lms.factories import CoursePageFactory, ModulePageFactory
from lms.models import Enrollment, EnrollmentStatus, ItemProgress
from lms.selectors import course_progress_table, enrollment_get
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def next_course(catalogue):
    course = CoursePageFactory(parent=catalogue, title="Angkatan II", slug="angkatan-ii")
    ModulePageFactory(parent=course, title="Modul 1", slug="modul-1")
    return course


@pytest.fixture
def placed(course, learner, administrator):
    """The learner in Kelas A, Kelompok 1; Kelas B exists."""
    a = course_class_create(course=course, name="Kelas A")
    b = course_class_create(course=course, name="Kelas B")
    enrollment = enrollment_create(user=learner, course=course)
    class_members_assign(course_class=a, enrollments=[enrollment], by=administrator)
    group = study_group_create(course_class=a, name="Kelompok 1")
    group_members_assign(group=group, enrollments=[enrollment])
    return a, b, enrollment


def test_when_moved_to_another_class_then_membership_changes_and_old_group_ends(placed, administrator):
    a, b, enrollment = placed
    change = enrollment_move(
        enrollment=enrollment, to_class=b, reason="Permintaan OPD", effective_on=TODAY, by=administrator
    )
    assert enrollment_class(enrollment=enrollment) == b
    assert not GroupMembership.objects.filter(enrollment=enrollment).exists()
    change.refresh_from_db()
    assert (change.kind, change.from_class, change.to_class, change.reason) == (
        EnrollmentChangeKind.MOVED_CLASS,
        a,
        b,
        "Permintaan OPD",
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_moving_between_classes_by_assignment_also_ends_the_old_group(placed, administrator):
    a, b, enrollment = placed
    class_members_assign(course_class=b, enrollments=[enrollment], by=administrator)
    assert enrollment_group(enrollment=enrollment) is None


def test_move_refusals_change_nothing(placed, course, catalogue, next_course, administrator, learner):
    a, b, enrollment = placed
    other_class = course_class_create(course=next_course, name="Kelas A")

    def refused(**kwargs) -> str:
        with pytest.raises(CohortError) as error:
            enrollment_move(enrollment=enrollment, reason="x", effective_on=TODAY, by=administrator, **kwargs)
        return error.value.code

    assert refused(to_class=a) == "same_class"
    assert refused(to_class=other_class) == "wrong_course"  # a class of another course, without that course
    assert refused() == "target_required"
    assert refused(to_course=next_course, to_class=b) == "wrong_course"
    with pytest.raises(CohortError):
        enrollment_move(enrollment=enrollment, to_class=b, reason="  ", effective_on=TODAY, by=administrator)
    archived = CoursePageFactory(parent=catalogue, title="Lama", slug="lama", archived_at=timezone.now())
    assert refused(to_course=archived) == "archived"
    enrollment_create(user=learner, course=next_course)
    assert refused(to_course=next_course) == "already_enrolled"
    assert enrollment_class(enrollment=enrollment) == a
    assert Enrollment.objects.filter(user=learner, status=EnrollmentStatus.WITHDRAWN).count() == 0
    assert not EnrollmentChange.objects.filter(enrollment=enrollment).exclude(kind="moved_class").exists()
    assert EnrollmentChange.objects.filter(enrollment=enrollment).count() == 0


def test_withdrawn_enrollment_cannot_be_moved(placed, administrator):
    a, b, enrollment = placed
    enrollment_withdraw(enrollment=enrollment, by=administrator, reason="Sakit", effective_on=TODAY)
    with pytest.raises(CohortError) as error:
        enrollment_move(enrollment=enrollment, to_class=b, reason="x", effective_on=TODAY, by=administrator)
    assert error.value.code == "withdrawn"
    assert enrollment_class(enrollment=enrollment) == a


def test_when_moved_to_another_cohort_then_old_is_withdrawn_and_new_created_in_the_class(
    placed, course, next_course, learner, administrator
):
    a, b, enrollment = placed
    progress_complete(enrollment=enrollment, item=course.get_children().specific().first(), source="marked_done")
    target_class = course_class_create(course=next_course, name="Kelas C")
    change = enrollment_move(
        enrollment=enrollment,
        to_course=next_course,
        to_class=target_class,
        reason="Tugas dinas luar",
        effective_on=TODAY,
        by=administrator,
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert ItemProgress.objects.filter(enrollment=enrollment).count() == 1  # history kept
    assert enrollment_get(user=learner, course=course) is None
    new = Enrollment.objects.get(user=learner, course=next_course)
    assert new.status == EnrollmentStatus.ACTIVE and new.enrolled_by == administrator
    assert enrollment_class(enrollment=new) == target_class
    assert (change.kind, change.to_enrollment, change.from_class, change.to_class) == (
        EnrollmentChangeKind.MOVED_COURSE,
        new,
        a,
        target_class,
    )
    assert course_progress_table(course=course)[1] == []
    assert [r.enrollment for r in course_progress_table(course=next_course)[1]] == [new]


def test_move_to_a_cohort_the_learner_once_left_reactivates_that_enrollment(
    placed, next_course, learner, administrator
):
    a, b, enrollment = placed
    earlier = enrollment_create(user=learner, course=next_course)
    enrollment_withdraw(enrollment=earlier, by=administrator, reason="Batal", effective_on=TODAY)
    change = enrollment_move(
        enrollment=enrollment, to_course=next_course, reason="Ikut angkatan II", effective_on=TODAY, by=administrator
    )
    earlier.refresh_from_db()
    assert change.to_enrollment == earlier and earlier.status == EnrollmentStatus.ACTIVE
    assert Enrollment.objects.filter(user=learner).count() == 2


def test_completed_enrollment_cannot_move_cohort(course, next_course, learner, administrator):
    enrollment = enrollment_create(user=learner, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    with pytest.raises(CohortError) as error:
        enrollment_move(enrollment=enrollment, to_course=next_course, reason="x", effective_on=TODAY, by=administrator)
    assert error.value.code == "completed"
    assert not Enrollment.objects.filter(course=next_course).exists()


def test_move_view_class_and_cohort(placed, course, next_course, learner, administrator):
    a, b, enrollment = placed
    client = client_for(administrator)
    url = reverse("cohorts:enrollment_move", args=[enrollment.pk])
    page = client.get(reverse("cohorts:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert f'value="kelas:{b.pk}"' in page and f'value="pelatihan:{next_course.pk}"' in page
    assert f'value="kelas:{a.pk}"' not in page  # not the class they are in
    body = {"pindah-target": f"kelas:{b.pk}", "pindah-reason": "Seimbangkan kelas", "pindah-effective_on": "2026-12-04"}
    assert client.post(url, {**body, "pindah-reason": ""}).status_code == 400
    assert client.post(url, {**body, "pindah-target": "kelas:abc"}).status_code == 400
    assert client.post(url, {**body, "pindah-target": "pelatihan:999999"}).status_code == 400
    assert enrollment_class(enrollment=enrollment) == a
    assert client.post(url, body).status_code == 302
    assert enrollment_class(enrollment=enrollment) == b
    again = client.post(url, body)  # the class they are now in is no longer offered
    assert again.status_code == 400
    body["pindah-target"] = f"pelatihan:{next_course.pk}"
    response = client.post(url, body)
    new = Enrollment.objects.get(user=learner, course=next_course)
    assert response.status_code == 302 and response["Location"] == reverse("cohorts:enrollment_detail", args=[new.pk])
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert next_course.title in client.get(reverse("cohorts:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert not ClassMembership.objects.filter(enrollment=new).exists()


def test_instructor_cannot_move(placed, course, instructor):
    a, b, enrollment = placed
    course.instructors.set([instructor])
    course.save()
    response = client_for(instructor).post(
        reverse("cohorts:enrollment_move", args=[enrollment.pk]),
        {"pindah-target": f"kelas:{b.pk}", "pindah-reason": "x", "pindah-effective_on": "2026-12-04"},
    )
    assert response.status_code == 403
    assert enrollment_class(enrollment=enrollment) == a
