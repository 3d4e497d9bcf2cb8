"""lms.events dispatch, graded submissions, the reminder scan (service, command, request trigger) and schedule
changes published through Wagtail."""

from __future__ import annotations

import datetime
import logging
import pathlib
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lms import events
from lms.assignments.grading import submission_grade
from lms.assignments.models import AssignmentPage, GroupMode, Submission, SubmissionStatus, SubmissionVersion
from lms.cohorts.models import ClassMembership, CourseClass, GroupMembership, StudyGroup
from lms.factories import EnrollmentFactory, LiveSessionPageFactory, UserFactory
from lms.models import EnrollmentStatus, SessionKind
from lms.notifications import tasks
from lms.notifications.models import Notification, NotificationKind
from lms.notifications.services import notification_scan
from lms.notifications.tasks import SCAN_CACHE_KEY, ScanTrigger
from lms.services import enrollment_create
from tests.conftest import client_for

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notifications": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- lms.events --------------------------------------------------------------------------------------------------


def test_lms_core_never_imports_notifications():
    """Dependencies point one way: lms emits events; only lms.notifications knows lms.notifications."""
    offenders = []
    for path in (ROOT / "lms").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        # The demo seeder composes every app on purpose (it is the one place that does).
        if relative.startswith("lms/notifications/") or relative == "lms/demo.py":
            continue
        if re.search(r"^\s*(from|import)\s+lms\.notifications\b", path.read_text(), re.MULTILINE):
            offenders.append(relative)
    assert offenders == []


