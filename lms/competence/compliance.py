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
- The people, their periods, OPDs and JP come from lms.competence.jp (jp_year_people_sql, the bulk form of "how
  many JP has this person in this period", where the rules above are written); the province page aggregates
  them per OPD in the database too (median included), so a province of 50,000 ASN returns some forty rows
  (tests/perf/compliance.py).
"""

from __future__ import annotations

import contextlib
import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from lms.competence.jp import ZERO, jp_year_people_sql, year_bounds
from lms.competence.models import AsnProfile, LedgerEntry, LedgerYear
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


def _unit_candidates(*, unit_id: int, year: int) -> list[int]:
    """Who may belong to an OPD in a year's report (the history rule of lms.competence.jp then decides): its
    members now; whoever's calendar year counts there (LedgerYear); and PPPK with a contract year who learned
    there from the year before to the year after (every contract year of the report lies within)."""
    counted_there = LedgerYear.objects.filter(year=year, work_unit_id=unit_id).values("user_id")
    by_contract = AsnProfile.objects.filter(
        user__employee_type=EmployeeType.PPPK, contract_starts_on__isnull=False
    ).values("user_id")
    learned_there = (
        LedgerEntry.objects.recorded()
        .filter(user_id__in=by_contract, work_unit_id=unit_id)
        .filter(ends_on__gte=datetime.date(year - 1, 1, 1), ends_on__lte=year_bounds(year + 1)[1])
        .values("user_id")
    )
    people = User.objects.filter(role=Role.LEARNER, is_active=True).filter(
        Q(work_unit_id=unit_id) | Q(pk__in=counted_there) | Q(pk__in=learned_there)
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
    sql, params = jp_year_people_sql(year=year, today=today or timezone.localdate(), user_ids=user_ids)
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
    database (the median: percentile_cont on PostgreSQL, row numbers on SQLite, which lacks it; the same tests
    check both), or over `people` when given."""
    names = dict(WorkUnit.objects.values_list("pk", "name"))
    if people is not None:
        return _units_of(people, names)
    sql, params = jp_year_people_sql(year=year, today=today or timezone.localdate(), user_ids=None)
    if connection.vendor == "postgresql":
        # One pass: an ordered-set median per OPD and for the province (grouping sets), without the two sorts of
        # the whole province that the row-number median below needs (tests/perf/compliance.py).
        sql += """
SELECT CASE WHEN GROUPING(unit_id) = 1 THEN 1 ELSE 0 END, unit_id, COUNT(*),
       SUM(CASE WHEN jp >= target THEN 1 ELSE 0 END), SUM(jp), percentile_cont(0.5) WITHIN GROUP (ORDER BY jp)
FROM placed GROUP BY GROUPING SETS ((unit_id), ())"""
    else:
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
