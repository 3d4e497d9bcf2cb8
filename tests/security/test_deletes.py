"""Nothing lost by a delete (issue 7, point 7).

Attacks, each failing on the code before the fix: deleting a course, a step, a session or a person from the
Wagtail admin (one by one or in bulk) cascaded their enrollments, progress, certificates, attempts and
attendance away, and the certificate's printed verification link then answered 404.
"""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live.models import Attendance
from lms.factories import CoursePageFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import (
    ActivityAttempt,
    Certificate,
    CoursePage,
    Enrollment,
    ItemProgress,
    ModulePage,
    XAPIStatement,
)
from lms.protection import page_deletion_blockers
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(full_name="Super Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def completed(course, learner) -> Certificate:
    enrollment = enrollment_create(user=learner, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    return Certificate.objects.get(enrollment=enrollment)


def _records() -> tuple[int, int, int]:
    return Enrollment.objects.count(), ItemProgress.objects.count(), Certificate.objects.count()


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- Wagtail admin: single page delete -------------------------------------------------------------------


def test_when_admin_deletes_a_course_with_enrollments_then_refused_and_every_record_survives(
    course, completed, superuser
):
    before = _records()
    client = client_for(superuser)
    url = reverse("wagtailadmin_pages:delete", args=[course.pk])
    response = client.get(url, follow=True)
    text = _messages(response)
    assert "tidak dapat dihapus" in text and "arsipkan" in text
    assert "3 kemajuan langkah, 1 pendaftaran" in text
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "tidak dapat dihapus" in _messages(response)
    assert CoursePage.objects.filter(pk=course.pk).exists()
    assert _records() == before == (1, 3, 1)
    assert Client().get(f"/verifikasi/{completed.code}/").status_code == 200


def test_when_admin_deletes_a_module_someone_worked_on_then_refused(course, learner, superuser):
    module = course.get_children().first().specific
    enrollment = enrollment_create(user=learner, course=course)
    progress_complete(enrollment=enrollment, item=module, source="marked_done")
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[module.pk]), follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    assert ModulePage.objects.filter(pk=module.pk).exists()
    assert ItemProgress.objects.filter(item_id=module.pk).count() == 1


def test_when_admin_deletes_a_module_with_xapi_records_then_refused(course, learner, superuser):
    module = course.get_children().first().specific
    statement = XAPIStatement.objects.create(
        statement_id="6f1c2b1e-0000-4000-8000-000000000001",
        user=learner,
        module=module,
        block_id="b1",
        verb="http://adlnet.gov/expapi/verbs/answered",
        body={},
        body_hash="x",
    )
    ActivityAttempt.objects.create(user=learner, module=module, block_id="b1", statement=statement, verb="answered")
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[module.pk]), follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    assert XAPIStatement.objects.count() == 1 and ActivityAttempt.objects.count() == 1


def test_when_admin_deletes_a_live_session_with_attendance_then_refused(course, learner, superuser):
    session = LiveSessionPageFactory(parent=course)
    Attendance.objects.create(session=session, user=learner, seconds_present=3600, attended=True)
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[session.pk]), follow=True)
    assert "tidak dapat dihapus" in _messages(response) and "kehadiran" in _messages(response)
    assert Attendance.objects.filter(session_id=session.pk).count() == 1


def test_when_a_course_has_no_learner_records_then_admin_still_deletes_it(catalogue, superuser):
    draft = CoursePageFactory(parent=catalogue, slug="salah-buat")
    ModulePageFactory(parent=draft)
    assert page_deletion_blockers(draft) == {}
    client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[draft.pk]))
    assert not CoursePage.objects.filter(pk=draft.pk).exists()


