"""Compliance with the yearly JP target, per person and per OPD (issue 9, point 3). Reads only; JP from the ledger.

Rules (configurable figures in settings):
- Who counts: active accounts with the learner role (the ASN of the province; instructors and administrators
  are staff accounts).
- Target: a PNS SIGER_JP_TARGET_PER_YEAR JP in the calendar year (PP 11/2017 as amended, Pasal 203); a PPPK
  SIGER_PPPK_JP_TARGET JP in their contract year (from AsnProfile.contract_starts_on). The contract year of a
  year's report is the one running on its reference day: 31 December, or today while the year runs, so that an
  OPD sees the contract year its PPPK can still act on. A PPPK without a contract date is counted like a PNS.
- History: a person's year counts for the OPD of their latest learning in the period (the ledger's snapshot),
  so a later move does not rewrite a past year; a person without learning in the period counts for their
  current OPD.
- One SQL query (_placed_sql, plain SQL that PostgreSQL and SQLite both run) places everyone and sums their JP;
  the province page aggregates it per OPD in the database too (median included), so a province of 50,000 ASN
  returns some forty rows (tests/perf/compliance.py). On PostgreSQL migration 0006 adds a covering index for
  it. Ledger queries elsewhere go through lms.competence.jp; this one cannot, being one pass over everyone.
"""

from __future__ import annotations

import contextlib
import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from lms.competence.jp import ZERO, contract_year_bounds, report_reference_day, year_bounds
from lms.competence.models import AsnProfile, EntryStatus, LedgerEntry, PositionGroup
from lms.models import EmployeeType, Role, User, WorkUnit

Period = tuple[datetime.date, datetime.date]


@dataclass
class PersonYear:
    """One ASN's JP in the period of a year's report, against their target."""

    user_id: int
    name: str
    nip: str
    employee_type: str
    position_group: str
    unit_id: int | None
    period: Period
    target: int
    jp: Decimal = ZERO

    @property
    def reached(self) -> bool:
        return self.jp >= self.target

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(self.target) - self.jp, ZERO)


@dataclass
class UnitCompliance:
    """One OPD (or the province when unit_id is None) in a year's report."""

    unit_id: int | None
    name: str
    asn: int = 0
    reached: int = 0
    total_jp: Decimal = ZERO
    median_jp: Decimal = ZERO
    jp_values: list[Decimal] = field(default_factory=list, repr=False)

    @property
    def behind(self) -> int:
        return self.asn - self.reached

    @property
    def percent_reached(self) -> int:
        return round(100 * self.reached / self.asn) if self.asn else 0

    @property
    def share(self) -> Decimal:
        """Share that reached the target, 0–100 with one decimal."""
        return (Decimal(100 * self.reached) / self.asn).quantize(Decimal("0.1")) if self.asn else Decimal("0.0")

    @property
    def average_jp(self) -> Decimal:
        return (self.total_jp / self.asn).quantize(Decimal("0.1")) if self.asn else Decimal("0.0")


def compliance_targets() -> dict[str, int]:
    return {EmployeeType.PNS: settings.SIGER_JP_TARGET_PER_YEAR, EmployeeType.PPPK: settings.SIGER_PPPK_JP_TARGET}


def compliance_years(*, today: datetime.date | None = None, back: int = 5) -> list[int]:
    this_year = (today or timezone.localdate()).year
    return list(range(this_year, this_year - back, -1))


