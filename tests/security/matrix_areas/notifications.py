"""Access-matrix rows for lms.notifications (see tests/security/matrix_areas/__init__.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

NAMESPACE = "notifications"
SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
# The enrolled learner's own notification: only they may mark it read; for anyone else it does not exist (404).
OWN = rule(LOGIN, DENY, OK, DENY, DENY, DENY, DENY)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "notifications:index": {"GET": SIGNED_IN},
    "notifications:read": {"POST": OWN},
    "notifications:read_all": {"POST": SIGNED_IN},
    "notifications:preferences": {"GET": SIGNED_IN, "POST": SIGNED_IN},
}
POST_BODIES: dict[str, dict[str, str]] = {"notifications:preferences": {"email": "enrollment"}}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from lms.notifications.models import NotificationKind
    from lms.notifications.services import notification_send

    world.extra["notification"] = notification_send(
        user=world.people["enrolled"], kind=NotificationKind.SESSION_REMINDER, title="Sesi segera dimulai"
    )


def urls(world) -> dict[str, str]:
    return {
        "notifications:index": reverse("notifications:index"),
        "notifications:read": reverse("notifications:read", args=[world.extra["notification"].pk]),
        "notifications:read_all": reverse("notifications:read_all"),
        "notifications:preferences": reverse("notifications:preferences"),
    }
