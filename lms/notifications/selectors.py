"""Reads of notifications: always one person's own."""

from __future__ import annotations

from django.db.models import QuerySet

from lms.models import User
from lms.notifications.models import Notification, NotificationKind, NotificationPreference


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def notification_preferences(*, user: User) -> list[tuple[str, str, bool]]:
    """(kind, label, email on) for every kind; no stored row means on."""
    off = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [(kind.value, str(kind.label), kind.value not in off) for kind in NotificationKind]
