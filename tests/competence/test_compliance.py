"""Compliance per OPD (issue 9, point 3) and the IP ASN averages, checked against 1,000 generated ASN in 30 OPDs
whose expected figures are computed here in plain Python over the generated data (not by the code under test)."""

from __future__ import annotations

import datetime
import io
import random
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.competence.compliance import compliance_people, compliance_units
from lms.competence.estimate import estimate_units
from lms.competence.jp import contract_year_bounds
from lms.competence.models import (
    AsnProfile,
    EntrySource,
    EntryStatus,
    LearningRoute,
    LedgerEntry,
    UnitRole,
)
from lms.factories import UserFactory, WorkUnitFactory
from lms.models import EmployeeType, Role, User, WorkUnit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(2026, 3, 15)  # the 2025 report is judged on 31 December 2025
REFERENCE = datetime.date(2025, 12, 31)
GROUPS = ["jpt", "administrator", "pengawas", "fungsional", "pelaksana"]
# Title -> the position group it is level training for (None: not level training). Written out, not matched.
TITLES: dict[str, tuple[str, str | None]] = {
    "Bimtek Pengelolaan Keuangan Daerah": ("bimtek", None),
    "Pelatihan Analisis Beban Kerja": ("pelatihan", None),
    "Kursus Bahasa Inggris Pelayanan Publik": ("kursus", None),
    "E-learning Manajemen ASN": ("e_learning", None),
    "Seminar Transformasi Digital": ("seminar", None),
    "Workshop Penyusunan SOP": ("workshop", None),
    "Webinar SPBE": ("webinar", None),
    "Coaching Kinerja": ("coaching", None),
    "Magang di Kementerian": ("magang", None),
    "Pelatihan Kepemimpinan Administrator (PKA)": ("pelatihan", "administrator"),
    "Pelatihan Kepemimpinan Pengawas (PKP)": ("pelatihan", "pengawas"),
    "PKN Tingkat II": ("pelatihan", "jpt"),
    "Pelatihan Fungsional Analis Kebijakan": ("pelatihan", "fungsional"),
}
TECHNICAL = {"pelatihan", "kursus", "bimtek", "e_learning", "jarak_jauh"}
SEMINARS = {"seminar", "workshop", "webinar"}
# The point table seeded by migration 0006 (PermenPANRB 38/2018 scheme, unconfirmed values).
POINTS = {
    "struktural_fungsional": {"level": 15, "technical": 15, "seminar": 10},
    "pelaksana": {"level": 0, "technical": 25, "seminar": 15},
}
JP_CHOICES = ["1", "2", "2.5", "3", "4", "6", "8", "10", "12", "16", "20", "24"]


@dataclass
class Person:
    user: User
    kind: str
    group: str
    contract_starts_on: datetime.date | None
    current_unit: WorkUnit
    entries: list[LedgerEntry] = field(default_factory=list)


def _next_anniversary_after(start: datetime.date, year: int) -> datetime.date:
    if start.month == 2 and start.day == 29:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return datetime.date(year, 2, 29) if leap else datetime.date(year, 3, 1)
    return datetime.date(year, start.month, start.day)


def expected_period(person: Person) -> tuple[datetime.date, datetime.date]:
    if person.kind != "pppk" or person.contract_starts_on is None:
        return datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    starts = [person.contract_starts_on] + [
        _next_anniversary_after(person.contract_starts_on, y)
        for y in range(person.contract_starts_on.year + 1, REFERENCE.year + 2)
    ]
    begun = [s for s in starts if s <= REFERENCE] or [person.contract_starts_on]
    start = begun[-1]
    following = next(s for s in starts if s > start)
    return start, following - datetime.timedelta(days=1)


def expected_unit_and_jp(person: Person) -> tuple[int, Decimal]:
    start, end = expected_period(person)
    counted = [e for e in person.entries if e.status == "recorded" and start <= e.ends_on <= end]
    jp = sum((e.jp for e in counted), Decimal("0"))
    if not counted:
        return person.current_unit.pk, jp
    # The OPD snapshot of the latest entry: the latest day, and on one day the entry recorded last.
    latest = max(counted, key=lambda e: (e.ends_on, e.pk))
    return (latest.work_unit_id or person.current_unit.pk), jp


