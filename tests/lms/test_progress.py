import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lms.competence.jp import jp_total, year_bounds
from lms.factories import LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import CompletionRule, EnrollmentStatus, ItemProgress, ProgressStatus
from lms.selectors import course_path
from lms.services import ProgressError, enrollment_create, progress_complete, progress_mark_done
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _modules(course):
    return list(course.get_children().specific())


def test_when_course_is_sequential_then_second_module_is_locked_until_first_is_done(course, learner):
    enrollment_create(user=learner, course=course)
    first, second, _third = _modules(course)
    client = client_for(learner)
    response = client.get(second.url)
    assert response.status_code == 403
    assert "Terkunci" in response.content.decode()
    assert not ItemProgress.objects.filter(item_id=second.pk).exists()

    assert client.post(first.url + "selesai/").status_code == 302
    assert client.get(second.url).status_code == 200


def test_when_instructor_of_a_sequential_course_opens_it_then_every_step_is_open_and_no_enroll_button(
    course, learner, instructor
):
    course.instructors.add(instructor)
    course.save()
    enrollment_create(user=learner, course=course)  # a learner's locked path must not be served from cache
    assert "Terkunci" in client_for(learner).get(course.url).content.decode()

    client = client_for(instructor)
    page = client.get(course.url).content.decode()
    assert "Terkunci" not in page
    assert ">Daftar<" not in page
    for module in _modules(course):
        assert f'href="{module.url}"' in page
    following = client.get(_modules(course)[1].url).content.decode()
    assert f'href="{_modules(course)[2].url}"' in following


def test_when_course_is_free_order_then_any_module_opens(course, learner):
    course.sequential = False
    course.save()
    enrollment_create(user=learner, course=course)
    assert client_for(learner).get(_modules(course)[2].url).status_code == 200


def test_when_not_enrolled_then_module_is_forbidden_and_anonymous_is_sent_to_login(course, learner):
    module = _modules(course)[0]
    assert client_for(learner).get(module.url).status_code == 403
    response = Client().get(module.url)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_when_module_rule_is_viewed_then_opening_it_completes_it(course, learner):
    module = ModulePageFactory(parent=course, completion_rule=CompletionRule.VIEWED)
    course.sequential = False
    course.save()
    enrollment = enrollment_create(user=learner, course=course)
    client_for(learner).get(module.url)
    assert ItemProgress.objects.get(enrollment=enrollment, item_id=module.pk).status == ProgressStatus.COMPLETED


