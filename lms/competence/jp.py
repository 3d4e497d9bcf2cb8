"""How many JP has a person earned in a period: the one answer, read from the ledger and nothing else.

A period is inclusive and counts an entry by the day its learning ended. Counter-entries (negative JP) count too,
so a revoked certificate's JP leave the period they were counted in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from lms.competence.models import LedgerEntry

ZERO = Decimal("0")


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def jp_total(*, user_id: int, start: datetime.date, end: datetime.date) -> Decimal:
    """A person's JP in a period."""
    total = (
        LedgerEntry.objects.recorded().ended_between(start, end).filter(user_id=user_id).aggregate(jp=Sum("jp"))["jp"]
    )
    return total or ZERO


def jp_per_user(
    *, start: datetime.date, end: datetime.date, user_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """JP in a period for many people at once (only those with entries appear)."""
    entries = LedgerEntry.objects.recorded().ended_between(start, end)
    if user_ids is not None:
        entries = entries.filter(user_id__in=list(user_ids))
    return dict(entries.values_list("user_id").annotate(jp=Sum("jp")).values_list("user_id", "jp"))


def contract_year_bounds(
    *, contract_starts_on: datetime.date, on: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The PPPK contract year running on `on` (the first one when the contract starts later).

    A contract year begins each year on the month and day the contract began; a contract that began on
    29 February begins its later years on 1 March when the year has no 29 February."""
    day = max(on, contract_starts_on)
    anchor = (contract_starts_on.month, contract_starts_on.day)
    start_year = day.year if (day.month, day.day) >= anchor else day.year - 1
    return _anniversary(contract_starts_on, start_year), _anniversary(
        contract_starts_on, start_year + 1
    ) - datetime.timedelta(days=1)


def _anniversary(start: datetime.date, year: int) -> datetime.date:
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a year without it
        return datetime.date(year, 3, 1)


def report_reference_day(*, year: int, today: datetime.date) -> datetime.date:
    """The day a year's report is judged on: 31 December, or today while the year is running."""
    return min(year_bounds(year)[1], today)


def person_period(*, user, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period a person's target runs over on a day: a PPPK's contract year (from AsnProfile), else the
    calendar year (PNS, and a PPPK whose contract start is not known)."""
    from lms.competence.models import AsnProfile
    from lms.models import EmployeeType

    if user.employee_type == EmployeeType.PPPK:
        starts_on = AsnProfile.objects.filter(user=user).values_list("contract_starts_on", flat=True).first()
        if starts_on is not None:
            return contract_year_bounds(contract_starts_on=starts_on, on=on)
    return year_bounds(on.year)


def person_target(*, user) -> int:
    """The JP a person must reach in their period: SIGER_PPPK_JP_TARGET for a PPPK, else SIGER_JP_TARGET_PER_YEAR."""
    from django.conf import settings

    from lms.models import EmployeeType

    if user.employee_type == EmployeeType.PPPK:
        return settings.SIGER_PPPK_JP_TARGET
    return settings.SIGER_JP_TARGET_PER_YEAR
