"""Sending notifications: the in-app row now, the email through the task queue after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from lms.models import User
from lms.notifications.models import Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

__all__ = [
    "NotificationKind",
    "notification_send",
    "notification_send_bulk",
    "notification_mark_read",
    "notification_mark_all_read",
    "notification_preferences_set",
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
