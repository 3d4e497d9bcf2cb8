"""One ledger: completions write their JP once, as of completion; a revoked certificate writes a counter-entry."""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from lms.competence.jp import jp_per_user, jp_total, year_bounds
from lms.competence.models import ROUTE_OF_FORM, EntrySource, EntryStatus, LearningRoute, LedgerEntry
from lms.competence.selectors import work_unit_jp_report
from lms.factories import CoursePageFactory, ModulePageFactory, UserFactory, WorkUnitFactory
from lms.models import Certificate, Programme
from lms.services import certificate_revoke, enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
THIS_YEAR = year_bounds(timezone.localdate().year)


def _complete(user, course):
    enrollment = enrollment_create(user=user, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    enrollment.refresh_from_db()
    return enrollment


def _entry(user, *, unit, day, jp: str, form: str, title: str, status=EntryStatus.RECORDED) -> LedgerEntry:
    return LedgerEntry.objects.create(
        user=user,
        nip=user.nip,
        work_unit=unit,
        starts_on=day,
        ends_on=day,
        jp=Decimal(jp),
        route=ROUTE_OF_FORM[form],
        form=form,
        title=title,
        source=EntrySource.SUBMISSION,
        status=status,
    )


@pytest.fixture
def pka(catalogue):
    course = CoursePageFactory(parent=catalogue, title="PKA Angkatan I", programme=Programme.PKA, jp_credit=24)
    ModulePageFactory(parent=course)
    return course


def test_completion_writes_one_entry_with_the_jp_of_that_moment(pka):
    unit = WorkUnitFactory(name="Dinas Kesehatan")
    learner = UserFactory(work_unit=unit)
    enrollment = _complete(learner, pka)
    entry = LedgerEntry.objects.get(user=learner)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (entry.jp, entry.source, entry.status) == (
        Decimal("24"),
        EntrySource.COURSE_COMPLETION,
        EntryStatus.RECORDED,
    )
    assert (entry.nip, entry.work_unit, entry.route, entry.form) == (
        learner.nip,
        unit,
        LearningRoute.CLASSICAL,
        "pelatihan",
    )
    assert entry.certificate == certificate and entry.certificate_number == certificate.number
    assert entry.ends_on == timezone.localdate(enrollment.completed_at)

    pka.jp_credit = 40
    pka.save_revision().publish()
    from lms.services import enrollment_refresh_completion

    enrollment_refresh_completion(enrollment=enrollment)  # re-checking completion records nothing twice
    assert LedgerEntry.objects.filter(user=learner).count() == 1
    assert jp_total(user_id=learner.pk, start=THIS_YEAR[0], end=THIS_YEAR[1]) == Decimal("24")


def test_revoked_certificate_reverses_its_jp_with_a_counter_entry(pka, administrator):
    learner = UserFactory()
    enrollment = _complete(learner, pka)
    certificate = Certificate.objects.get(enrollment=enrollment)
    original = LedgerEntry.objects.get(user=learner)

    certificate_revoke(certificate=certificate, by=administrator, reason="Dokumen persyaratan palsu")
    reversal = LedgerEntry.objects.get(user=learner, source=EntrySource.REVERSAL)
    original.refresh_from_db()
    assert original.jp == Decimal("24") and original.status == EntryStatus.RECORDED  # never edited
    assert reversal.reverses == original and reversal.jp == Decimal("-24")
    assert (reversal.starts_on, reversal.ends_on) == (original.starts_on, original.ends_on)
    assert reversal.created_by == administrator and reversal.status_reason == "Dokumen persyaratan palsu"
    assert jp_total(user_id=learner.pk, start=THIS_YEAR[0], end=THIS_YEAR[1]) == 0
    page = client_for(learner).get("/saya/").content.decode()
    assert '<strong id="jp-this-year">0</strong>' in page


def test_dashboard_and_opd_report_read_the_ledger_only(pka):
    """An entry the ledger has (and no enrollment explains) counts; a completion without an entry does not."""
    unit = WorkUnitFactory(name="Bappeda")
    learner = UserFactory(work_unit=unit)
    today = timezone.localdate()
    _entry(learner, unit=unit, day=today, jp="2.5", form="webinar", title="Webinar SPBE")
    _entry(
        learner, unit=unit, day=today, jp="30", form="coaching", title="Belum diverifikasi", status=EntryStatus.WAITING
    )
    page = client_for(learner).get("/saya/").content.decode()
    assert page.split('id="jp-this-year">', 1)[1].split("<", 1)[0] in ("2,5", "2.5")
    row = next(r for r in work_unit_jp_report(year=today.year, jp_target=20) if r.name == "Bappeda")
    assert (row.members, row.reached_target, row.total_jp) == (1, 0, Decimal("2.5"))


def test_a_move_to_another_opd_does_not_rewrite_last_years_report(pka):
    old_unit, new_unit = WorkUnitFactory(name="Dinas Lama"), WorkUnitFactory(name="Dinas Baru")
    learner = UserFactory(work_unit=old_unit)
    last_year = timezone.localdate().year - 1
    day = datetime.date(last_year, 6, 1)
    _entry(learner, unit=old_unit, day=day, jp="21", form="pelatihan", title="Pelatihan tahun lalu")
    learner.work_unit = new_unit
    learner.save()
    rows = {r.name: r for r in work_unit_jp_report(year=last_year, jp_target=20)}
    assert rows["Dinas Lama"].reached_target == 1 and "Dinas Baru" not in rows
    this_year = {r.name: r for r in work_unit_jp_report(year=last_year + 1, jp_target=20)}
    assert this_year["Dinas Baru"].members == 1 and this_year["Dinas Baru"].total_jp == 0


def test_backfill_records_completions_made_before_the_ledger_once(pka, administrator):
    kept, revoked = UserFactory(), UserFactory()
    _complete(kept, pka)
    certificate_revoke(
        certificate=Certificate.objects.get(enrollment=_complete(revoked, pka)), by=administrator, reason="Dicabut"
    )
    LedgerEntry.objects.filter(source=EntrySource.REVERSAL).delete()
    LedgerEntry.objects.all().delete()  # as before the ledger existed
    backfill = import_module("lms.competence.migrations.0002_backfill_completions").backfill
    backfill(apps, None)
    backfill(apps, None)  # a second run adds nothing
    totals = jp_per_user(start=THIS_YEAR[0], end=THIS_YEAR[1])
    assert totals == {kept.pk: Decimal("24"), revoked.pk: Decimal("0")}
    assert LedgerEntry.objects.count() == 3


def test_a_pppk_dashboard_counts_the_contract_year_against_the_pppk_target(settings):
    from lms.competence.models import AsnProfile
    from lms.models import EmployeeType

    settings.SIGER_PPPK_JP_TARGET = 24
    today = timezone.localdate()
    began = today - datetime.timedelta(days=40)  # the running contract year began about 40 days ago
    contract = datetime.date(began.year - 3, began.month, min(began.day, 28))
    learner = UserFactory(employee_type=EmployeeType.PPPK)
    AsnProfile.objects.create(user=learner, contract_starts_on=contract)
    _entry(learner, unit=None, day=today - datetime.timedelta(days=10), jp="6", form="webinar", title="Dalam kontrak")
    _entry(learner, unit=None, day=today - datetime.timedelta(days=60), jp="9", form="webinar", title="Kontrak lalu")
    page = client_for(learner).get("/saya/").content.decode()
    assert page.split('id="jp-this-year">', 1)[1].split("<", 1)[0] == "6"
    assert "/ 24 JP" in page and 'id="jp-period"' in page
