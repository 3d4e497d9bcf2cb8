"""How many JP has a person earned in a period: the one answer, read from the ledger and nothing else.

A period is inclusive and counts an entry by the day its learning ended. Counter-entries (negative JP) count too,
so a revoked certificate's JP leave the period they were counted in.

Three forms of the same answer: one person (`jp_total`), many people in one period, by kind of learning when
asked (`jp_per_user`, `jp_sums`), and everyone in their own period of a year's report (`jp_year_people_sql`,
the SQL the compliance report and the IP ASN estimate build on)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum

from lms.competence.models import AsnProfile, EntryStatus, LedgerEntry, LedgerYear, PositionGroup
from lms.models import EmployeeType, Role, User

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


def jp_sums(
    *, kinds: dict[str, Q], end: datetime.date, user_ids: Iterable[int] | None = None, within: Q | None = None
) -> dict[int, dict[str, Decimal]]:
    """JP per person of several kinds at once, each kind a filter on the entries (its period among them), over
    the entries that ended by `end` (and match `within`); people without any such entry are left out."""
    entries = LedgerEntry.objects.recorded().filter(ends_on__lte=end)
    if within is not None:
        entries = entries.filter(within)
    if user_ids is not None:
        entries = entries.filter(user_id__in=list(user_ids))
    sums = {name: Sum("jp", filter=q) for name, q in kinds.items()}
    return {
        row.pop("user_id"): {name: value or ZERO for name, value in row.items()}
        for row in entries.values("user_id").annotate(**sums).order_by()
    }


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
    if user.employee_type == EmployeeType.PPPK:
        starts_on = AsnProfile.objects.filter(user=user).values_list("contract_starts_on", flat=True).first()
        if starts_on is not None:
            return contract_year_bounds(contract_starts_on=starts_on, on=on)
    return year_bounds(on.year)


def person_target(*, user) -> int:
    """The JP a person must reach in their period: SIGER_PPPK_JP_TARGET for a PPPK, else SIGER_JP_TARGET_PER_YEAR."""
    return jp_targets()[EmployeeType.PPPK if user.employee_type == EmployeeType.PPPK else EmployeeType.PNS]


def jp_targets() -> dict[str, int]:
    """The JP target by kind of ASN (a PPPK's runs over the contract year, a PNS's over the calendar year)."""
    return {EmployeeType.PNS: settings.SIGER_JP_TARGET_PER_YEAR, EmployeeType.PPPK: settings.SIGER_PPPK_JP_TARGET}


def jp_year_people_sql(*, year: int, today: datetime.date, user_ids: list[int] | None) -> tuple[str, list]:
    """The bulk form for a year's report: SQL (PostgreSQL and SQLite alike) of a WITH clause whose CTE `placed`
    holds everyone counted, one row each: user_id, full_name, nip, employee_type, position_group, p_start, p_end
    (their period), target, unit_id (the OPD the year counts for), jp (in their period). Only `user_ids` when
    given. Who is counted: active accounts with the learner role (the province's ASN; staff accounts are not).

    Periods: the calendar year; for a PPPK with a contract date, the contract year running on the report's
    reference day (31 December, or today while the year runs), so that an OPD sees the contract year its PPPK
    can still act on. The history rule: a person's year counts for the OPD snapshot of their latest entry in the
    period (the latest day; on one day, the entry recorded last); a person without learning in the period counts
    for their current OPD.

    Calendar-year people read LedgerYear (one row per person and year, kept by triggers); PPPK with a contract
    year, which straddles two calendar years, read their entries."""
    calendar = year_bounds(year)
    reference = report_reference_day(year=year, today=today)
    targets = jp_targets()
    pppk = EmployeeType.PPPK
    user, profile = User._meta.db_table, AsnProfile._meta.db_table
    entry, totals = LedgerEntry._meta.db_table, LedgerYear._meta.db_table
    contract_days = (
        AsnProfile.objects.filter(user__employee_type=pppk, contract_starts_on__isnull=False)
        .values_list("contract_starts_on", flat=True)
        .distinct()
    )
    periods = {day: contract_year_bounds(contract_starts_on=day, on=reference) for day in contract_days}
    sql: list[str] = []
    params: list = []

    def add(fragment: str, *values) -> None:
        sql.append(fragment)
        params.extend(values)

    def only(column: str) -> None:
        if user_ids is not None:
            add(f" AND {column} IN ({', '.join(['%s'] * len(user_ids))})", *user_ids)

    add("WITH people AS (SELECT u.id AS user_id, u.full_name, u.nip, u.employee_type, ")
    add("COALESCE(ap.position_group, %s) AS position_group, u.work_unit_id AS current_unit, ", PositionGroup.EXECUTOR)
    if periods:
        add("COALESCE(k.p_start, %s) AS p_start, COALESCE(k.p_end, %s) AS p_end, ", *calendar)
        add("CASE WHEN k.p_start IS NULL THEN 0 ELSE 1 END AS by_contract, ")
    else:
        add("%s AS p_start, %s AS p_end, 0 AS by_contract, ", *calendar)
    add("CASE WHEN u.employee_type = %s THEN %s ELSE %s END AS target ", pppk, targets[pppk], targets[EmployeeType.PNS])
    add(f"FROM {user} u LEFT JOIN {profile} ap ON ap.user_id = u.id ")
    if periods:
        # The contract year of the report, from the few distinct contract start dates (a VALUES table).
        add(
            "LEFT JOIN (SELECT column1 AS contract_on, column2 AS p_start, column3 AS p_end FROM (VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s)"] * len(periods))
            + ") AS v) k ON u.employee_type = %s AND k.contract_on = ap.contract_starts_on ",
            *(value for day, (start, end) in periods.items() for value in (day, start, end)),
            pppk,
        )
    add("WHERE u.role = %s AND u.is_active", Role.LEARNER)
    only("u.id")
    add(")")
    if periods:
        # Per PPPK with a contract year: the JP of their entries in it and the OPD of the latest.
        add(
            ", by_contract AS (SELECT user_id, unit_id, jp FROM ("  # noqa: S608 - placeholders, names from models
            "SELECT e.user_id, e.work_unit_id AS unit_id, SUM(e.jp) OVER (PARTITION BY e.user_id) AS jp, "
            "ROW_NUMBER() OVER (PARTITION BY e.user_id ORDER BY e.ends_on DESC, e.id DESC) AS rn "
            f"FROM people p JOIN {entry} e ON e.user_id = p.user_id "
            "WHERE p.by_contract = 1 AND e.status = %s AND e.ends_on >= p.p_start AND e.ends_on <= p.p_end "
            "AND e.ends_on >= %s AND e.ends_on <= %s) c WHERE rn = 1)",
            EntryStatus.RECORDED,
            min(p[0] for p in periods.values()),
            max(p[1] for p in periods.values()),
        )
    add(
        ", placed AS (SELECT p.user_id, p.full_name, p.nip, p.employee_type, p.position_group, p.p_start, "
        "p.p_end, p.target, "
    )
    if periods:
        add(
            "CASE WHEN p.by_contract = 1 THEN COALESCE(c.unit_id, p.current_unit) "
            "ELSE COALESCE(y.work_unit_id, p.current_unit) END AS unit_id, "
            "CASE WHEN p.by_contract = 1 THEN COALESCE(c.jp, 0) ELSE COALESCE(y.jp, 0) END AS jp "
            f"FROM people p LEFT JOIN {totals} y ON y.user_id = p.user_id AND y.year = %s AND p.by_contract = 0 "
            "LEFT JOIN by_contract c ON c.user_id = p.user_id)",
            year,
        )
    else:
        add(
            "COALESCE(y.work_unit_id, p.current_unit) AS unit_id, COALESCE(y.jp, 0) AS jp "
            f"FROM people p LEFT JOIN {totals} y ON y.user_id = p.user_id AND y.year = %s)",
            year,
        )
    return "".join(sql), params
