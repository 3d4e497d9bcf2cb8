"""Classes, class-only sessions, withdrawal and reinstatement (lms.cohorts)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from lms.access import ItemAccess, item_access, user_can_manage_cohort
from lms.cohorts.models import ClassMembership, CourseClass, EnrollmentChange, EnrollmentChangeKind
from lms.cohorts.selectors import enrollment_class
from lms.cohorts.services import (
    CohortError,
    class_members_assign,
    course_class_create,
    enrollment_reinstate,
    enrollment_withdraw,
)
from lms.factories import LiveSessionPageFactory, UserFactory
from lms.models import Certificate, EnrollmentStatus, ItemProgress
from lms.selectors import course_path, course_progress_table, enrollment_get
from lms.services import CertificateError, certificate_issue, enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


def _manage_url(course) -> str:
    return course.url + course.reverse_subpage("manage")


@pytest.fixture
def split(course, administrator):
    """Two classes, two learners in each."""
    a = course_class_create(course=course, name="Kelas A")
    b = course_class_create(course=course, name="Kelas B")
    people = [UserFactory(full_name=f"Peserta {n}") for n in range(4)]
    enrollments = [enrollment_create(user=p, course=course) for p in people]
    class_members_assign(course_class=a, enrollments=enrollments[:2], by=administrator)
    class_members_assign(course_class=b, enrollments=enrollments[2:], by=administrator)
    return a, b, enrollments


def test_class_names_are_unique_per_course(course):
    course_class_create(course=course, name="Kelas A")
    with pytest.raises(CohortError) as error:
        course_class_create(course=course, name="kelas a")
    assert error.value.code == "name_taken"
    with pytest.raises(CohortError):
        course_class_create(course=course, name="  ")


def test_assign_moves_between_classes_with_history(split, administrator):
    a, b, enrollments = split
    assert enrollment_class(enrollment=enrollments[0]) == a
    assert class_members_assign(course_class=b, enrollments=[enrollments[0], enrollments[2]], by=administrator) == 1
    assert enrollment_class(enrollment=enrollments[0]) == b
    change = EnrollmentChange.objects.get(enrollment=enrollments[0])
    assert (change.kind, change.from_class, change.to_class) == (EnrollmentChangeKind.MOVED_CLASS, a, b)
    assert ClassMembership.objects.count() == 4


def test_withdraw_keeps_history_and_progress_and_reinstate_undoes(course, learner, administrator):
    enrollment = enrollment_create(user=learner, course=course)
    first = course.get_children().specific().first()
    progress_complete(enrollment=enrollment, item=first, source="marked_done")
    with pytest.raises(CohortError):
        enrollment_withdraw(enrollment=enrollment, by=administrator, reason="   ", effective_on=TODAY)
    enrollment_withdraw(enrollment=enrollment, by=administrator, reason="Mutasi jabatan", effective_on=TODAY)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert ItemProgress.objects.filter(enrollment=enrollment).count() == 1  # history untouched
    assert enrollment_get(user=learner, course=course) is None  # access gone at once
    assert item_access(learner, first, course=course)[0] is ItemAccess.NOT_ENROLLED
    assert course_progress_table(course=course)[1] == []  # not counted as active
    with pytest.raises(CohortError) as error:
        enrollment_withdraw(enrollment=enrollment, by=administrator, reason="lagi", effective_on=TODAY)
    assert error.value.code == "already_withdrawn"
    enrollment_reinstate(enrollment=enrollment, by=administrator, reason="Batal mutasi", effective_on=TODAY)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    kinds = list(EnrollmentChange.objects.filter(enrollment=enrollment).values_list("kind", flat=True))
    assert kinds == [EnrollmentChangeKind.REINSTATED, EnrollmentChangeKind.WITHDRAWN]


def test_certificate_refused_for_a_withdrawn_enrollment(course, learner, administrator):
    enrollment = enrollment_create(user=learner, course=course)
    enrollment_withdraw(enrollment=enrollment, by=administrator, reason="Sakit", effective_on=TODAY)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN  # completing steps does not complete it
    with pytest.raises(CertificateError) as error:
        certificate_issue(enrollment=enrollment)
    assert error.value.code == "withdrawn"
    assert not Certificate.objects.exists()


def test_completed_enrollment_cannot_be_withdrawn(course, learner, administrator):
    enrollment = enrollment_create(user=learner, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    with pytest.raises(CohortError) as error:
        enrollment_withdraw(enrollment=enrollment, by=administrator, reason="x", effective_on=TODAY)
    assert error.value.code == "completed"


def test_class_only_session_is_skipped_for_other_classes(course, split, instructor):
    a, b, enrollments = split
    session = LiveSessionPageFactory(parent=course, title="Webinar A", slug="webinar-a", course_class=a)
    in_a, in_b = enrollments[0], enrollments[2]
    path_a = course_path(course=course, enrollment=in_a)
    path_b = course_path(course=course, enrollment=in_b)
    assert path_a.step_for(session.pk) is not None
    assert path_b.step_for(session.pk) is None  # skipped, not locked
    assert path_a.total == path_b.total + 1
    assert path_a.fingerprint != path_b.fingerprint
    assert item_access(in_a.user, session, course=course)[0] is ItemAccess.ALLOWED
    assert item_access(in_b.user, session, course=course)[0] is ItemAccess.NOT_ENROLLED
    course.instructors.set([instructor])
    course.save()
    assert item_access(instructor, session, course=course)[0] is ItemAccess.ALLOWED
    # A learner in no class does not see class-only sessions either.
    loner = enrollment_create(user=UserFactory(), course=course)
    assert course_path(course=course, enrollment=loner).step_for(session.pk) is None


def test_progress_table_and_export_filter_by_class(course, split, administrator):
    a, b, enrollments = split
    assert {r.enrollment for r in course_progress_table(course=course, course_class_id=a.pk)[1]} == set(enrollments[:2])
    client = client_for(administrator)
    page = client.get(_manage_url(course) + f"?kelas={b.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Peserta 2" in body and "Peserta 0" not in body
    assert client.get(_manage_url(course) + "?kelas=abc").status_code == 200  # junk: no filter, no 500
    export = client.get(course.url + course.reverse_subpage("progress_csv") + f"?kelas={a.pk}")
    text = export.content.decode("utf-8-sig")
    assert "Peserta 0" in text and "Peserta 2" not in text


def test_only_administrators_manage_the_cohort(course, instructor, administrator):
    course.instructors.set([instructor])
    course.save()
    assert user_can_manage_cohort(administrator, course)
    assert not user_can_manage_cohort(instructor, course)
    response = client_for(instructor).post(reverse("cohorts:class_create", args=[course.pk]), {"name": "Kelas X"})
    assert response.status_code == 403
    assert not CourseClass.objects.exists()


def test_views_create_assign_withdraw_reinstate(course, administrator):
    client = client_for(administrator)
    people = [enrollment_create(user=UserFactory(full_name=f"Orang {n}"), course=course) for n in range(2)]
    assert client.post(reverse("cohorts:class_create", args=[course.pk]), {"name": "Kelas A"}).status_code == 302
    a = CourseClass.objects.get(course=course)
    response = client.post(
        reverse("cohorts:class_assign", args=[course.pk]),
        {"course_class": a.pk, "enrollment": [e.pk for e in people]},
    )
    assert response.status_code == 302
    assert ClassMembership.objects.filter(course_class=a).count() == 2
    # A foreign enrollment id is refused as a whole.
    other = enrollment_create(user=UserFactory(), course=course)
    client.post(reverse("cohorts:class_assign", args=[course.pk]), {"course_class": a.pk, "enrollment": ["999999"]})
    assert not ClassMembership.objects.filter(enrollment=other).exists()

    url = reverse("cohorts:enrollment_withdraw", args=[people[0].pk])
    assert client.post(url, {"reason": "", "effective_on": "2026-12-04"}).status_code == 400
    assert client.post(url, {"reason": "Tugas belajar", "effective_on": "bukan-tanggal"}).status_code == 400
    people[0].refresh_from_db()
    assert people[0].status == EnrollmentStatus.ACTIVE
    assert client.post(url, {"reason": "Tugas belajar", "effective_on": "2026-12-04"}).status_code == 302
    people[0].refresh_from_db()
    assert people[0].status == EnrollmentStatus.WITHDRAWN
    detail = client.get(reverse("cohorts:enrollment_detail", args=[people[0].pk]))
    assert "Tugas belajar" in detail.content.decode()
    assert "Orang 0" in client.get(_manage_url(course)).content.decode()  # listed as withdrawn, to reinstate
    assert client.post(url, {"reason": "lagi", "effective_on": "2026-12-04"}).status_code == 400
    back = reverse("cohorts:enrollment_reinstate", args=[people[0].pk])
    assert client.post(back, {"reason": "Batal", "effective_on": "2026-12-05"}).status_code == 302
    people[0].refresh_from_db()
    assert people[0].status == EnrollmentStatus.ACTIVE
    assert client.get(reverse("cohorts:enrollment_detail", args=[999999])).status_code == 404
    assert client.get(url).status_code == 405


def test_class_only_session_in_dashboard_room_and_attendance(course, split):
    from live.selectors import attendance_report, room_members_refused
    from lms.selectors import dashboard_for

    a, b, enrollments = split
    session = LiveSessionPageFactory(parent=course, title="Webinar A", slug="webinar-a", course_class=a)
    in_a, in_b = enrollments[0].user, enrollments[2].user
    assert session in dashboard_for(user=in_a, jp_target=20).upcoming_sessions
    assert session not in dashboard_for(user=in_b, jp_target=20).upcoming_sessions
    assert room_members_refused(session_id=session.pk, user_ids=[in_a.pk, in_b.pk]) == {in_b.pk}
    assert {row.user for row in attendance_report(session=session)} == {e.user for e in enrollments[:2]}


def test_withdrawn_learner_refused_from_room(course, split, administrator):
    from live.selectors import room_members_refused

    session = LiveSessionPageFactory(parent=course, title="Webinar Semua", slug="webinar-semua")
    enrollment = split[2][0]
    assert room_members_refused(session_id=session.pk, user_ids=[enrollment.user_id]) == set()
    enrollment_withdraw(enrollment=enrollment, by=administrator, reason="Mutasi", effective_on=TODAY)
    assert room_members_refused(session_id=session.pk, user_ids=[enrollment.user_id]) == {enrollment.user_id}


def test_session_editor_offers_only_the_course_classes(catalogue, course, administrator):
    from lms.factories import CoursePageFactory
    from lms.models import LiveSessionPage

    own = course_class_create(course=course, name="Kelas A")
    other_course = CoursePageFactory(parent=catalogue, title="Lain", slug="lain")
    course_class_create(course=other_course, name="Kelas A")
    form_class = LiveSessionPage.get_edit_handler().get_form_class()
    form = form_class(instance=LiveSessionPage(), parent_page=course, for_user=administrator)
    assert list(form.fields["course_class"].queryset) == [own]
    session = LiveSessionPageFactory(parent=course, title="W", slug="w")
    form = form_class(instance=session, for_user=administrator)
    assert list(form.fields["course_class"].queryset) == [own]


def test_demo_seed_is_idempotent(course, administrator, instructor):
    from lms.cohorts.demo import demo_seed_cohorts
    from lms.cohorts.models import GroupMembership

    for n in range(5):
        enrollment_create(user=UserFactory(full_name=f"Demo {n}"), course=course)
    for _ in range(2):
        demo_seed_cohorts(course=course, administrator=administrator, instructor=instructor)
    assert CourseClass.objects.filter(course=course).count() == 2
    assert ClassMembership.objects.count() == 5
    assert GroupMembership.objects.count() == 5
    assert EnrollmentChange.objects.filter(kind=EnrollmentChangeKind.WITHDRAWN).count() == 1
