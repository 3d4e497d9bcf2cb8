import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.factories import EnrollmentFactory, UserFactory, nip_make
from lms.models import EnrollmentStatus, User
from lms.notifications.models import Notification, NotificationKind, NotificationPreference
from lms.notifications.services import (
    notification_email_send,
    notification_preferences_set,
    notification_send,
    notification_send_bulk,
)
from lms.services import certificate_issue, enrollment_create
from tests.conftest import client_for

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notifications": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
pytestmark = pytest.mark.django_db


def _send(user, **kw):
    kw = {"kind": NotificationKind.ENROLLMENT, "title": "Halo", "body": "Isi", "url": "/pelatihan/x/", **kw}
    return notification_send(user=user, **kw)


@override_settings(TASKS=IMMEDIATE, WAGTAILADMIN_BASE_URL="https://siger.example.go.id")
def test_send_stores_row_and_emails_after_commit(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _send(learner)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1 and notification.read_at is None
    (message,) = mail.outbox
    assert message.to == [learner.email] and message.subject == "Halo"
    assert "https://siger.example.go.id/pelatihan/x/" in message.body
    assert "https://siger.example.go.id/notifikasi/pengaturan/" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://siger.example.go.id/pelatihan/x/"' in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@override_settings(TASKS=IMMEDIATE)
def test_preference_off_keeps_in_app_row_but_no_email(learner, django_capture_on_commit_callbacks):
    notification_preferences_set(user=learner, email_by_kind={NotificationKind.ENROLLMENT: False})
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(learner) is not None
        _send(learner, kind=NotificationKind.CERTIFICATE_ISSUED)  # other kinds still mail
        _send(learner, title="Wajib", email_always=True)  # e.g. account activation
    assert Notification.objects.filter(user=learner).count() == 3
    assert sorted(m.subject for m in mail.outbox) == ["Halo", "Wajib"]


def test_dedupe_key_sends_once(learner):
    assert _send(learner, dedupe_key="s:1") is not None
    assert _send(learner, dedupe_key="s:1") is None
    assert _send(learner, dedupe_key="s:2") is not None
    assert _send(learner) is not None and _send(learner) is not None  # no key: no dedupe
    assert Notification.objects.filter(user=learner).count() == 4


@override_settings(TASKS=IMMEDIATE)
def test_bulk_ten_thousand_in_batched_inserts_and_one_enqueue(db, django_capture_on_commit_callbacks):
    User.objects.bulk_create(
        [User(nip=nip_make(seed=50000 + i), full_name=f"P{i}", email=f"p{i}@x.go.id") for i in range(10_000)]
    )
    users = list(User.objects.filter(full_name__startswith="P"))
    quiet = users[0]
    NotificationPreference.objects.create(user=quiet, kind=NotificationKind.SESSION_CHANGED, email=False)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
        sent = notification_send_bulk(
            users=users, kind=NotificationKind.SESSION_CHANGED, title="Jadwal berubah", dedupe_key="s:9"
        )
    # PostgreSQL: INSERT ... ON CONFLICT DO NOTHING; SQLite: INSERT OR IGNORE INTO.
    inserts = [
        q for q in queries.captured_queries if q["sql"].startswith("INSERT") and "notifications_notif" in q["sql"]
    ]
    # SQLite caps the variables of one statement (999 here): Django splits there, ~111 rows an insert.
    most = 5 if connection.vendor == "postgresql" else 100
    assert sent == 10_000 and 1 <= len(inserts) <= most and len(callbacks) == 1
    assert Notification.objects.filter(kind=NotificationKind.SESSION_CHANGED).count() == 10_000
    # The same scan again adds nothing.
    assert notification_send_bulk(users=users, kind=NotificationKind.SESSION_CHANGED, title="x", dedupe_key="s:9") == 0


@override_settings(EMAIL_BACKEND="tests.notifications.slow_email.BrokenEmailBackend")
def test_failed_send_keeps_row_and_reports_for_retry(learner):
    notification = _send(learner)
    assert notification_email_send(notification_ids=[notification.pk]) == [notification.pk]
    notification.refresh_from_db()
    assert notification.emailed_at is None and Notification.objects.filter(pk=notification.pk).exists()


def test_enrollment_and_certificate_notify_after_commit(course, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(user=learner, course=course)
        assert not Notification.objects.exists()  # lms announces it once the enrollment is committed
    assert Notification.objects.get(user=learner, kind=NotificationKind.ENROLLMENT).url == course.url
    Notification.objects.all().delete()
    other = EnrollmentFactory(
        user=UserFactory(), course=course, status=EnrollmentStatus.COMPLETED, completed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(enrollment=other)
    note = Notification.objects.get(kind=NotificationKind.CERTIFICATE_ISSUED)
    assert note.user == other.user and certificate.number in note.body
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issue(enrollment=other)  # idempotent: no second notification
    assert Notification.objects.filter(kind=NotificationKind.CERTIFICATE_ISSUED).count() == 1


def test_views_only_own_notifications(learner):
    mine, theirs = _send(learner), _send(UserFactory(), title="Rahasia")
    client = client_for(learner)
    page = client.get(reverse("notifications:index")).content.decode()
    assert "Halo" in page and "Rahasia" not in page
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    _send(learner, title="Dua")
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=learner, read_at=None).exists()
    assert theirs.read_at is None


def test_preferences_page(learner):
    client = client_for(learner)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    keep = [k for k in NotificationKind.values if k != NotificationKind.SESSION_REMINDER]
    assert client.post(reverse("notifications:preferences"), {"email": keep}).status_code == 302
    assert list(NotificationPreference.objects.filter(user=learner, email=False).values_list("kind", flat=True)) == [
        NotificationKind.SESSION_REMINDER
    ]
    anon = client_for(learner)
    anon.logout()
    assert anon.get(reverse("notifications:index")).status_code == 302


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.notifications.slow_email.SlowEmailBackend")
def test_email_is_sent_after_commit_without_blocking():
    """The embedded default: the thread backend; the sender returns long before the slow mail server answers."""
    from lms.notifications.tasks import notification_email_task

    user = UserFactory()
    started = time.monotonic()
    with transaction.atomic():
        _send(user)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 and mail.outbox == []
    notification_email_task.get_backend().last_thread.join(10)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_database_queue_drained_by_db_worker():
    """Production: the email waits in django_tasks_db's table until `db_worker` runs it."""
    database = {**IMMEDIATE, "notifications": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database):
        from django_tasks_db.models import DBTaskResult

        user = UserFactory()
        with transaction.atomic():
            _send(user)
        assert mail.outbox == [] and DBTaskResult.objects.count() == 1
        # Arguments as on the command line (the Procfile line): argparse validates them as strings.
        call_command(
            "db_worker",
            "--backend",
            "notifications",
            "--queue-name",
            "*",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )
        assert len(mail.outbox) == 1
        assert Notification.objects.get(user=user).emailed_at is not None


def test_bell_shows_unread_count(learner):
    _send(learner)
    _send(learner, title="Dua")
    page = client_for(learner).get(reverse("notifications:index")).content.decode()
    assert 'id="notification-bell"' in page and 'id="notification-unread">2<' in page


def test_demo_seed_is_idempotent(learner):
    from lms.notifications.demo import demo_seed_notifications

    assert demo_seed_notifications(learner=learner) == len(NotificationKind)
    assert demo_seed_notifications(learner=learner) == 0