def _sql_value(value):
    """A value read by a raw query: SQLite hands back dates as text and sums as floats."""
    if isinstance(value, str) and len(value) == 10:
        return datetime.date.fromisoformat(value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value


def _placed_sql(*, year: int, today: datetime.date, user_ids: list[int] | None) -> tuple[str, list]:
    """The SQL (PostgreSQL and SQLite alike) of everyone counted in a year's report, one row each: their OPD of
    the year, JP in their period, period and target ("placed"); only `user_ids` when given. PPPK contract
    years come from the few distinct contract start dates, computed in Python (lms.competence.jp.
    contract_year_bounds) and joined as a VALUES table.

    Per person, the entries are summed per OPD snapshot (`pairs`, one pass over the window's entries, a PPPK's
    contract year found through a small hash of the contracts); the OPD of the year is that of the pair with the
    latest learning (ties: the OPD whose learning was recorded last); all pairs' JP add up."""
    calendar = year_bounds(year)
    reference = report_reference_day(year=year, today=today)
    targets = compliance_targets()
    user, profile, entry = User._meta.db_table, AsnProfile._meta.db_table, LedgerEntry._meta.db_table
    contract_days = (
        AsnProfile.objects.filter(user__employee_type=EmployeeType.PPPK, contract_starts_on__isnull=False)
        .values_list("contract_starts_on", flat=True)
        .distinct()
    )
    periods = {day: contract_year_bounds(contract_starts_on=day, on=reference) for day in contract_days}
    window = (
        min([calendar[0], *(p[0] for p in periods.values())]),
        max([calendar[1], *(p[1] for p in periods.values())]),
    )
    params: list = []
    sql = ["WITH "]
    pppk = EmployeeType.PPPK
    if periods:
        # One row per distinct contract start date: the contract year of the report. Written out where it is
        # used (no CTE) so that the planner sees its size, hashes it rather than the year's entries, and may
        # read the entries in parallel.
        values = ", ".join(["(%s, %s, %s)"] * len(periods))
        contracts = (
            f"(SELECT ap.user_id, pr.p_start, pr.p_end FROM {profile} ap "  # noqa: S608
            f"JOIN {user} cu ON cu.id = ap.user_id AND cu.employee_type = %s "
            "JOIN (SELECT column1 AS contract_on, column2 AS p_start, column3 AS p_end "
            f"FROM (VALUES {values}) AS v) pr ON pr.contract_on = ap.contract_starts_on)"
        )
        period_params = [pppk]
        for day, (start, end) in periods.items():
            period_params += [day, start, end]
        period_join = f"LEFT JOIN {contracts} k ON k.user_id = u.id"
        p_start, p_end = "COALESCE(k.p_start, %s)", "COALESCE(k.p_end, %s)"
        # An entry counts in its person's period: the contract year for a PPPK with one, else the calendar.
        pair_join = f"LEFT JOIN {contracts} k ON k.user_id = e.user_id"
        pair_period = (
            "AND ((k.user_id IS NULL AND e.ends_on >= %s AND e.ends_on <= %s) "
            "OR (e.ends_on >= k.p_start AND e.ends_on <= k.p_end))"
        )
    else:
        period_join, period_params, p_start, p_end = "", [], "%s", "%s"
        pair_join, pair_period = "", "AND e.ends_on >= %s AND e.ends_on <= %s"
    candidates, candidate_params, pair_filter = "", [], ""
    if user_ids is not None:
        # Named twice, so that the planner reads the entries of these people through competence_user_period.
        marks = ", ".join(["%s"] * len(user_ids))
        candidates, pair_filter = f"AND u.id IN ({marks})", f"AND e.user_id IN ({marks})"
        candidate_params = list(user_ids)
    sql.append(
        f"""people AS (
  SELECT u.id AS user_id, u.full_name, u.nip, u.employee_type, COALESCE(ap.position_group, %s) AS position_group,
         u.work_unit_id AS current_unit, {p_start} AS p_start, {p_end} AS p_end,
         CASE WHEN u.employee_type = %s THEN %s ELSE %s END AS target
  FROM {user} u LEFT JOIN {profile} ap ON ap.user_id = u.id {period_join}
  WHERE u.role = %s AND u.is_active {candidates}
),
pairs AS (
  SELECT e.user_id, e.work_unit_id, SUM(e.jp) AS jp, MAX(e.ends_on) AS last_day, MAX(e.id) AS last_id
  FROM {entry} e {pair_join}
  WHERE e.status = %s AND e.ends_on >= %s AND e.ends_on <= %s {pair_filter} {pair_period}
  GROUP BY e.user_id, e.work_unit_id
),
ranked_pairs AS (
  SELECT user_id, work_unit_id, SUM(jp) OVER (PARTITION BY user_id) AS total,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY last_day DESC, last_id DESC) AS rn
  FROM pairs
),
placed AS (
  SELECT p.user_id, p.full_name, p.nip, p.employee_type, p.position_group, p.p_start, p.p_end, p.target,
         COALESCE(rp.work_unit_id, p.current_unit) AS unit_id, COALESCE(rp.total, 0) AS jp
  FROM people p LEFT JOIN ranked_pairs rp ON rp.user_id = p.user_id AND rp.rn = 1
)"""  # noqa: S608
    )
    # In the order the placeholders appear: people (position default, calendar, target CASE, contracts, role,
    # candidates), then pairs (contracts, status, window, candidates, the calendar of those without a contract).
    params += [PositionGroup.EXECUTOR, calendar[0], calendar[1]]
    params += [pppk, targets[pppk], targets[EmployeeType.PNS], *period_params, Role.LEARNER, *candidate_params]
    params += [*period_params, EntryStatus.RECORDED, *window, *candidate_params, calendar[0], calendar[1]]
    return "".join(sql), params


def _unit_candidates(*, unit_id: int, year: int) -> list[int]:
    """Who may belong to an OPD in a year's report: its members now, and whoever learned there from the year
    before to the year after (every contract year of the report lies within); the history rule then decides."""
    learned_there = (
        LedgerEntry.objects.recorded()
        .filter(work_unit_id=unit_id, ends_on__gte=datetime.date(year - 1, 1, 1), ends_on__lte=year_bounds(year + 1)[1])
        .values("user_id")
    )
    people = User.objects.filter(role=Role.LEARNER, is_active=True).filter(
        Q(work_unit_id=unit_id) | Q(pk__in=learned_there)
    )
    return list(people.values_list("pk", flat=True))


@contextlib.contextmanager
def _report_cursor():
    """A cursor for one report query; on PostgreSQL with room to sort and hash a province in memory."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield cursor


def compliance_people(*, year: int, unit_id: int | None = None, today: datetime.date | None = None) -> list[PersonYear]:
    """Everyone counted in a year's report (or in one OPD's, by the history rule), with JP, target, period."""
    user_ids = None if unit_id is None else _unit_candidates(unit_id=unit_id, year=year)
    if user_ids == []:
        return []
    sql, params = _placed_sql(year=year, today=today or timezone.localdate(), user_ids=user_ids)
    sql += (
        " SELECT user_id, full_name, nip, employee_type, position_group, unit_id, p_start, p_end, target, jp "
        "FROM placed"
    )
    if unit_id is not None:
        sql += " WHERE unit_id = %s"
        params = [*params, unit_id]
    with _report_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        PersonYear(
            user_id=pk,
            name=name,
            nip=nip,
            employee_type=kind,
            position_group=group,
            unit_id=unit,
            period=(_sql_value(start), _sql_value(end)),
            target=int(target),
            jp=_sql_value(jp) if not isinstance(jp, Decimal) else jp,
        )
        for pk, name, nip, kind, group, unit, start, end, target, jp in rows
    ]


def compliance_units(
    *, year: int, today: datetime.date | None = None, people: list[PersonYear] | None = None
) -> tuple[list[UnitCompliance], UnitCompliance]:
    """Per OPD: ASN, how many reached their target, the median JP; and the province total. Aggregated in the
    database (the median by row numbers, which both PostgreSQL and SQLite have), or over `people` when given."""
    names = dict(WorkUnit.objects.values_list("pk", "name"))
    if people is not None:
        return _units_of(people, names)
    sql, params = _placed_sql(year=year, today=today or timezone.localdate(), user_ids=None)
    sql += """,
