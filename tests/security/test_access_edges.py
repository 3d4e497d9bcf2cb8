"""(Issue 7, point 3) holes found by attacking the non-admin doors and the matrix itself."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live.models import Attendance, PresenceInterval
from lms.factories import CoursePageFactory, LiveSessionPageFactory, UserFactory
from lms.models import EnrollmentStatus, Role, SessionKind
from lms.roles import course_instructors_sync, user_set_role
from lms.services import enrollment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_session(catalogue):
    teacher = user_set_role(user=UserFactory(full_name="Widyaiswara A"), role=Role.INSTRUCTOR)
    course = CoursePageFactory(parent=catalogue, title="Pelatihan A", slug="pelatihan-a")
    course.instructors.set([teacher])
    course.save()
    course_instructors_sync(course=course)
    now = timezone.now()
    session = LiveSessionPageFactory(
        parent=course,
        title="Kelas",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(minutes=55),
    )
    return teacher, course, session


@pytest.mark.parametrize("action", ["attend", "absent", "tick"])
def test_when_instructor_overrides_attendance_of_someone_outside_the_course_then_their_nip_is_not_revealed(
    own_session, action
):
    """Before: any account id posted to one's own session's override landed on its report, NIP and OPD included,
    so an instructor could read every civil servant's details by walking the ids."""
    teacher, _course, session = own_session
    stranger = UserFactory(full_name="Orang Lain", nip="198001012005011001")
    client = Client()
    client.force_login(teacher)

    response = client.post(
        reverse("live:attendance_change", args=[session.pk]),
        {"user_id": str(stranger.pk), "action": action, "reason": "Menebak"},
    )

    assert response.status_code == 302
    assert not Attendance.objects.filter(session=session, user=stranger).exists()
    assert not PresenceInterval.objects.filter(session=session, user=stranger).exists()
    report = client.get(reverse("live:report_csv", args=[session.pk])).content.decode()
    assert stranger.nip not in report
    assert "Orang Lain" not in report


def test_when_instructor_overrides_an_enrolled_or_a_withdrawn_learner_who_came_then_it_still_works(own_session):
    teacher, course, session = own_session
    learner = UserFactory(full_name="Peserta")
    enrollment_create(user=learner, course=course)
    leaver = UserFactory(full_name="Mundur")
    enrollment_create(user=leaver, course=course)
    now = timezone.now()
    PresenceInterval.objects.create(
        session=session,
        user=leaver,
        source=PresenceInterval.Source.SOCKET,
        started_at=now,
        last_seen_at=now,
        ended_at=now,
    )
    leaver.enrollments.update(status=EnrollmentStatus.WITHDRAWN)
    client = Client()
    client.force_login(teacher)
    url = reverse("live:attendance_change", args=[session.pk])

    client.post(url, {"user_id": str(learner.pk), "action": "attend", "reason": "Hadir di kelas"})
    client.post(url, {"user_id": str(leaver.pk), "action": "absent", "reason": "Keluar lebih awal"})

    assert Attendance.objects.get(session=session, user=learner).attended is True
    assert Attendance.objects.get(session=session, user=leaver).attended is False


@pytest.mark.parametrize("user_id", ["9" * 40, "٣", "²", "-1", "", "1e3", " 1", "0x1"])
def test_when_attendance_user_id_is_odd_then_never_a_server_error(own_session, user_id):
    teacher, _course, session = own_session
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    response = client.post(
        reverse("live:attendance_change", args=[session.pk]), {"user_id": user_id, "action": "attend", "reason": "x"}
    )
    assert response.status_code == 302
    assert not Attendance.objects.filter(session=session).exists()


# --- Previewing one's own course: the door read the in-memory instructor list -----------------------------------


def test_when_instructor_views_a_revision_of_their_own_course_then_it_renders_not_a_500(own_session):
    """Before: user_can_manage_course filtered the page's instructors by pk, which modelcluster's in-memory
    relation of a revision or preview cannot do: every preview of a course page by its instructor was a 500."""
    teacher, course, _session = own_session
    revision = course.save_revision(user=teacher)
    client = Client(raise_request_exception=False)
    client.force_login(teacher)

    response = client.get(reverse("wagtailadmin_pages:revisions_view", args=[course.pk, revision.pk]))

    assert response.status_code == 200


def test_when_a_draft_names_an_instructor_then_they_manage_nothing_until_it_is_published(own_session):
    _teacher, course, _session = own_session
    newcomer = user_set_role(user=UserFactory(full_name="Widyaiswara Baru"), role=Role.INSTRUCTOR)
    draft = course.get_latest_revision_as_object() if course.latest_revision else course
    draft.instructors.add(newcomer)
    revision = draft.save_revision()

    from lms.access import user_can_manage_course

    assert not user_can_manage_course(newcomer, revision.as_object())
    client = Client()
    client.force_login(newcomer)
    assert client.get(course.url + course.reverse_subpage("manage")).status_code == 403

    revision.publish()
    assert user_can_manage_course(newcomer, course)


# --- The matrix is generated from the URL conf: a new view, named or not, cannot be left out ----------------------


def test_when_a_view_is_added_named_or_not_then_the_matrix_lists_it(settings):
    import sys
    import types

    from django.http import HttpResponse
    from django.urls import include, path

    from config import urls as site_urls
    from tests.security.test_access_matrix import EXPECTATIONS, generated_url_names

    def view(request):
        return HttpResponse("")

    extra = types.ModuleType("tests.security._r2_extra_urls")
    extra.urlpatterns = [
        path("laporan-baru/", view),
        path("laporan-lain/", view, name="laporan_lain"),
        path("ekstra/", include(([path("tanpa-nama/", view)], "lms"), namespace="lms")),
        *site_urls.urlpatterns,
    ]
    sys.modules[extra.__name__] = extra
    try:
        settings.ROOT_URLCONF = extra.__name__
        names = generated_url_names()
    finally:
        del sys.modules[extra.__name__]

    new = {"<laporan-baru/>", "laporan_lain", "lms:<tanpa-nama/>"}
    assert new <= names
    assert not new & set(EXPECTATIONS)  # so test_every_url_has_an_expectation fails on them


def test_when_an_instructor_becomes_a_learner_then_their_course_is_closed_to_them_at_once(own_session):
    teacher, course, session = own_session
    user_set_role(user=teacher, role=Role.LEARNER)
    client = Client()
    client.force_login(teacher)

    assert not course.permissions_for_user(teacher).can_edit()
    assert client.get(course.url + course.reverse_subpage("manage")).status_code == 403
    assert client.get(reverse("live:report_csv", args=[session.pk])).status_code == 404


def test_when_another_instructor_opens_the_move_confirmation_of_a_module_then_refused(own_session, catalogue):
    _teacher, course, session = own_session
    intruder = user_set_role(user=UserFactory(full_name="Widyaiswara B"), role=Role.INSTRUCTOR)
    theirs = CoursePageFactory(parent=catalogue, title="Pelatihan B", slug="pelatihan-b")
    theirs.instructors.set([intruder])
    theirs.save()
    course_instructors_sync(course=theirs)
    client = Client()
    client.force_login(intruder)

    url = reverse("wagtailadmin_pages:move_confirm", args=[session.pk, theirs.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    session.refresh_from_db()
    assert session.get_parent().pk == course.pk
