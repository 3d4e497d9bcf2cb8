"""Queued work of notifications: emails (retried on failure), an import's activation emails, and the scan."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

BACKEND = "notifications"
MAX_ATTEMPTS = 5
# Set by every scan, whoever ran it (the scheduler process or a request's trigger), for the interval: while it
# is there, no request starts another.
SCAN_CACHE_KEY = "notifications:scan:last"


@task(backend=BACKEND)
def notification_email_task(notification_ids: list[int], attempt: int = 1) -> int:
    """Send the email of each notification not emailed yet; the failed ones are queued again, later."""
    from lms.notifications.services import notification_email_send

    failed = notification_email_send(notification_ids=notification_ids)
    if failed and attempt < MAX_ATTEMPTS:
        # The in-app rows exist already; only the email waits for the mail server to come back.
        delay = timedelta(seconds=settings.SIGER_NOTIFICATION_RETRY_SECONDS * attempt)
        backend = notification_email_task.get_backend()
        if backend.supports_defer:
            notification_email_task.using(run_after=timezone.now() + delay).enqueue(failed, attempt + 1)
        else:
            logger.warning("notification email failed for %s; no deferred retry on this backend", failed)
    return len(notification_ids) - len(failed)


@task(backend=BACKEND)
def notification_activation_task(user_ids: list[int]) -> int:
    """The activation emails of an import's new accounts."""
    from lms.notifications.services import notification_activation_send

    return notification_activation_send(user_ids=user_ids)


@task(backend=BACKEND)
def notification_scan_task() -> dict[str, int]:
    from lms.notifications.services import notification_scan

    return notification_scan(now=timezone.now())


def scan_mark_done(*, seconds: int) -> None:
    """Tell every process sharing the cache that a scan just ran (the scheduler calls this after each run)."""
    cache.set(SCAN_CACHE_KEY, timezone.now().isoformat(), timeout=max(1, seconds))


class ScanTrigger:
    """Starts the scan from a finished request, at most once per SIGER_NOTIFICATION_SCAN_SECONDS.

    The embedded default has no scheduler process; requests are the only clock it has. A process looks at the
    cache at most once per interval (a monotonic deadline in memory, so a busy site pays nothing per request),
    and cache.add lets only one process win when several look at once. The scan itself is a task: the thread
    backend runs it beside the server, the database queue hands it to the worker."""

    def __init__(self) -> None:
        self._next_look = 0.0
        self._lock = threading.Lock()

    def fire(self) -> bool:
        interval = settings.SIGER_NOTIFICATION_SCAN_SECONDS
        if interval <= 0:
            return False
        with self._lock:
            now = time.monotonic()
            if now < self._next_look:
                return False
            self._next_look = now + interval
        if not cache.add(SCAN_CACHE_KEY, timezone.now().isoformat(), timeout=interval):
            return False  # another process (or the scheduler) scanned within the interval
        notification_scan_task.enqueue()
        return True


scan_trigger = ScanTrigger()
