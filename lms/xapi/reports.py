"""Per-activity reports for instructors: attempts, best and last score per learner, CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import ActivityAttempt, ActivityResult, User
from lms.xapi.intake import Placement


@dataclass
class ReportRow:
    user: User
    attempts: int
    best_percent: float | None
    last_percent: float | None
    last_at: object
    passed: bool


def activity_report_rows(*, placement: Placement) -> list[ReportRow]:
    """One row per learner who attempted the activity, ordered by name."""
    attempts = (
        ActivityAttempt.objects.filter(module_id=placement.module.pk, block_id=placement.block_id)
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    passed = set(
        ActivityResult.objects.filter(
            module_id=placement.module.pk, block_id=placement.block_id, passed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    rows: dict[int, ReportRow] = {}
    for attempt in attempts:
        row = rows.get(attempt.user_id)
        if row is None:
            row = rows[attempt.user_id] = ReportRow(attempt.user, 0, None, None, None, attempt.user_id in passed)
        row.attempts += 1
        if attempt.percent is not None:
            row.best_percent = max(row.best_percent or attempt.percent, attempt.percent)
        row.last_percent, row.last_at = attempt.percent, attempt.created_at
    return sorted(rows.values(), key=lambda r: r.user.full_name.lower())


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def activity_report_csv(*, placement: Placement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("NIP"),
            _("Nama"),
            _("Percobaan"),
            _("Nilai terbaik (%)"),
            _("Nilai terakhir (%)"),
            _("Terakhir"),
            _("Lulus"),
        ]
    )
    for row in activity_report_rows(placement=placement):
        last = timezone.localtime(row.last_at).strftime("%Y-%m-%d %H:%M") if row.last_at else ""
        writer.writerow(
            [
                _cell(row.user.nip),
                _cell(row.user.full_name),
                row.attempts,
                _cell(row.best_percent),
                _cell(row.last_percent),
                last,
                _("Ya") if row.passed else _("Tidak"),
            ]
        )
    return buffer.getvalue()
