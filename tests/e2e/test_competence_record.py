"""The competence record in Chromium: an OPD head sees only their OPD; a revoked certificate takes its JP back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms.competence.models import EntrySource, EntryStatus, LearningRoute, LedgerEntry, UnitRole, UnitRoleKind
from lms.factories import DEMO_PASSWORD, CoursePageFactory, ModulePageFactory, UserFactory, WorkUnitFactory
from lms.models import Programme
from lms.services import enrollment_create, progress_complete
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _recorded(user, *, jp: int, title: str) -> None:
    today = timezone.localdate()
    LedgerEntry.objects.create(
        user=user,
        nip=user.nip,
        work_unit=user.work_unit,
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today,
        jp=Decimal(jp),
        route=LearningRoute.CLASSICAL,
        form="pelatihan",
        title=title,
        source=EntrySource.SUBMISSION,
        status=EntryStatus.RECORDED,
    )


def test_head_of_an_opd_sees_only_their_opd(page, live_url):
    dinkes, bappeda = WorkUnitFactory(name="Dinas Kesehatan"), WorkUnitFactory(name="Bappeda")
    head = UserFactory(full_name="Kepala Dinkes", work_unit=dinkes)
    UnitRole.objects.create(user=head, work_unit=dinkes, kind=UnitRoleKind.HEAD)
    behind = UserFactory(full_name="Perawat Tertinggal", work_unit=dinkes)
    _recorded(behind, jp=8, title="Pelatihan Triase")
    _recorded(UserFactory(full_name="Bidan Tuntas", work_unit=dinkes), jp=24, title="Pelatihan PONED")
    UserFactory(full_name="Perencana Bappeda", work_unit=bappeda)

    login(page, live_url, head.nip, DEMO_PASSWORD)
    page.goto(f"{live_url}/kompetensi/kepatuhan/")  # the province page sends a head to their own OPD
    expect(page).to_have_url(f"{live_url}/kompetensi/kepatuhan/opd/{dinkes.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dinas Kesehatan")
    people = page.locator("#unit-people")
    expect(people).to_contain_text("Perawat Tertinggal")
    expect(people).not_to_contain_text("Perencana Bappeda")

    response = page.goto(f"{live_url}/kompetensi/kepatuhan/opd/{bappeda.pk}/")
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text("Perencana Bappeda")
    response = page.goto(f"{live_url}/kompetensi/kepatuhan/opd/{bappeda.pk}/?format=xlsx")
    assert response.status == 403
    assert page.js_errors == []


def test_revoked_certificate_takes_its_jp_out_of_the_learners_year(page, live_url, catalogue, administrator):
    course = CoursePageFactory(parent=catalogue, title="Pelatihan Teknis SPBE", programme=Programme.TECHNICAL)
    course.jp_credit = 24
    course.save_revision().publish()
    module = ModulePageFactory(parent=course, title="Arsitektur SPBE")
    learner = UserFactory(full_name="Rina Marlina")
    enrollment = enrollment_create(user=learner, course=course)
    progress_complete(enrollment=enrollment, item=module, source="marked_done")

    login(page, live_url, learner.nip, DEMO_PASSWORD)
    expect(page.locator("#jp-this-year")).to_have_text("24")

    administration = page.context.browser.new_context(locale="id-ID", viewport={"width": 412, "height": 900})
    admin_page = administration.new_page()
    login(admin_page, live_url, administrator.nip, DEMO_PASSWORD)
    admin_page.goto(f"{live_url}{course.url}kelola/")
    admin_page.get_by_placeholder("Alasan pencabutan").fill("Presensi tatap muka tidak memenuhi syarat")
    admin_page.get_by_role("button", name="Cabut").click()
    expect(admin_page.locator("body")).to_contain_text("Presensi tatap muka tidak memenuhi syarat")
    administration.close()

    page.reload()
    expect(page.locator("#jp-this-year")).to_have_text("0")
    entries = LedgerEntry.objects.filter(user=learner).order_by("pk")
    assert [(e.source, e.jp) for e in entries] == [
        (EntrySource.COURSE_COMPLETION, Decimal("24")),
        (EntrySource.REVERSAL, Decimal("-24")),
    ]
    assert entries[1].reverses_id == entries[0].pk and entries[1].created_by == administrator
    assert page.js_errors == []