def test_when_every_step_is_done_then_enrollment_completes_and_jp_count_this_year(course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    client = client_for(learner)
    for module in _modules(course):
        client.post(module.url + "selesai/")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert (
        jp_total(
            user_id=learner.pk,
            start=year_bounds(timezone.localdate().year)[0],
            end=year_bounds(timezone.localdate().year)[1],
        )
        == course.jp_credit
    )
    dashboard = client.get("/saya/").content.decode()
    assert f'<strong id="jp-this-year">{course.jp_credit}</strong>' in dashboard


def test_when_module_needs_activities_then_mark_done_is_refused(course, learner):
    module = _modules(course)[0]
    module.completion_rule = CompletionRule.ACTIVITIES_PASSED
    module.save(clean=False)  # its required H5P block is irrelevant here
    enrollment = enrollment_create(user=learner, course=course)
    with pytest.raises(ProgressError):
        progress_mark_done(enrollment=enrollment, item=module)
    response = client_for(learner).post(module.url + "selesai/", follow=True)
    assert "aktivitas wajib" in response.content.decode()
    assert not ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_when_live_session_is_not_attended_then_later_steps_stay_locked_but_session_is_open(course, learner):
    course.get_children().delete()
    session = LiveSessionPageFactory(parent=course)
    after = ModulePageFactory(parent=course)
    enrollment = enrollment_create(user=learner, course=course)
    path = course_path(course=course, enrollment=enrollment)
    assert [s.locked for s in path.steps] == [False, True]
    client = client_for(learner)
    assert client.get(session.url).status_code == 200
    assert client.get(after.url).status_code == 403
    progress_complete(enrollment=enrollment, item=session, source="attendance")
    assert client.get(after.url).status_code == 200


def test_when_other_learner_asks_for_progress_report_then_403(course, learner):
    enrollment_create(user=learner, course=course)
    other = UserFactory()
    client = client_for(other)
    assert client.get(course.url + "kelola/").status_code == 403
    assert client.get(course.url + "kelola/unduh/").status_code == 403
    assert client_for(learner).get(course.url + "kelola/unduh/").status_code == 403


def test_when_dashboard_lists_upcoming_sessions_then_ics_holds_them(course, learner):
    start = timezone.now() + datetime.timedelta(days=2)
    LiveSessionPageFactory(
        parent=course, title="Webinar Kebijakan Publik", starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    enrollment_create(user=learner, course=course)
    client = client_for(learner)
    assert "Webinar Kebijakan Publik" in client.get("/saya/").content.decode()
    ics = client.get("/saya/jadwal.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Webinar Kebijakan Publik" in body
    assert f"DTSTART:{start.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in body


def test_when_locked_module_is_marked_done_by_post_then_403_and_nothing_changes(course, learner):
    enrollment_create(user=learner, course=course)
    second = _modules(course)[1]
    assert client_for(learner).post(second.url + "selesai/").status_code == 403
    assert not ItemProgress.objects.filter(item_id=second.pk).exists()


def test_when_a_step_is_republished_renamed_or_unpublished_then_the_cached_path_follows(course, learner):
    enrollment_create(user=learner, course=course)
    client = client_for(learner)
    assert "Modul 2" in client.get(course.url).content.decode()
    second = _modules(course)[1]
    second.title = "Modul 2: Etika Publik"
    second.save_revision().publish()
    assert "Modul 2: Etika Publik" in client.get(course.url).content.decode()
    second.unpublish()
    page = client.get(course.url).content.decode()
    assert "Modul 2" not in page and "Modul 3" in page


def test_when_course_jp_is_edited_after_completion_then_jp_earned_stay_as_recorded(course, learner):
    course.jp_credit = 10
    course.save_revision().publish()
    enrollment = enrollment_create(user=learner, course=course)
    for module in _modules(course):
        progress_complete(enrollment=enrollment, item=module, source="marked_done")
    course = course.specific_class.objects.get(pk=course.pk)
    course.jp_credit = 30
    course.save_revision().publish()

    enrollment.refresh_from_db()
    assert enrollment.jp_credit == 10
    assert (
        jp_total(
            user_id=learner.pk,
            start=year_bounds(timezone.localdate().year)[0],
            end=year_bounds(timezone.localdate().year)[1],
        )
        == 10
    )
    dashboard = client_for(learner).get("/saya/").content.decode()
    assert '<strong id="jp-this-year">10</strong>' in dashboard
    assert "· 10 JP ·" in dashboard and "30 JP" not in dashboard


def test_when_snapshot_migration_runs_then_completed_enrollments_get_their_certificate_or_course_jp(catalogue, learner):
    import importlib

    from django.apps import apps

    from lms.competence.models import LedgerEntry
    from lms.factories import CoursePageFactory
    from lms.models import Certificate, Enrollment

    fill = importlib.import_module("lms.migrations.0006_enrollment_jp_credit_fill").fill_jp_credit
    certified, uncertified, ongoing = (CoursePageFactory(parent=catalogue, jp_credit=jp) for jp in (12, 7, 5))
    for course in (certified, uncertified, ongoing):
        ModulePageFactory(parent=course)
    for course in (certified, uncertified):
        enrollment = enrollment_create(user=learner, course=course)
        progress_complete(enrollment=enrollment, item=course.get_children().first().specific, source="marked_done")
    enrollment_create(user=learner, course=ongoing)
    Certificate.objects.filter(enrollment__course=certified).update(jp_credit=9)  # what it stated when issued
    LedgerEntry.objects.all().delete()  # as before the competence ledger existed (it protects certificates)
    Certificate.objects.filter(enrollment__course=uncertified).delete()
    Enrollment.objects.update(jp_credit=None)  # as before the snapshot existed

    fill(apps, None)
    assert dict(Enrollment.objects.values_list("course_id", "jp_credit")) == {
        certified.pk: 9,
        uncertified.pk: 7,
        ongoing.pk: None,
    }
