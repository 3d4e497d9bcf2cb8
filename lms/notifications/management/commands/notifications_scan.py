"""Send the reminders that are due (sessions within the hour, assignments due within 24 hours).

Once: `python manage.py notifications_scan`. In production a process of its own repeats it (Procfile "scheduler"):
`python manage.py notifications_scan --loop` (every SIGER_NOTIFICATION_SCAN_SECONDS) or `--loop SECONDS`."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from lms.notifications.services import notification_scan
from lms.notifications.tasks import scan_mark_done

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Kirim pengingat sesi (1 jam sebelum mulai) dan tenggat tugas (24 jam sebelumnya)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop",
            nargs="?",
            type=int,
            const=-1,
            metavar="SECONDS",
            help="Repeat every SECONDS (no value: SIGER_NOTIFICATION_SCAN_SECONDS, or 300 when that is 0).",
        )
        parser.add_argument("--runs", type=int, default=0, help="With --loop: stop after this many runs (0: never).")

    def handle(self, *args, loop: int | None = None, runs: int = 0, **options) -> None:
        self.verbosity = options["verbosity"]
        if loop is None:
            self._scan(interval=settings.SIGER_NOTIFICATION_SCAN_SECONDS)
            return
        if loop == 0:
            raise CommandError("--loop needs a positive number of seconds.")
        interval = loop if loop > 0 else (settings.SIGER_NOTIFICATION_SCAN_SECONDS or 300)
        done = 0
        while True:
            started = time.monotonic()
            try:
                self._scan(interval=interval)
            except Exception:  # one bad run (database away, a page that fails) must not stop the scheduler
                logger.exception("notification scan failed")
                close_old_connections()  # drop a broken connection: the next run opens a new one
            done += 1
            if runs and done >= runs:
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    def _scan(self, *, interval: int) -> None:
        counts = notification_scan(now=timezone.now())
        if interval > 0:
            scan_mark_done(seconds=interval)
        if self.verbosity:
            summary = " ".join(f"{kind}={count}" for kind, count in counts.items())
            self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} {summary}")
