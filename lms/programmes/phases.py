"""The phases of a programme run as sections of its course path: a step opens when its phase starts (as well as
after the step before it, for a sequential course). Read by lms.selectors.course_path."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from lms.programmes.models import CoursePhase


def phase_dates(
    *, starts_on: datetime.date, offset_days: int, duration_days: int
) -> tuple[datetime.date, datetime.date]:
    """A phase's first and last day from a run's first day: both days count, so 7 days end 6 days later."""
    start = starts_on + datetime.timedelta(days=offset_days)
    return start, start + datetime.timedelta(days=max(duration_days, 1) - 1)


def phase_is_open(phase: CoursePhase | None, today: datetime.date) -> bool:
    """Whether the steps of a phase may be opened on `today` (a phase without a start date is always open)."""
    return phase is None or phase.starts_on is None or phase.starts_on <= today


def course_phases(*, course_id: int) -> dict[int, CoursePhase]:
    """A run's phases by id, in their order: one query, whatever the number of steps."""
    return {phase.pk: phase for phase in CoursePhase.objects.filter(course_id=course_id).order_by("sort_order", "pk")}


def phases_digest(phases: Iterable[CoursePhase]) -> str:
    """Changes when a phase's name or dates change: part of the rendered path's cache key (the phases are edited
    on the course page, whose publication does not change the steps' own fingerprint)."""
    data = repr([(p.pk, p.name, p.starts_on, p.ends_on) for p in phases])
    return hashlib.blake2b(data.encode(), digest_size=8).hexdigest()