def expected_points(person: Person) -> Decimal:
    kind = "pelaksana" if person.group == "pelaksana" else "struktural_fungsional"
    recorded = [e for e in person.entries if e.status == "recorded" and e.ends_on <= REFERENCE]
    in_year = [e for e in recorded if e.ends_on.year == YEAR]
    level_jp = sum((e.jp for e in recorded if TITLES[e.title][1] == person.group), Decimal("0"))
    technical_jp = sum((e.jp for e in in_year if e.form in TECHNICAL and TITLES[e.title][1] is None), Decimal("0"))
    seminar_jp = sum((e.jp for e in in_year if e.form in SEMINARS), Decimal("0"))
    points = 0
    points += POINTS[kind]["level"] if level_jp > 0 else 0
    points += POINTS[kind]["technical"] if technical_jp >= 20 else 0
    points += POINTS[kind]["seminar"] if seminar_jp > 0 else 0
    return Decimal(points)


def _random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def generate(seed: int = 2025, size: int = 1000, opds: int = 30) -> tuple[list[Person], list[WorkUnit]]:
    rng = random.Random(seed)
    units = WorkUnit.objects.bulk_create([WorkUnit(name=f"OPD Uji {n:02d}") for n in range(1, opds + 1)])
    users, people = [], []
    for n in range(size):
        kind = "pppk" if rng.random() < 0.25 else "pns"
        user = User(
            nip=str(198001012005011000 + n),
            full_name=f"ASN Uji {n:04d}",
            employee_type=kind,
            work_unit=rng.choice(units),
            role=Role.LEARNER,
            is_active=rng.random() > 0.02,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    profiles = []
    for user in users:
        group = rng.choice(GROUPS)
        contract = None
        if user.employee_type == "pppk" and rng.random() < 0.9:
            contract = rng.choice(
                [datetime.date(2024, 2, 29), datetime.date(2023, 4, 1), datetime.date(2025, 7, 1)]
                + [_random_day(rng, datetime.date(2021, 1, 1), datetime.date(2025, 11, 30))]
            )
        profiles.append(AsnProfile(user=user, position_group=group, contract_starts_on=contract))
        people.append(Person(user, user.employee_type, group, contract, user.work_unit))
    AsnProfile.objects.bulk_create(profiles)
    entries = []
    for person in people:
        # One in ten moved OPD on a day of 2025: learning before counts for the old OPD.
        moved_on = (
            _random_day(rng, datetime.date(2025, 2, 1), datetime.date(2025, 11, 30)) if rng.random() < 0.1 else None
        )
        old_unit = rng.choice(units)
        for _ in range(rng.randint(0, 9)):
            title = rng.choice(list(TITLES))
            form = TITLES[title][0]
            ends_on = _random_day(rng, datetime.date(2024, 1, 1), datetime.date(2026, 2, 28))
            unit = old_unit if moved_on and ends_on < moved_on else person.current_unit
            if rng.random() < 0.03:
                unit = None
            status = rng.choices(["recorded", "waiting", "rejected"], weights=[85, 10, 5])[0]
            entry = LedgerEntry(
                user=person.user,
                nip=person.user.nip,
                work_unit=unit,
                employee_type=person.kind,
                starts_on=ends_on - datetime.timedelta(days=rng.randint(0, 3)),
                ends_on=ends_on,
                jp=Decimal(rng.choice(JP_CHOICES)),
                route=LearningRoute.CLASSICAL,
                form=form,
                title=title,
                source=EntrySource.SUBMISSION,
                status=status,
            )
            entries.append(entry)
            person.entries.append(entry)
    LedgerEntry.objects.bulk_create(entries)
    reversals = []
    for person in people:
        for entry in list(person.entries):
            if entry.status == "recorded" and rng.random() < 0.04:
                reversal = LedgerEntry(
                    user=person.user,
                    nip=entry.nip,
                    work_unit=entry.work_unit,
                    employee_type=entry.employee_type,
                    starts_on=entry.starts_on,
                    ends_on=entry.ends_on,
                    jp=-entry.jp,
                    route=entry.route,
                    form=entry.form,
                    title=entry.title,
                    source=EntrySource.REVERSAL,
                    status=EntryStatus.RECORDED,
                    reverses=entry,
                )
                reversals.append(reversal)
                person.entries.append(reversal)
    LedgerEntry.objects.bulk_create(reversals)
    # Staff accounts learn too but are not counted.
    staff = UserFactory(role=Role.INSTRUCTOR, work_unit=units[0])
    LedgerEntry.objects.create(
        user=staff,
        nip=staff.nip,
        work_unit=units[0],
        starts_on=datetime.date(2025, 5, 1),
        ends_on=datetime.date(2025, 5, 1),
        jp=Decimal("30"),
        route=LearningRoute.CLASSICAL,
        form="pelatihan",
        title="Pelatihan Analisis Beban Kerja",
        source=EntrySource.SUBMISSION,
        status=EntryStatus.RECORDED,
    )
    return [p for p in people if p.user.is_active], units


@pytest.fixture
def province():
    return generate()


def _expected_by_unit(people: list[Person]) -> dict[int, dict]:
    by_unit: dict[int, dict] = {}
    for person in people:
        unit_id, jp = expected_unit_and_jp(person)
        target = 24 if person.kind == "pppk" else 20
        row = by_unit.setdefault(unit_id, {"asn": 0, "reached": 0, "jp": [], "points": []})
        row["asn"] += 1
        row["reached"] += jp >= target
        row["jp"].append(jp)
        row["points"].append(expected_points(person))
    return by_unit


def test_compliance_of_1000_asn_in_30_opds_matches_an_independent_count(province):
    people, units = province
    expected = _expected_by_unit(people)
    rows, total = compliance_units(year=YEAR, today=TODAY)
    got = {row.unit_id: row for row in rows}
    assert set(got) == set(expected) and len(got) == 30
    for unit_id, row in expected.items():
        assert (got[unit_id].asn, got[unit_id].reached) == (row["asn"], row["reached"]), unit_id
        assert got[unit_id].median_jp == statistics.median(row["jp"]), unit_id
        assert got[unit_id].share == (Decimal(100 * row["reached"]) / row["asn"]).quantize(Decimal("0.1"))
    all_jp = [jp for row in expected.values() for jp in row["jp"]]
    assert total.asn == len(people) == sum(row["asn"] for row in expected.values())
    assert total.reached == sum(row["reached"] for row in expected.values())
    assert total.median_jp == statistics.median(all_jp)
    # The fixture is not degenerate: both outcomes, PPPK and movers are present.
    assert 0 < total.reached < total.asn
    assert any(p.kind == "pppk" and p.contract_starts_on for p in people)


def test_each_opd_page_lists_the_people_the_history_rule_places_there(province):
    people, units = province
    placed: dict[int, set[int]] = {}
    for person in people:
        placed.setdefault(expected_unit_and_jp(person)[0], set()).add(person.user.pk)
    for unit in units[:6]:
        got = compliance_people(year=YEAR, unit_id=unit.pk, today=TODAY)
        assert {p.user_id for p in got} == placed.get(unit.pk, set()), unit.name
        jp_of = {p.user.pk: expected_unit_and_jp(p)[1] for p in people}
        assert all(p.jp == jp_of[p.user_id] for p in got)


def test_ip_asn_averages_per_opd_and_province_match_an_independent_computation(province):
    people, _units = province
    expected = _expected_by_unit(people)
    rows, total = estimate_units(year=YEAR, today=TODAY)
    got = {row.unit_id: row for row in rows}
    for unit_id, row in expected.items():
        average = (sum(row["points"]) / len(row["points"])).quantize(Decimal("0.01"))
        assert got[unit_id].average == average, unit_id
    all_points = [p for row in expected.values() for p in row["points"]]
    assert total.average == (sum(all_points) / len(all_points)).quantize(Decimal("0.01"))
    assert total.baseline == Decimal("26.53")
    assert len(set(all_points)) > 3  # several combinations of components occur


# --- Scoping, the history rule, PPPK contract years ---------------------------------------------------------


def _entry(user, *, unit, day, jp, form="pelatihan", title="Pelatihan Analisis Beban Kerja", status="recorded"):
    return LedgerEntry.objects.create(
        user=user,
        nip=user.nip,
        work_unit=unit,
        employee_type=user.employee_type,
        starts_on=day,
        ends_on=day,
        jp=Decimal(jp),
        route=LearningRoute.CLASSICAL,
        form=form,
        title=title,
        source=EntrySource.SUBMISSION,
        status=status,
    )


def test_the_head_of_one_opd_sees_only_that_opd(administrator):
    opd_a, opd_b = WorkUnitFactory(name="Dinas A"), WorkUnitFactory(name="Dinas B")
    head = UserFactory(work_unit=opd_a)
    UnitRole.objects.create(user=head, work_unit=opd_a, kind="head")
    verifier = UserFactory(work_unit=opd_b)
    UnitRole.objects.create(user=verifier, work_unit=opd_b, kind="verifier")
    UserFactory(work_unit=opd_a, full_name="Pegawai Dinas A")
    UserFactory(work_unit=opd_b, full_name="Pegawai Dinas B")
    a_url = reverse("competence:compliance_unit", args=[opd_a.pk])
    b_url = reverse("competence:compliance_unit", args=[opd_b.pk])

    page = client_for(head).get(a_url, {"tampil": "semua"})
    assert page.status_code == 200 and "Pegawai Dinas A" in page.content.decode()
    assert "Pegawai Dinas B" not in page.content.decode()
    assert client_for(head).get(b_url).status_code == 403
    assert client_for(head).get(b_url, {"format": "xlsx"}).status_code == 403
    assert client_for(verifier).get(b_url).status_code == 200
    assert client_for(verifier).get(a_url).status_code == 403
    # The province page sends a head to their OPD; a plain learner is refused; BPSDM sees every OPD.
    province_url = reverse("competence:compliance_province")
    assert client_for(head).get(province_url)["Location"] == a_url
    assert client_for(UserFactory(work_unit=opd_a)).get(province_url).status_code == 403
    page = client_for(administrator).get(province_url).content.decode()
    assert "Dinas A" in page and "Dinas B" in page and 'id="province-total"' in page
    assert client_for(administrator).get(reverse("competence:compliance_unit", args=[999999])).status_code == 404


def test_a_move_between_opds_does_not_rewrite_the_year_of_the_learning(administrator):
    old, new = WorkUnitFactory(name="Dinas Lama"), WorkUnitFactory(name="Dinas Baru")
    person = UserFactory(work_unit=old, full_name="Pindah OPD")
    _entry(person, unit=old, day=datetime.date(2024, 5, 2), jp="21")
    person.work_unit = new
    person.save()
    _entry(person, unit=new, day=datetime.date(2025, 3, 1), jp="4")
    _entry(person, unit=old, day=datetime.date(2025, 2, 1), jp="6")  # before the move, same year

    last_year = {u.name: u for u in compliance_units(year=2024, today=TODAY)[0]}
    assert last_year["Dinas Lama"].asn == 1 and last_year["Dinas Lama"].reached == 1 and "Dinas Baru" not in last_year
    this_year = {u.name: u for u in compliance_units(year=2025, today=TODAY)[0]}
    assert this_year["Dinas Baru"].asn == 1 and this_year["Dinas Baru"].total_jp == Decimal("10")
    assert "Dinas Lama" not in this_year
    assert [p.name for p in compliance_people(year=2024, unit_id=old.pk, today=TODAY)] == ["Pindah OPD"]
    assert compliance_people(year=2024, unit_id=new.pk, today=TODAY) == []


def test_a_pppk_is_judged_on_the_contract_year_against_the_pppk_target(settings):
    settings.SIGER_PPPK_JP_TARGET = 24
    unit = WorkUnitFactory(name="Dinas Kontrak")
    pppk = UserFactory(work_unit=unit, employee_type=EmployeeType.PPPK)
    AsnProfile.objects.create(user=pppk, contract_starts_on=datetime.date(2023, 4, 1))
    pns = UserFactory(work_unit=unit)
    _entry(pppk, unit=unit, day=datetime.date(2025, 3, 31), jp="20")  # the contract year before
    _entry(pppk, unit=unit, day=datetime.date(2025, 4, 1), jp="22")
    _entry(pppk, unit=unit, day=datetime.date(2026, 3, 1), jp="2")  # same contract year, next calendar year
    _entry(pns, unit=unit, day=datetime.date(2025, 6, 1), jp="22")

    people = {p.user_id: p for p in compliance_people(year=2025, unit_id=unit.pk, today=TODAY)}
    assert people[pppk.pk].period == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    assert (people[pppk.pk].jp, people[pppk.pk].target, people[pppk.pk].reached) == (Decimal("24"), 24, True)
    assert (people[pns.pk].jp, people[pns.pk].target, people[pns.pk].reached) == (Decimal("22"), 20, True)
    # While 2025 runs (judged today, 1 March 2025) the contract year running then counts.
    early = {p.user_id: p for p in compliance_people(year=2025, unit_id=unit.pk, today=datetime.date(2025, 3, 1))}
    assert early[pppk.pk].period == (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    assert early[pppk.pk].jp == Decimal("20") and early[pppk.pk].shortfall == Decimal("4")


def test_contract_years_of_a_29_february_start_begin_on_1_march_in_other_years():
    start = datetime.date(2024, 2, 29)
    assert contract_year_bounds(contract_starts_on=start, on=datetime.date(2025, 2, 28)) == (
        datetime.date(2024, 2, 29),
        datetime.date(2025, 2, 28),
    )
    assert contract_year_bounds(contract_starts_on=start, on=datetime.date(2025, 3, 1)) == (
        datetime.date(2025, 3, 1),
        datetime.date(2026, 2, 28),
    )
    assert contract_year_bounds(contract_starts_on=start, on=datetime.date(2023, 6, 1))[0] == start


# --- The pages: sorting, paging, downloads, bad input ----------------------------------------------------------


def test_the_opd_page_sorts_pages_and_downloads_who_is_behind(administrator):
    unit = WorkUnitFactory(name="Dinas Urut")
    year = datetime.date.today().year
    for n in range(60):
        person = UserFactory(work_unit=unit, full_name=f"Pegawai {n:02d}")
        if n % 3:
            _entry(person, unit=unit, day=datetime.date(year, 1, 2), jp=str(n % 25))
    url = reverse("competence:compliance_unit", args=[unit.pk])
    client = client_for(administrator)

    page = client.get(url, {"urut": "jp"})
    listed = page.context["page"].object_list
    assert page.context["page"].paginator.count == sum(1 for n in range(60) if not (n % 3 and n % 25 >= 20))
    assert [p.jp for p in listed] == sorted(p.jp for p in listed) and len(listed) == 50
    by_shortfall = client.get(url).context["page"].object_list
    assert by_shortfall[0].shortfall == Decimal("20")
    for bad in ({"halaman": "abc"}, {"tahun": "tahun-lalu"}, {"urut": "drop table"}, {"tahun": "1900"}):
        assert client.get(url, bad).status_code == 200

    download = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 60 and {r[0] for r in rows} == {"Dinas Urut"}
    shortfall = {r[1]: r[8] for r in rows}
    assert shortfall["Pegawai 01"] == 19 and shortfall["Pegawai 00"] == 20 and shortfall["Pegawai 22"] == 0


def test_the_province_downloads_list_every_asn_and_every_opd(administrator):
    a, b = WorkUnitFactory(name="Dinas Satu"), WorkUnitFactory(name="Dinas Dua")
    year = datetime.date.today().year
    for n in range(5):
        _entry(UserFactory(work_unit=a if n % 2 else b), unit=a if n % 2 else b, day=datetime.date(year, 1, 3), jp="20")
    client = client_for(administrator)
    url = reverse("competence:compliance_province")
    people = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    asn_rows = list(people.iter_rows(min_row=2, values_only=True))
    assert len(asn_rows) == User.objects.filter(role=Role.LEARNER, is_active=True).count()
    summary = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx", "isi": "opd"}).content)).active
    by_name = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    assert by_name["Dinas Satu"][1:3] == (2, 2) and by_name["Dinas Dua"][1:3] == (3, 3)
    assert by_name["Provinsi"][1] == len(asn_rows)


def test_the_demo_year_of_learning_is_idempotent_and_shows_both_outcomes(administrator):
    from lms.competence.demo import GENERATED_ASN, demo_seed_competence

    opds = ["Dinas Pendidikan dan Kebudayaan", "Dinas Kesehatan"]
    learners = [UserFactory(work_unit=WorkUnitFactory(name=opds[n % 2]), rank="IV/a") for n in range(4)]
    demo_seed_competence(learners=learners, administrator=administrator, opds=opds)
    counts = (User.objects.count(), LedgerEntry.objects.count(), UnitRole.objects.count())
    demo_seed_competence(learners=learners, administrator=administrator, opds=opds)
    assert (User.objects.count(), LedgerEntry.objects.count(), UnitRole.objects.count()) == counts

    submissions = LedgerEntry.objects.filter(source=EntrySource.SUBMISSION)
    assert submissions.filter(status=EntryStatus.WAITING).exists()
    assert submissions.filter(status=EntryStatus.RECORDED, verified_by=administrator).exists()
    rows, province = compliance_units(year=(datetime.date.today() - datetime.timedelta(days=30)).year)
    assert province.asn >= GENERATED_ASN and 0 < province.reached < province.asn
    assert {r.name for r in rows} >= set(opds)
    head = UnitRole.objects.get(kind="head").user
    assert head == learners[1]
    url = reverse("competence:compliance_unit", args=[learners[1].work_unit_id])
    assert client_for(head).get(url).status_code == 200
