"""The yearly JP totals (LedgerYear) that database triggers keep from the ledger, on PostgreSQL and SQLite alike:
whichever way an entry is written, the totals equal the ledger summed (checked against an independent sum)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection

from lms.competence.models import EntrySource, EntryStatus, LearningRoute, LedgerEntry, LedgerYear
from lms.competence.services import ledger_reverse, ledger_years_differences
from lms.factories import UserFactory, WorkUnitFactory

pytestmark = pytest.mark.django_db


def _entry(user, *, unit, day, jp, status=EntryStatus.RECORDED, **extra) -> LedgerEntry:
    return LedgerEntry(
        user=user,
        nip=user.nip,
        work_unit=unit,
        employee_type=user.employee_type,
        starts_on=day,
        ends_on=day,
        jp=Decimal(jp),
        route=LearningRoute.CLASSICAL,
        form="pelatihan",
        title=extra.pop("title", "Pelatihan Tata Naskah Dinas"),
        source=EntrySource.SUBMISSION,
        status=status,
        **extra,
    )


def _independent(user) -> dict[int, tuple]:
    """Per year: JP, entries and the OPD of the latest entry, summed here in Python from the ledger."""
    years: dict[int, list] = {}
    for e in sorted(LedgerEntry.objects.filter(user=user, status="recorded"), key=lambda e: (e.ends_on, e.pk)):
        row = years.setdefault(e.ends_on.year, [Decimal(0), 0, None])
        row[0] += e.jp
        row[1] += 1
        row[2] = e.work_unit_id
    return {year: tuple(row) for year, row in years.items()}


def _stored(user) -> dict[int, tuple]:
    return {y.year: (y.jp, y.entries, y.work_unit_id) for y in LedgerYear.objects.filter(user=user)}


def test_when_entries_are_added_approved_reversed_edited_and_deleted_then_the_totals_follow_the_ledger():
    person = UserFactory()
    opd_a, opd_b = WorkUnitFactory(name="Dinas A"), WorkUnitFactory(name="Dinas B")
    first = _entry(person, unit=opd_a, day=datetime.date(2025, 3, 1), jp="8")
    first.save()
    assert _stored(person) == {2025: (Decimal("8"), 1, opd_a.pk)}

    # Waiting learning counts once approved (an update of its status), and moves the year to its OPD.
    waiting = _entry(person, unit=opd_b, day=datetime.date(2025, 9, 1), jp="4.5", status=EntryStatus.WAITING)
    waiting.save()
    assert _stored(person) == {2025: (Decimal("8"), 1, opd_a.pk)}
    waiting.status = EntryStatus.RECORDED
    waiting.save()
    assert _stored(person) == {2025: (Decimal("12.5"), 2, opd_b.pk)}

    # A counter-entry (same dates) takes the JP back; a title edit moves nothing.
    ledger_reverse(entry=first, by=None, reason="Sertifikat dicabut")
    LedgerEntry.objects.filter(pk=waiting.pk).update(title="Judul yang dibetulkan")
    assert _stored(person)[2025][:2] == (Decimal("4.5"), 3)

    # Bulk writes, an earlier day (does not move the OPD), another year.
    LedgerEntry.objects.bulk_create(
        [
            _entry(person, unit=opd_a, day=datetime.date(2025, 1, 5), jp="2"),
            _entry(person, unit=opd_a, day=datetime.date(2026, 2, 2), jp="3"),
        ]
    )
    assert _stored(person) == _independent(person)
    assert _stored(person)[2025][2] == opd_b.pk  # 1 September stays the latest learning of 2025

    # Edits around the services (the admin, a repair) and deletes recompute the years they touch.
    LedgerEntry.objects.filter(pk=waiting.pk).update(ends_on=datetime.date(2026, 12, 1))
    assert _stored(person) == _independent(person)
    assert _stored(person)[2026][2] == opd_b.pk
    LedgerEntry.objects.filter(user=person, ends_on__year=2026).delete()
    assert 2026 not in _stored(person)
    assert _stored(person) == _independent(person)
    assert ledger_years_differences() == []


def test_on_one_day_the_entry_recorded_last_decides_the_opd():
    person = UserFactory()
    opd_a, opd_b = WorkUnitFactory(name="Dinas A"), WorkUnitFactory(name="Dinas B")
    day = datetime.date(2025, 6, 1)
    _entry(person, unit=opd_b, day=day, jp="2").save()
    _entry(person, unit=opd_a, day=day, jp="2").save()
    _entry(person, unit=opd_b, day=day - datetime.timedelta(days=30), jp="2").save()
    assert _stored(person) == {2025: (Decimal("6"), 3, opd_a.pk)}


def test_the_check_command_finds_a_damaged_total_and_rebuild_repairs_it(capsys):
    person = UserFactory()
    _entry(person, unit=None, day=datetime.date(2025, 5, 5), jp="6").save()
    call_command("competence_totals")
    LedgerYear.objects.filter(user=person).update(jp=Decimal("99"))
    with pytest.raises(CommandError, match="1 yearly totals differ"):
        call_command("competence_totals")
    assert "jp 99.00 != 6.00" in capsys.readouterr().out
    call_command("competence_totals", "--rebuild")
    assert _stored(person) == {2025: (Decimal("6"), 1, None)}
    assert ledger_years_differences() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_persons_year_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    person = UserFactory()
    unit = WorkUnitFactory()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                _entry(person, unit=unit, day=datetime.date(2025, 1 + n, 1 + i), jp="1.5").save()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _stored(person) == {2025: (Decimal("60"), 40, unit.pk)}
    assert ledger_years_differences() == []
