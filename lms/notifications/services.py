"""Sending notifications: the in-app row now, the email through the task queue after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry, Revision

from lms.models import CoursePage, Enrollment, EnrollmentStatus, LiveSessionPage, SessionKind, User
from lms.notifications.models import Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

__all__ = [
    "NotificationKind",
    "notification_send",
    "notification_send_bulk",
    "notification_send_each",
    "notification_mark_read",
    "notification_mark_all_read",
    "notification_preferences_set",
    "notification_activation_send",
    "notification_scan",
    "notification_session_changed_send",
]


def _email_wanted(*, user_ids: list[int], kind: str) -> set[int]:
    """Who of user_ids gets an email for kind: everyone with an address, unless they turned the kind off."""
    off = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )
    with_address = set(User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", flat=True))
    return with_address - off


def _email_enqueue(notification_ids: list[int]) -> None:
    if not notification_ids:
        return
    from lms.notifications.tasks import notification_email_task

    # After commit: the worker must find the rows, and a rolled-back action must not send anything.
    transaction.on_commit(lambda: notification_email_task.enqueue(notification_ids))


def notification_send(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    email_always: bool = False,
) -> Notification | None:
    """Store an in-app notification and queue its email (per the user's preference, or always); None if a dupe."""
    kind = NotificationKind(kind)
    if dedupe_key and Notification.objects.filter(user=user, kind=kind, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, title=title[:255], body=body, url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None  # a concurrent send with the same dedupe_key won
    if user.email and (email_always or user.pk in _email_wanted(user_ids=[user.pk], kind=kind)):
        _email_enqueue([notification.pk])
    return notification


def notification_send_bulk(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    email_always: bool = False,
) -> int:
    """The same notification to many people: one insert, one enqueue. Returns how many were new."""
    kind = NotificationKind(kind)
    user_ids = list(dict.fromkeys(u.pk for u in users))
    if dedupe_key:
        already = set(
            Notification.objects.filter(user_id__in=user_ids, kind=kind, dedupe_key=dedupe_key).values_list(
                "user_id", flat=True
            )
        )
        user_ids = [pk for pk in user_ids if pk not in already]
    if not user_ids:
        return 0
    rows = [
        Notification(user_id=pk, kind=kind, title=title[:255], body=body, url=url, dedupe_key=dedupe_key)
        for pk in user_ids
    ]
    with transaction.atomic():
        # ignore_conflicts: a concurrent scan inserting the same dedupe_key loses quietly instead of failing.
        Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=bool(dedupe_key))
    if email_always:
        wanted = set(User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", flat=True))
    else:
        wanted = _email_wanted(user_ids=user_ids, kind=kind)
    if wanted:
        if dedupe_key:
            ids = Notification.objects.filter(user_id__in=wanted, kind=kind, dedupe_key=dedupe_key, emailed_at=None)
            _email_enqueue(list(ids.values_list("pk", flat=True)))
        else:
            _email_enqueue([row.pk for row in rows if row.user_id in wanted])
    return len(user_ids)


@dataclass(frozen=True)
class NotificationDraft:
    """One person's own notification among many of a kind (each with its own text or link). The dedupe_key is
    required: it makes a repeat harmless and finds the rows again after the bulk insert."""

    user: User
    title: str
    dedupe_key: str
    body: str = ""
    url: str = ""


def notification_send_each(*, kind: str, drafts: Iterable[NotificationDraft], email_always: bool = False) -> int:
    """Personal notifications of one kind to many: one insert, one enqueue. Returns how many were new."""
    kind = NotificationKind(kind)
    drafts = [d for d in drafts if d.dedupe_key]
    already = set(
        Notification.objects.filter(
            kind=kind, user_id__in={d.user.pk for d in drafts}, dedupe_key__in={d.dedupe_key for d in drafts}
        ).values_list("user_id", "dedupe_key")
    )
    rows = {
        (d.user.pk, d.dedupe_key): Notification(
            user=d.user, kind=kind, title=d.title[:255], body=d.body, url=d.url, dedupe_key=d.dedupe_key
        )
        for d in drafts
        if (d.user.pk, d.dedupe_key) not in already
    }
    if not rows:
        return 0
    with transaction.atomic():
        # ignore_conflicts: a concurrent send of the same key loses quietly (and leaves primary keys unset).
        Notification.objects.bulk_create(rows.values(), batch_size=2000, ignore_conflicts=True)
    user_ids = list({user_id for user_id, _key in rows})
    if email_always:
        wanted = set(User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", flat=True))
    else:
        wanted = _email_wanted(user_ids=user_ids, kind=kind)
    pending = Notification.objects.filter(
        kind=kind, user_id__in=wanted, dedupe_key__in={key for _u, key in rows}, emailed_at=None
    ).values_list("pk", "user_id", "dedupe_key")
    _email_enqueue([pk for pk, user_id, key in pending if (user_id, key) in rows])
    return len(rows)


def _absolute(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def notification_email_send(*, notification_ids: list[int]) -> list[int]:
    """Send the emails (run by the queue). Returns the ids whose send failed, to be tried again."""
    failed: list[int] = []
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at=None).select_related("user")
    preferences_url = _absolute(reverse("notifications:preferences"))
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for notification in pending.iterator(chunk_size=500):
            if not notification.user.email:
                continue
            context = {
                "notification": notification,
                "link": _absolute(notification.url),
                "preferences_url": preferences_url,
                "user": notification.user,
            }
            message = EmailMultiAlternatives(
                subject=notification.title,
                body=render_to_string("notifications/email.txt", context),
                to=[notification.user.email],
                connection=connection,
            )
            message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
            try:
                message.send()
            except Exception:  # any mail-server failure: keep the row, retry later
                logger.exception("notification %s: email failed", notification.pk)
                failed.append(notification.pk)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return failed


def notification_mark_read(*, user: User, notification: Notification) -> None:
    """Mark one of the user's own notifications read (the view fetched it through the user's own queryset)."""
    Notification.objects.filter(pk=notification.pk, user=user, read_at=None).update(read_at=timezone.now())


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def notification_preferences_set(*, user: User, email_by_kind: dict[str, bool]) -> None:
    """Store the email on/off choice for each kind given."""
    for kind, email in email_by_kind.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=NotificationKind(kind), defaults={"email": email}
        )


# --- Account activation ----------------------------------------------------------------------------------------------


def notification_activation_send(*, user_ids: list[int], resend: bool = False) -> int:
    """Email each account of user_ids that is still to be activated (and has an address) its activation link.
    The first send is once per account; a resend is news each time (the caller throttles it)."""
    from lms.accounts.selectors import accounts_not_activated
    from lms.accounts.services import account_activation_path

    stamp = f":{timezone.now():%Y%m%d%H%M%S%f}" if resend else ""
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in accounts_not_activated().filter(pk__in=user_ids).exclude(email=""):
            path = account_activation_path(user=user)
            drafts.append(
                NotificationDraft(
                    user=user,
                    title=_("Aktifkan akun Siger Anda"),
                    body=_("Buka tautan ini untuk membuat kata sandi: %(url)s") % {"url": _absolute(path)},
                    url=path,
                    dedupe_key=f"activation:{user.pk}{stamp}",
                )
            )
    return notification_send_each(kind=NotificationKind.ACCOUNT_ACTIVATION, drafts=drafts, email_always=True)


# --- Scans: reminders before a session starts and before an assignment is due ---------------------------------------

SESSION_REMINDER_WINDOW = timedelta(hours=1)


def _session_course(session: LiveSessionPage) -> CoursePage | None:
    """The session's course, when learners may still be reminded of it (published, not archived)."""
    course = CoursePage.objects.filter(pk=session.get_parent().pk).first()
    if course is None or not course.live or course.is_archived:
        return None
    return course


def _session_learners(*, session: LiveSessionPage, course: CoursePage) -> QuerySet[User]:
    """Active learners of the course; of its class only, for a class's session."""
    enrollments = Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.ACTIVE)
    if session.course_class_id is not None:
        enrollments = enrollments.filter(class_membership__course_class_id=session.course_class_id)
    return User.objects.filter(is_active=True, pk__in=enrollments.values("user_id"))


def _session_when(session: LiveSessionPage) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    if start.date() == end.date():
        return f"{date_format(start, 'l, j F Y H:i')}–{date_format(end, 'H:i')} WIB"
    return f"{date_format(start, 'l, j F Y H:i')} – {date_format(end, 'l, j F Y H:i')} WIB"


def _session_where(session: LiveSessionPage) -> str:
    if session.kind == SessionKind.CLASSROOM:
        return _("Tempat: %(venue)s") % {"venue": session.venue or "–"}
    if session.conference_url:
        return _("Daring: %(url)s") % {"url": session.conference_url}
    return _("Daring, di ruang sesi Siger.")


def notification_scan(*, now: datetime) -> dict[str, int]:
    """Reminders due at `now`: sessions starting within the hour, assignments due within 24 hours. Idempotent:
    each reminder has a dedupe_key naming its session or assignment and the time it was for, so a scan run
    twice sends nothing new, and a session or deadline moved later is reminded of again."""
    from lms.assignments.selectors import assignment_reminder_targets

    counts = {NotificationKind.SESSION_REMINDER.value: 0, NotificationKind.ASSIGNMENT_DUE.value: 0}
    sessions = LiveSessionPage.objects.live().filter(starts_at__gt=now, starts_at__lte=now + SESSION_REMINDER_WINDOW)
    with translation.override(settings.LANGUAGE_CODE):
        for session in sessions.order_by("starts_at", "pk"):
            course = _session_course(session)
            if course is None:
                continue
            counts[NotificationKind.SESSION_REMINDER] += notification_send_bulk(
                users=_session_learners(session=session, course=course),
                kind=NotificationKind.SESSION_REMINDER,
                title=_("%(title)s dimulai pukul %(time)s WIB")
                % {"title": session.title, "time": date_format(timezone.localtime(session.starts_at), "H:i")},
                body=f"{_session_when(session)}\n{_session_where(session)}",
                url=session.url or "",
                dedupe_key=f"session:{session.pk}:{session.starts_at:%Y%m%d%H%M}",
            )
        by_assignment: dict[int, tuple[object, list[User]]] = {}
        for user, assignment in assignment_reminder_targets(now=now):
            by_assignment.setdefault(assignment.pk, (assignment, []))[1].append(user)
        for assignment, users in by_assignment.values():
            due = timezone.localtime(assignment.due_at)
            counts[NotificationKind.ASSIGNMENT_DUE] += notification_send_bulk(
                users=users,
                kind=NotificationKind.ASSIGNMENT_DUE,
                title=_("Tenggat tugas %(title)s: %(when)s WIB")
                % {"title": assignment.title, "when": date_format(due, "l, j F H:i")},
                body=_("Anda belum mengumpulkan tugas ini. Kumpulkan sebelum tenggat."),
                url=assignment.url or "",
                dedupe_key=f"assignment_due:{assignment.pk}:{assignment.due_at:%Y%m%d%H%M}",
            )
    return counts


# --- A session's schedule changed ------------------------------------------------------------------------------------

# What learners plan around: a publish that changes one of these is news.
SESSION_SCHEDULE_FIELDS = ("starts_at", "ends_at", "kind", "venue", "conference_url")
# Log actions of a revision going live (an editor's publish, or a scheduled one reaching its time).
PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


def _previously_published(*, session: LiveSessionPage, revision: Revision) -> LiveSessionPage | None:
    """The session as its previous publish left it. Wagtail logs each publish with its revision, after the
    page_published signal: the newest such entry other than this revision is the one before."""
    entry = (
        PageLogEntry.objects.filter(page_id=session.pk, action__in=PUBLISH_ACTIONS, revision__isnull=False)
        .exclude(revision_id=revision.pk)
        .select_related("revision")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return entry.revision.as_object() if entry is not None else None


def _schedule(session: LiveSessionPage) -> tuple:
    """What learners plan around, to the second: a stored revision keeps milliseconds, a page in memory may hold
    microseconds, and editors set minutes."""
    return tuple(
        value.replace(microsecond=0) if isinstance(value, datetime) else value
        for value in (getattr(session, field) for field in SESSION_SCHEDULE_FIELDS)
    )


def notification_session_changed_send(
    *, session: LiveSessionPage, revision: Revision, now: datetime | None = None
) -> int:
    """When this publish moved a session that is still to come (time, kind, place or link), tell its learners."""
    if not isinstance(session, LiveSessionPage):
        return 0
    now = now or timezone.now()
    if session.ends_at <= now:
        return 0  # a correction of the record after the fact, not news
    previous = _previously_published(session=session, revision=revision)
    if previous is None:
        return 0  # first publish: nobody was told a schedule yet
    if _schedule(previous) == _schedule(session):
        return 0
    course = _session_course(session)
    if course is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return notification_send_bulk(
            users=_session_learners(session=session, course=course),
            kind=NotificationKind.SESSION_CHANGED,
            title=_("Jadwal sesi %(title)s berubah") % {"title": session.title},
            body=_("Jadwal terbaru: %(when)s\n%(where)s")
            % {"when": _session_when(session), "where": _session_where(session)},
            url=session.url or "",
            dedupe_key=f"session_changed:{session.pk}:{revision.pk}",
        )