ranked AS (
  SELECT unit_id, jp, CASE WHEN jp >= target THEN 1 ELSE 0 END AS reached,
         ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY jp) AS pos, COUNT(*) OVER (PARTITION BY unit_id) AS n,
         ROW_NUMBER() OVER (ORDER BY jp) AS all_pos, COUNT(*) OVER () AS all_n
  FROM placed
)
SELECT 0, unit_id, COUNT(*), SUM(reached), SUM(jp), AVG(CASE WHEN pos IN ((n + 1) / 2, (n + 2) / 2) THEN jp END)
FROM ranked GROUP BY unit_id
UNION ALL
SELECT 1, NULL, COUNT(*), SUM(reached), SUM(jp),
       AVG(CASE WHEN all_pos IN ((all_n + 1) / 2, (all_n + 2) / 2) THEN jp END)
FROM ranked"""
    with _report_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    units, province = [], UnitCompliance(unit_id=None, name="")
    for is_total, unit_id, asn, reached, total, median in rows:
        row = province if is_total else UnitCompliance(unit_id=unit_id, name=names.get(unit_id, "–"))
        row.asn, row.reached = asn, int(reached or 0)
        row.total_jp = _decimal(total)
        row.median_jp = _decimal(median)
        if not is_total:
            units.append(row)
    return sorted(units, key=lambda u: (u.unit_id is None, u.name)), province


def _decimal(value) -> Decimal:
    """A sum or an average from the database as JP (two decimals)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(Decimal("0.01")).normalize() + ZERO


def _units_of(people: list[PersonYear], names: dict) -> tuple[list[UnitCompliance], UnitCompliance]:
    units: dict[int | None, UnitCompliance] = {}
    province = UnitCompliance(unit_id=None, name="")
    for person in people:
        unit = units.get(person.unit_id)
        if unit is None:
            unit = units[person.unit_id] = UnitCompliance(unit_id=person.unit_id, name=names.get(person.unit_id, "–"))
        for row in (unit, province):
            row.asn += 1
            row.reached += person.reached
            row.total_jp += person.jp
            row.jp_values.append(person.jp)
    for row in (*units.values(), province):
        row.median_jp = statistics.median(row.jp_values) if row.jp_values else ZERO
        row.jp_values = []
    return sorted(units.values(), key=lambda u: (u.unit_id is None, u.name)), province


# ?urut= of the OPD page: the key and whether it runs from high to low.
PERSON_ORDERS = {
    "kurang": (lambda p: (p.shortfall, p.name), True),
    "jp": (lambda p: (p.jp, p.name), False),
    "nama": (lambda p: (p.name.lower(), p.nip), False),
    "nip": (lambda p: p.nip, False),
}


def compliance_order(people: Iterable[PersonYear], *, order: str) -> list[PersonYear]:
    """People sorted by a ?urut= key (unknown keys: the largest shortfall first)."""
    key, reverse = PERSON_ORDERS.get(order, PERSON_ORDERS["kurang"])
    return sorted(people, key=key, reverse=reverse)
