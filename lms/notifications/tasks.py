"""Queued work of notifications: the email of one or many notifications, retried on failure."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

logger = logging.getLogger(__name__)

BACKEND = "notifications"
MAX_ATTEMPTS = 5


@task(backend=BACKEND)
def notification_email_task(notification_ids: list[int], attempt: int = 1) -> int:
    """Send the email of each notification not emailed yet; the failed ones are queued again, later."""
    from lms.notifications.services import notification_email_send

    failed = notification_email_send(notification_ids=notification_ids)
    if failed and attempt < MAX_ATTEMPTS:
        # The in-app rows exist already; only the email waits for the mail server to come back.
        delay = timedelta(seconds=settings.SIGER_NOTIFICATION_RETRY_SECONDS * attempt)
        from django.utils import timezone

        backend = notification_email_task.get_backend()
        if backend.supports_defer:
            notification_email_task.using(run_after=timezone.now() + delay).enqueue(failed, attempt + 1)
        else:
            logger.warning("notification email failed for %s; no deferred retry on this backend", failed)
    return len(notification_ids) - len(failed)