def test_rolled_back_action_announces_nothing(course, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            enrollment_create(user=learner, course=course)
            raise RuntimeError("the request failed after enrolling")
    assert not Notification.objects.exists()


def test_failing_subscriber_is_logged_and_others_still_run(
    course, learner, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**payload):
        raise ValueError("subscriber bug")

    # A second, broken subscriber placed first: the real one must still run, and the caller never sees the error.
    monkeypatch.setitem(
        events._handlers, events.ENROLLMENT_CREATED, [broken, *events._handlers[events.ENROLLMENT_CREATED]]
    )
    with caplog.at_level(logging.ERROR, logger="lms.events"), django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(user=learner, course=course)
    assert enrollment.pk and _kinds(learner) == [NotificationKind.ENROLLMENT]
    assert "subscriber bug" in caplog.text and events.ENROLLMENT_CREATED in caplog.text


def test_unknown_event_is_refused():
    with pytest.raises(ValueError):
        events.emit("enrolment.created", enrollment=None)
    with pytest.raises(ValueError):
        events.subscribe("no.such.event", print)


# --- graded submissions ------------------------------------------------------------------------------------------


def _assignment(course, **kw) -> AssignmentPage:
    defaults = {
        "title": "Rancangan Aktualisasi",
        "slug": f"tugas-{AssignmentPage.objects.count() + 1}",
        "instructions": "<p>Unggah rancangan.</p>",
        "due_at": timezone.now() + datetime.timedelta(days=3),
    }
    assignment = AssignmentPage(**{**defaults, **kw})
    course.add_child(instance=assignment)
    return assignment


def _hand_in(assignment, *, by, enrollment=None, group=None) -> tuple[Submission, SubmissionVersion]:
    submission = Submission.objects.create(
        assignment=assignment,
        enrollment=enrollment,
        group=group,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    version = SubmissionVersion.objects.create(submission=submission, number=1, text="Jawaban saya.", submitted_by=by)
    return submission, version


def test_graded_submission_notifies_the_learner_with_the_assignment_link(
    course, learner, instructor, django_capture_on_commit_callbacks
):
    enrollment = EnrollmentFactory(user=learner, course=course)
    assignment = _assignment(course)
    submission, version = _hand_in(assignment, by=learner, enrollment=enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        submission_grade(submission=submission, version=version, by=instructor, feedback="Baik.", score="82.5")
    note = Notification.objects.get(user=learner, kind=NotificationKind.SUBMISSION_GRADED)
    assert note.url == assignment.url and "Rancangan Aktualisasi" in note.title and "82,5" in note.body
    # A revision request on a new version is news again; the same event twice is not.
    version2 = SubmissionVersion.objects.create(submission=submission, number=2, text="Revisi.", submitted_by=learner)
    with django_capture_on_commit_callbacks(execute=True):
        submission_grade(
            submission=submission, version=version2, by=instructor, feedback="Perbaiki bab 2.", decision="revision"
        )
    submission.refresh_from_db()
    events.emit(events.SUBMISSION_GRADED, submission=submission)  # outside a transaction: runs at once
    titles = list(
        Notification.objects.filter(user=learner, kind=NotificationKind.SUBMISSION_GRADED)
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == ["Tugas Rancangan Aktualisasi sudah dinilai", "Tugas Rancangan Aktualisasi perlu direvisi"]


def test_group_submission_notifies_every_member(course, instructor, django_capture_on_commit_callbacks):
    members = [EnrollmentFactory(user=UserFactory(), course=course) for _ in range(3)]
    outsider = EnrollmentFactory(user=UserFactory(), course=course)
    course_class = CourseClass.objects.create(course=course, name="Kelas A")
    group = StudyGroup.objects.create(course_class=course_class, name="Kelompok 1")
    for enrollment in members:
        GroupMembership.objects.create(group=group, enrollment=enrollment, course_class=course_class)
    assignment = _assignment(course, group_mode=GroupMode.GROUP)
    submission, version = _hand_in(assignment, by=members[0].user, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        submission_grade(submission=submission, version=version, by=instructor, feedback="", score="90")
    graded = set(Notification.objects.filter(kind=NotificationKind.SUBMISSION_GRADED).values_list("user", flat=True))
    assert graded == {m.user_id for m in members} and outsider.user_id not in graded


# --- the scan ----------------------------------------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now()


def test_scan_reminds_the_session_learners_within_the_hour(course, catalogue, now):
    active, completed, withdrawn, stranger = (UserFactory() for _ in range(4))
    EnrollmentFactory(user=active, course=course)
    EnrollmentFactory(user=completed, course=course, status=EnrollmentStatus.COMPLETED, completed_at=now)
    EnrollmentFactory(user=withdrawn, course=course, status=EnrollmentStatus.WITHDRAWN)
    soon = LiveSessionPageFactory(
        parent=course, title="Webinar Pembuka", starts_at=now + datetime.timedelta(minutes=40)
    )
    LiveSessionPageFactory(parent=course, title="Nanti", starts_at=now + datetime.timedelta(minutes=90))
    LiveSessionPageFactory(parent=course, title="Sudah mulai", starts_at=now - datetime.timedelta(minutes=5))
    draft = LiveSessionPageFactory(parent=course, title="Draf", starts_at=now + datetime.timedelta(minutes=30))
    draft.unpublish()

    counts = notification_scan(now=now)
    assert counts[NotificationKind.SESSION_REMINDER] == 1
    note = Notification.objects.get(kind=NotificationKind.SESSION_REMINDER)
    start = timezone.localtime(soon.starts_at)
    assert note.user == active and note.url == soon.url
    assert note.title == f"Webinar Pembuka dimulai pukul {start:%H:%M} WIB"
    assert "meet.example.org" in note.body
    assert notification_scan(now=now + datetime.timedelta(minutes=5))[NotificationKind.SESSION_REMINDER] == 0
    assert _kinds(stranger) == [] and _kinds(completed) == [] and _kinds(withdrawn) == []


def test_scan_class_session_reminds_only_that_class(course, now):
    class_a = CourseClass.objects.create(course=course, name="Kelas A")
    in_a, in_b = (
        EnrollmentFactory(user=UserFactory(), course=course),
        EnrollmentFactory(user=UserFactory(), course=course),
    )
    ClassMembership.objects.create(enrollment=in_a, course_class=class_a)
    ClassMembership.objects.create(
        enrollment=in_b, course_class=CourseClass.objects.create(course=course, name="Kelas B")
    )
    LiveSessionPageFactory(
        parent=course,
        kind=SessionKind.CLASSROOM,
        venue="Aula BPSDM",
        course_class=class_a,
        starts_at=now + datetime.timedelta(minutes=30),
    )
    notification_scan(now=now)
    note = Notification.objects.get(kind=NotificationKind.SESSION_REMINDER)
    assert note.user == in_a.user and "Tempat: Aula BPSDM" in note.body


def test_scan_skips_archived_courses_and_reminds_a_moved_session_again(course, now):
    learner = EnrollmentFactory(user=UserFactory(), course=course).user
    session = LiveSessionPageFactory(parent=course, starts_at=now + datetime.timedelta(minutes=50))
    notification_scan(now=now)
    session.starts_at = now + datetime.timedelta(minutes=55)
    session.save()
    notification_scan(now=now)  # a new time is a new reminder
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER] * 2
    course.archived_at = now
    course.save()
    session.starts_at = now + datetime.timedelta(minutes=58)
    session.save()
    notification_scan(now=now)
    assert len(_kinds(learner)) == 2


def test_scan_reminds_learners_who_have_not_handed_in(course, now):
    waiting, done = (
        EnrollmentFactory(user=UserFactory(), course=course),
        EnrollmentFactory(user=UserFactory(), course=course),
    )
    due = _assignment(course, title="Laporan Magang", due_at=now + datetime.timedelta(hours=10))
    _assignment(course, title="Masih lama", due_at=now + datetime.timedelta(days=3))
    _hand_in(due, by=done.user, enrollment=done)
    counts = notification_scan(now=now)
    assert counts[NotificationKind.ASSIGNMENT_DUE] == 1
    note = Notification.objects.get(kind=NotificationKind.ASSIGNMENT_DUE)
    assert note.user == waiting.user and note.url == due.url and note.title.startswith("Tenggat tugas Laporan Magang")
    assert notification_scan(now=now)[NotificationKind.ASSIGNMENT_DUE] == 0


@override_settings(TASKS=IMMEDIATE)
def test_scan_command_runs_once_and_in_a_loop(course, now, django_capture_on_commit_callbacks):
    learner = EnrollmentFactory(user=UserFactory(), course=course).user
    LiveSessionPageFactory(parent=course, starts_at=timezone.now() + datetime.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_scan", verbosity=0)
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER] and len(mail.outbox) == 1
    call_command("notifications_scan", "--loop", "1", "--runs", "2", verbosity=0)
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER]
    from django.core.cache import cache

    assert cache.get(SCAN_CACHE_KEY)  # request triggers now know a scan just ran


@override_settings(TASKS=IMMEDIATE, SIGER_NOTIFICATION_SCAN_SECONDS=300)
def test_trigger_scans_at_most_once_per_interval(course, now):
    learner = EnrollmentFactory(user=UserFactory(), course=course).user
    LiveSessionPageFactory(parent=course, starts_at=now + datetime.timedelta(minutes=20))
    first, other_process = ScanTrigger(), ScanTrigger()
    assert first.fire() is True
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER]
    assert first.fire() is False  # this process: not before the interval has passed
    assert other_process.fire() is False  # another process: the shared cache says a scan just ran
    with override_settings(SIGER_NOTIFICATION_SCAN_SECONDS=0):
        assert ScanTrigger().fire() is False  # 0 turns it off


@override_settings(TASKS=IMMEDIATE, SIGER_NOTIFICATION_SCAN_SECONDS=300)
def test_a_finished_request_starts_the_scan(course, now, monkeypatch):
    learner = EnrollmentFactory(user=UserFactory(), course=course).user
    LiveSessionPageFactory(parent=course, starts_at=now + datetime.timedelta(minutes=20))
    monkeypatch.setattr(tasks, "scan_trigger", ScanTrigger())  # a fresh process: it has not looked yet
    assert client_for(UserFactory()).get(reverse("notifications:index")).status_code == 200
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER]


@pytest.mark.django_db(transaction=True)
@override_settings(SIGER_NOTIFICATION_SCAN_SECONDS=300)
def test_embedded_default_scans_beside_the_server_without_a_scheduler(catalogue, monkeypatch):
    """No worker, no scheduler: the thread backend runs the scan a finished request started."""
    import time

    from lms.factories import CoursePageFactory

    course = CoursePageFactory(parent=catalogue)
    learner = EnrollmentFactory(user=UserFactory(), course=course).user
    LiveSessionPageFactory(parent=course, starts_at=timezone.now() + datetime.timedelta(minutes=30))
    monkeypatch.setattr(tasks, "scan_trigger", ScanTrigger())
    assert client_for(UserFactory()).get(reverse("notifications:index")).status_code == 200
    deadline = time.monotonic() + 10
    while not Notification.objects.filter(user=learner).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _kinds(learner) == [NotificationKind.SESSION_REMINDER]
    while Notification.objects.filter(user=learner, emailed_at=None).exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # let the email thread finish with the database before the tables are flushed


# --- schedule changes --------------------------------------------------------------------------------------------


def test_publishing_a_moved_session_tells_its_learners(course, now):
    learners = [EnrollmentFactory(user=UserFactory(), course=course).user for _ in range(2)]
    withdrawn = EnrollmentFactory(user=UserFactory(), course=course, status=EnrollmentStatus.WITHDRAWN).user
    session = LiveSessionPageFactory(parent=course, title="Sesi Kebijakan", starts_at=now + datetime.timedelta(days=2))
    session.save_revision().publish()  # the first publish: nothing to compare with
    session.title = "Sesi Kebijakan Publik"
    session.save_revision().publish()  # a new title only: no news
    assert not Notification.objects.exists()

    session.starts_at += datetime.timedelta(hours=3)
    session.ends_at += datetime.timedelta(hours=3)
    revision = session.save_revision()
    revision.publish()
    notes = Notification.objects.filter(kind=NotificationKind.SESSION_CHANGED)
    assert sorted(notes.values_list("user", flat=True)) == sorted(u.pk for u in learners)
    start = timezone.localtime(session.starts_at)
    note = notes.first()
    assert note.url == session.url and f"{start:%H:%M}" in note.body and "WIB" in note.body
    assert _kinds(withdrawn) == []
    revision.publish()  # the same revision again: nothing new
    assert notes.count() == 2

    session.conference_url = "https://meet.example.org/baru"
    session.save_revision().publish()
    assert notes.count() == 4


def test_class_session_change_reaches_that_class_only_and_past_sessions_are_quiet(course, now):
    class_a = CourseClass.objects.create(course=course, name="Kelas A")
    in_a, other = (
        EnrollmentFactory(user=UserFactory(), course=course),
        EnrollmentFactory(user=UserFactory(), course=course),
    )
    ClassMembership.objects.create(enrollment=in_a, course_class=class_a)
    session = LiveSessionPageFactory(
        parent=course,
        kind=SessionKind.CLASSROOM,
        venue="Ruang 1",
        course_class=class_a,
        starts_at=now + datetime.timedelta(days=1),
    )
    session.save_revision().publish()
    session.venue = "Aula Utama"
    session.save_revision().publish()
    note = Notification.objects.get(kind=NotificationKind.SESSION_CHANGED)
    assert note.user == in_a.user and "Aula Utama" in note.body and _kinds(other.user) == []

    past = LiveSessionPageFactory(parent=course, starts_at=now - datetime.timedelta(days=2))
    past.save_revision().publish()
    past.starts_at -= datetime.timedelta(hours=1)
    past.save_revision().publish()
    assert Notification.objects.filter(kind=NotificationKind.SESSION_CHANGED).count() == 1


# --- activation emails of a large import ------------------------------------------------------------------------


def test_activation_of_2000_accounts_is_a_fixed_number_of_queries(db, django_capture_on_commit_callbacks):
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms.factories import nip_make
    from lms.models import User
    from lms.notifications.services import notification_activation_send

    User.objects.bulk_create(
        [
            User(
                nip=nip_make(seed=70000 + i),
                full_name=f"Baru {i}",
                email=f"baru{i}@x.go.id",
                password=make_password(None),
            )
            for i in range(2000)
        ]
    )
    ids = list(User.objects.filter(full_name__startswith="Baru ").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
        assert notification_activation_send(user_ids=ids) == 2000
    # SQLite binds at most 999 variables a statement, so Django splits the bulk writes there into batches: still
    # a few dozen queries for 2,000 people, never one (or more) per person.
    limit = 12 if connection.vendor == "postgresql" else 40
    assert len(queries.captured_queries) <= limit and len(callbacks) == 1  # one email task for everyone
    urls = set(Notification.objects.filter(kind=NotificationKind.ACCOUNT_ACTIVATION).values_list("url", flat=True))
    assert len(urls) == 2000 and all(url.startswith("/aktifkan/") for url in urls)
    assert notification_activation_send(user_ids=ids) == 0  # the import's first email goes once