def test_when_admin_bulk_deletes_courses_then_refused_and_nothing_is_deleted(catalogue, course, completed, superuser):
    empty = CoursePageFactory(parent=catalogue, slug="kosong")
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "delete"))
    response = client_for(superuser).post(f"{url}?id={empty.pk}&id={course.pk}", follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    assert CoursePage.objects.filter(pk__in=[course.pk, empty.pk]).count() == 2
    assert _records() == (1, 3, 1)


# --- Wagtail admin: users --------------------------------------------------------------------------------


def test_when_admin_deletes_a_user_with_a_certificate_then_refused_and_told_to_deactivate(
    completed, learner, superuser
):
    url = reverse("wagtailusers_users:delete", args=[learner.pk])
    client = client_for(superuser)
    assert "Nonaktifkan" in _messages(client.get(url, follow=True))
    response = client.post(url, follow=True)
    assert "tidak dapat dihapus" in _messages(response) and "Nonaktifkan" in _messages(response)
    assert learner.__class__.objects.filter(pk=learner.pk).exists()
    assert _records() == (1, 3, 1)


def test_when_admin_bulk_deletes_users_then_one_with_records_stops_it(completed, learner, superuser):
    stranger = UserFactory()
    url = reverse("wagtail_bulk_action", args=(learner._meta.app_label, learner._meta.model_name, "delete"))
    response = client_for(superuser).post(f"{url}?id={stranger.pk}&id={learner.pk}", follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    assert learner.__class__.objects.filter(pk__in=[learner.pk, stranger.pk]).count() == 2


def test_when_admin_deletes_the_instructor_who_revoked_a_certificate_then_refused(completed, instructor, superuser):
    from lms.services import certificate_revoke

    certificate_revoke(certificate=completed, by=instructor, reason="Presensi dipalsukan.")
    response = client_for(superuser).post(reverse("wagtailusers_users:delete", args=[instructor.pk]), follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    completed.refresh_from_db()
    assert completed.revoked_by == instructor


def test_when_a_user_has_no_records_then_admin_still_deletes_them(superuser):
    mistake = UserFactory()
    client_for(superuser).post(reverse("wagtailusers_users:delete", args=[mistake.pk]))
    assert not mistake.__class__.objects.filter(pk=mistake.pk).exists()


# --- The database: a code path that deletes anyway fails loudly ---------------------------------------------


def test_when_code_deletes_a_course_or_a_learner_anyway_then_protected_error_and_nothing_erased(
    course, completed, learner
):
    with pytest.raises(ProtectedError):
        CoursePage.objects.get(pk=course.pk).delete()
    with pytest.raises(ProtectedError):
        learner.delete()
    with pytest.raises(ProtectedError):
        completed.enrollment.delete()
    assert _records() == (1, 3, 1)


# --- The verification page outlives everything else ------------------------------------------------------


def test_when_course_is_deleted_unpublished_archived_and_learner_deactivated_then_verification_still_works(
    course, completed, learner, superuser
):
    client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    course.archived_at = timezone.now()
    course.save()
    course.get_descendants(inclusive=True).unpublish()
    learner.is_active = False
    learner.full_name = "Nama Lain"
    learner.save()
    response = Client().get(f"/verifikasi/{completed.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Peserta Uji" in page and "Pelatihan Uji" in page and 'id="certificate-status">Sah' in page


# --- Archive instead of delete -------------------------------------------------------------------------------


def test_when_course_is_archived_then_it_leaves_the_catalogue_and_enrollment_but_records_and_reports_stay(
    catalogue, course, completed, learner, superuser
):
    from lms.services import EnrollmentError, enrollment_bulk_import

    course.archived_at = timezone.now()
    course.save_revision().publish()
    newcomer = UserFactory()

    assert "Pelatihan Uji" not in client_for(newcomer).get(catalogue.url).content.decode()
    assert 'id="course-archived"' in client_for(newcomer).get(course.url).content.decode()
    client_for(newcomer).post(course.url + "daftar/")
    with pytest.raises(EnrollmentError):
        enrollment_create(user=newcomer, course=course, source="admin", enrolled_by=superuser)
    report = enrollment_bulk_import(course=course, csv_text=f"nip\n{newcomer.nip}\n", enrolled_by=superuser)
    assert "diarsipkan" in report.error
    assert not Enrollment.objects.filter(user=newcomer).exists()

    learner_client = client_for(learner)
    assert learner_client.get(course.url).status_code == 200
    dashboard = learner_client.get("/saya/").content.decode()
    assert "Pelatihan Uji" in dashboard and f'<strong id="jp-this-year">{completed.jp_credit}</strong>' in dashboard
    assert client_for(superuser).get(course.url + "kelola/").status_code == 200
    assert Client().get(f"/verifikasi/{completed.code}/").status_code == 200


def test_when_editor_ticks_archive_and_publishes_then_archived_at_is_recorded_and_cleared_on_untick(course, superuser):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    def publish(archived: bool) -> CoursePage:
        data = nested_form_data(
            {
                "title": course.title,
                "slug": course.slug,
                "programme": course.programme,
                "jp_credit": course.jp_credit,
                "summary": course.summary,
                "description": rich_text(""),
                "enrollment_open": "on",
                "sequential": "on",
                "archived": "on" if archived else "",
                "comments": inline_formset([]),
                "phases": inline_formset([]),
                "assessment_components": inline_formset([]),
                "predicate_bands": inline_formset([]),
                "seminar_criteria": inline_formset([]),
                "action-publish": "publish",
            }
        )
        response = client_for(superuser).post(reverse("wagtailadmin_pages:edit", args=[course.pk]), data)
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        return CoursePage.objects.get(pk=course.pk)

    archived = publish(True)
    assert archived.is_archived and not archived.enrollment_is_open()
    edit_page = client_for(superuser).get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Arsipkan pelatihan ini" in edit_page
    explorer = client_for(superuser).get(reverse("wagtailadmin_explore", args=[course.get_parent().pk]))
    assert f"{course.title} (diarsipkan)" in explorer.content.decode()
    assert publish(False).archived_at is None


def test_when_an_archived_course_is_copied_for_a_new_intake_then_the_copy_is_open(catalogue, course):
    course.archived_at = timezone.now()
    course.save_revision().publish()
    copy = course.copy(recursive=True, update_attrs={"slug": "angkatan-2", "title": "Angkatan 2"})
    assert copy.specific.archived_at is None and copy.specific.enrollment_is_open()
