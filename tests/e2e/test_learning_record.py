"""Learning outside Siger, in Chromium: the learner reports it from Pelatihan Saya, the OPD verifier approves it,
and the learner's JP for the year shows it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms.competence.models import EntryStatus, JpConversion, LedgerEntry, UnitRole, UnitRoleKind
from lms.factories import DEMO_PASSWORD, UserFactory, WorkUnitFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_learner_reports_learning_verifier_approves_and_the_dashboard_jp_rises(page, browser, live_url):
    unit = WorkUnitFactory(name="Dinas Komunikasi dan Informatika")
    learner = UserFactory(nip="199001012015031002", full_name="Rina Lestari", work_unit=unit)
    verifier = UserFactory(nip="198502022010011003", full_name="Agus Verifikator", work_unit=unit)
    UnitRole.objects.create(user=verifier, work_unit=unit, kind=UnitRoleKind.VERIFIER)
    today = timezone.localdate().isoformat()
    # Transactional tests flush the data migration's defaults: the one row this journey relies on.
    JpConversion.objects.get_or_create(form="seminar", unit="sesi", defaults={"jp_per_unit": 2})

    login(page, live_url, learner.nip, DEMO_PASSWORD)
    expect(page.locator("#jp-this-year")).to_have_text("0")
    page.locator("#learning-submit-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat pembelajaran lain")
    # Only the units a form converts are offered: a day of training, not a session of it.
    page.get_by_label("Bentuk pembelajaran").select_option("pelatihan")
    expect(page.locator("#id_unit option[value='sesi']")).to_be_disabled()
    expect(page.locator("#id_unit option[value='jam']")).to_be_enabled()
    page.get_by_label("Bentuk pembelajaran").select_option("seminar")
    expect(page.locator("#id_unit option[value='sesi']")).to_be_enabled()
    page.get_by_label("Judul kegiatan").fill("Seminar Transformasi Digital")
    page.get_by_label("Penyelenggara").fill("Kementerian Kominfo")
    page.get_by_label("Tanggal mulai").fill(today)
    page.get_by_label("Tanggal selesai").fill(today)
    page.get_by_label("Jumlah", exact=True).fill("5")
    page.get_by_label("Satuan").select_option("jp")
    page.locator("#id_evidence").set_input_files(
        files=[{"name": "sertifikat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF"}]
    )
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator(".messages")).to_contain_text("menunggu verifikasi")
    card = page.locator("#learning-entries .card")
    expect(card).to_contain_text("Seminar Transformasi Digital")
    expect(card).to_contain_text("Menunggu verifikasi")

    verifier_context = browser.new_context(locale="id-ID", viewport={"width": 412, "height": 900})
    verifier_page = verifier_context.new_page()
    try:
        login(verifier_page, live_url, verifier.nip, DEMO_PASSWORD)
        verifier_page.goto(f"{live_url}/kompetensi/verifikasi/")
        verifier_page.get_by_role("link", name="Seminar Transformasi Digital").click()
        expect(verifier_page.locator("#evidence-link")).to_have_text("sertifikat.pdf")
        verifier_page.get_by_role("button", name="Setujui").click()
        expect(verifier_page.locator(".messages")).to_contain_text("Disetujui")
        expect(verifier_page.locator("#verify-queue")).to_contain_text("Tidak ada pengajuan yang menunggu")
    finally:
        verifier_context.close()

    entry = LedgerEntry.objects.get(user=learner)
    assert (entry.status, entry.verified_by_id) == (EntryStatus.RECORDED, verifier.pk)
    page.get_by_role("link", name="Pelatihan Saya").first.click()
    expect(page.locator("#jp-this-year")).to_have_text("5")
    expect(page.locator("#outside-learning")).to_contain_text("Tercatat")
    assert page.js_errors == []
