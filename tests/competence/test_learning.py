"""Learning done outside Siger: conversion to JP, duplicates, evidence checked by content, and the OPD verifiers'
decisions, scoped to their own OPD."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lms.competence.jp import jp_total, year_bounds
from lms.competence.models import (
    EntrySource,
    EntryStatus,
    JpConversion,
    LearningRoute,
    LedgerEntry,
    UnitRole,
    UnitRoleKind,
)
from lms.competence.submissions import LearningError, conversion, learning_approve, learning_reject, learning_submit
from lms.factories import UserFactory, WorkUnitFactory
from lms.notifications.models import Notification
from tests.conftest import S3_BUCKET as BUCKET
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


def pdf(name: str = "sertifikat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF", content_type="application/pdf")


def png(name: str = "foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def submit(user, **overrides) -> LedgerEntry:
    values = {
        "form": "seminar",
        "title": "Seminar Pelayanan Publik",
        "organiser": "Kementerian PANRB",
        "starts_on": LAST_WEEK,
        "ends_on": LAST_WEEK,
        "amount": Decimal("3"),
        "unit": "jp",
        "certificate_number": "",
        "evidence": pdf(),
    }
    values.update(overrides)
    return learning_submit(user=user, **values)


def grant(user, unit, kind=UnitRoleKind.VERIFIER) -> None:
    UnitRole.objects.create(user=user, work_unit=unit, kind=kind)


@pytest.fixture
def unit_a():
    return WorkUnitFactory(name="Dinas Pendidikan")


@pytest.fixture
def unit_b():
    return WorkUnitFactory(name="Dinas Perhubungan")


@pytest.fixture
def learner_a(unit_a):
    return UserFactory(work_unit=unit_a, full_name="Sari Peserta")


@pytest.fixture
def verifier_a(unit_a):
    verifier = UserFactory(work_unit=unit_a, full_name="Budi Verifikator")
    grant(verifier, unit_a)
    return verifier


# --- Conversion ---------------------------------------------------------------------------------------------------


def test_defaults_give_every_form_the_jp_unit_and_mark_assumptions_unconfirmed():
    assert JpConversion.objects.filter(unit="jp", confirmed=True).count() == 17
    assert not JpConversion.objects.filter(unit="sesi", confirmed=True).exists()
    assert JpConversion.objects.get(form="webinar", unit="sesi").max_jp_per_activity == Decimal("4")


def test_hours_convert_by_the_minutes_of_a_lesson_hour(settings):
    settings.SIGER_MINUTES_PER_JP = 45
    assert conversion(form="pelatihan", unit="jam", amount=Decimal("3")) == Decimal("4.00")
    settings.SIGER_MINUTES_PER_JP = 60
    assert conversion(form="pelatihan", unit="jam", amount=Decimal("3")) == Decimal("3.00")
    settings.SIGER_MINUTES_PER_JP = 50
    assert conversion(form="pelatihan", unit="jam", amount=Decimal("2")) == Decimal("2.40")


def test_units_convert_by_the_table_and_are_capped_per_activity():
    assert conversion(form="pelatihan", unit="hari", amount=Decimal("2")) == Decimal("16.00")
    # Webinar: 2 JP a session, at most 4 JP for one activity.
    assert conversion(form="webinar", unit="sesi", amount=Decimal("1")) == Decimal("2.00")
    assert conversion(form="webinar", unit="sesi", amount=Decimal("5")) == Decimal("4.00")
    # Hours of a capped form are capped too.
    assert conversion(form="webinar", unit="jam", amount=Decimal("30")) == Decimal("4.00")


def test_an_administrators_change_to_the_table_applies_to_the_next_submission(learner_a, media_root):
    JpConversion.objects.filter(form="pelatihan", unit="hari").update(jp_per_unit=Decimal("6"), max_jp_per_activity=10)
    entry = submit(learner_a, form="pelatihan", unit="hari", amount=Decimal("3"))
    assert entry.jp == Decimal("10.00")


def test_a_unit_the_form_does_not_offer_is_refused(learner_a, media_root):
    with pytest.raises(LearningError):
        submit(learner_a, form="pelatihan", unit="sesi")
    assert not LedgerEntry.objects.filter(user=learner_a).exists()


# --- Submitting ---------------------------------------------------------------------------------------------------


def test_a_submission_waits_with_its_converted_jp_route_and_snapshot(learner_a, unit_a, media_root):
    entry = submit(learner_a, form="coaching", unit="sesi", amount=Decimal("3"), certificate_number="C-1")
    entry.refresh_from_db()
    assert (entry.status, entry.source, entry.jp) == (EntryStatus.WAITING, EntrySource.SUBMISSION, Decimal("6.00"))
    assert (entry.route, entry.nip, entry.work_unit, entry.employee_type) == (
        LearningRoute.NON_CLASSICAL,
        learner_a.nip,
        unit_a,
        learner_a.employee_type,
    )
    assert (entry.reported_amount, entry.reported_unit) == (Decimal("3.00"), "sesi")
    assert entry.evidence.name.startswith("competence/evidence/") and entry.evidence.name.endswith(".pdf")
    assert entry.evidence_name == "sertifikat.pdf"
    assert default_storage.exists(entry.evidence.name)
    # Nothing counts while it waits.
    assert jp_total(user_id=learner_a.pk, **dict(zip(("start", "end"), year_bounds(TODAY.year), strict=True))) == 0


def test_a_photo_of_the_certificate_is_accepted(learner_a, media_root):
    entry = submit(learner_a, evidence=png())
    assert entry.evidence.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("sertifikat.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"),
        SimpleUploadedFile("sertifikat.docx", b"PK\x03\x04 not really", content_type="application/pdf"),
        SimpleUploadedFile("sertifikat.pdf", b"%PDF-1.4" + b"0" * (5 * 1024 * 1024), content_type="application/pdf"),
    ],
    ids=["html-named-pdf", "docx", "over-5-mb"],
)
def test_evidence_that_is_not_a_small_pdf_or_image_is_refused_and_nothing_stored(learner_a, media_root, upload):
    with pytest.raises(LearningError):
        submit(learner_a, evidence=upload)
    assert not LedgerEntry.objects.filter(user=learner_a).exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(LAST_WEEK, LAST_WEEK - datetime.timedelta(days=1)), (TODAY, TODAY + datetime.timedelta(days=1))],
    ids=["ends-before-start", "ends-in-future"],
)
def test_impossible_dates_are_refused(learner_a, media_root, starts_on, ends_on):
    with pytest.raises(LearningError):
        submit(learner_a, starts_on=starts_on, ends_on=ends_on)
    assert not LedgerEntry.objects.exists()


def test_the_same_title_and_dates_is_flagged_whatever_the_case_and_spaces(learner_a, media_root):
    first = submit(learner_a, title="Seminar Pelayanan Publik")
    second = submit(learner_a, title="  seminar   PELAYANAN publik ")
    other_dates = submit(learner_a, title="Seminar Pelayanan Publik", starts_on=LAST_WEEK - datetime.timedelta(days=1))
    assert first.duplicate_of is None
    assert second.duplicate_of == first
    assert other_dates.duplicate_of is None


def test_the_same_certificate_number_is_flagged_even_from_someone_else(learner_a, media_root):
    first = submit(learner_a, certificate_number="BPSDM/123/2026")
    other = UserFactory()
    copied = submit(other, title="Judul lain", certificate_number="bpsdm/123/2026")
    assert copied.duplicate_of == first


def test_the_same_title_from_someone_else_is_not_a_duplicate(learner_a, media_root):
    submit(learner_a)
    assert submit(UserFactory()).duplicate_of is None


def test_the_learner_submits_through_the_page_and_sees_the_status(learner_a, media_root):
    client = client_for(learner_a)
    response = client.post(
        reverse("competence:learning_submit"),
        {
            "form": "kursus",
            "title": "Kursus Bahasa Inggris",
            "organiser": "LIA",
            "starts_on": LAST_WEEK.isoformat(),
            "ends_on": LAST_WEEK.isoformat(),
            "amount": "1,5",
            "unit": "hari",
            "certificate_number": "",
            "evidence": pdf(),
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(user=learner_a)
    assert entry.jp == Decimal("12.00")
    page = client.get(reverse("competence:learning_list")).content.decode()
    assert "Kursus Bahasa Inggris" in page and 'data-status="waiting"' in page
    dashboard = client.get(reverse("lms:dashboard")).content.decode()
    assert "Kursus Bahasa Inggris" in dashboard and reverse("competence:learning_submit") in dashboard


def test_a_bad_page_submission_changes_nothing_and_says_why(learner_a, media_root):
    response = client_for(learner_a).post(
        reverse("competence:learning_submit"),
        {
            "form": "kursus",
            "title": "Kursus",
            "organiser": "LIA",
            "starts_on": LAST_WEEK.isoformat(),
            "ends_on": LAST_WEEK.isoformat(),
            "amount": "dua",
            "unit": "hari",
            "evidence": pdf(),
        },
    )
    assert response.status_code == 400
    assert "Jumlah harus berupa angka" in response.content.decode()
    assert not LedgerEntry.objects.exists()


# --- Verifying ----------------------------------------------------------------------------------------------------


def test_approval_records_the_entry_and_the_dashboard_jp_rises(learner_a, verifier_a, media_root):
    entry = submit(learner_a, amount=Decimal("4"))
    before = client_for(learner_a).get(reverse("lms:dashboard")).context["dashboard"].jp_this_year
    learning_approve(entry=entry, by=verifier_a)
    entry.refresh_from_db()
    assert (entry.status, entry.verified_by, entry.jp) == (EntryStatus.RECORDED, verifier_a, Decimal("4.00"))
    assert entry.verified_at is not None
    start, end = year_bounds(TODAY.year) if LAST_WEEK.year == TODAY.year else year_bounds(LAST_WEEK.year)
    assert jp_total(user_id=learner_a.pk, start=start, end=end) == Decimal("4.00")
    if LAST_WEEK.year == TODAY.year:
        after = client_for(learner_a).get(reverse("lms:dashboard")).context["dashboard"].jp_this_year
        assert after == before + Decimal("4")


def test_the_verifier_may_adjust_the_jp_only_with_a_reason(learner_a, verifier_a, media_root):
    entry = submit(learner_a, amount=Decimal("8"))
    with pytest.raises(LearningError):
        learning_approve(entry=entry, by=verifier_a, jp=Decimal("6"))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WAITING
    learning_approve(entry=entry, by=verifier_a, jp=Decimal("6"), reason="Sesi kedua tidak dihadiri")
    entry.refresh_from_db()
    assert (entry.jp, entry.status_reason) == (Decimal("6.00"), "Sesi kedua tidak dihadiri")


def test_rejecting_needs_a_reason_and_the_learner_is_told(
    learner_a, verifier_a, media_root, django_capture_on_commit_callbacks
):
    entry = submit(learner_a)
    with pytest.raises(LearningError):
        learning_reject(entry=entry, by=verifier_a, reason="  ")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        learning_reject(entry=entry, by=verifier_a, reason="Sertifikat tidak terbaca")
    entry.refresh_from_db()
    assert (entry.status, entry.status_reason) == (EntryStatus.REJECTED, "Sertifikat tidak terbaca")
    note = Notification.objects.get(user=learner_a)
    assert "ditolak" in note.title and "Sertifikat tidak terbaca" in note.body
    assert note.url == reverse("competence:learning_list")


def test_approval_notifies_the_learner(learner_a, verifier_a, media_root, django_capture_on_commit_callbacks):
    entry = submit(learner_a)
    with django_capture_on_commit_callbacks(execute=True):
        learning_approve(entry=entry, by=verifier_a)
    assert "disetujui" in Notification.objects.get(user=learner_a).title


def test_a_decided_entry_cannot_be_decided_again(learner_a, verifier_a, media_root):
    entry = submit(learner_a)
    learning_reject(entry=entry, by=verifier_a, reason="Bukan kegiatan pengembangan kompetensi")
    with pytest.raises(LearningError):
        learning_approve(entry=entry, by=verifier_a)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED


def test_a_verifier_cannot_verify_their_own_entry(verifier_a, media_root):
    entry = submit(verifier_a)
    with pytest.raises(LearningError):
        learning_approve(entry=entry, by=verifier_a)
    response = client_for(verifier_a).post(reverse("competence:verify_approve", args=[entry.pk]), {})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WAITING


def test_a_verifier_of_another_opd_can_neither_see_nor_decide(learner_a, unit_b, media_root):
    entry = submit(learner_a)
    verifier_b = UserFactory(work_unit=unit_b)
    grant(verifier_b, unit_b)
    client = client_for(verifier_b)
    queue = client.get(reverse("competence:verify_queue"))
    assert queue.status_code == 200 and entry.title not in queue.content.decode()
    assert client.get(reverse("competence:verify_detail", args=[entry.pk])).status_code == 403
    assert client.get(reverse("competence:learning_evidence", args=[entry.pk])).status_code == 404
    response = client.post(reverse("competence:verify_approve", args=[entry.pk]), {})
    assert response.status_code == 403
    with pytest.raises(LearningError):
        learning_approve(entry=entry, by=verifier_b)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WAITING


def test_an_opd_head_is_not_a_verifier(learner_a, unit_a, media_root):
    entry = submit(learner_a)
    head = UserFactory(work_unit=unit_a)
    grant(head, unit_a, UnitRoleKind.HEAD)
    assert client_for(head).get(reverse("competence:verify_queue")).status_code == 403
    with pytest.raises(LearningError):
        learning_approve(entry=entry, by=head)


def test_the_verifier_of_the_opd_sees_the_queue_and_decides_through_the_pages(learner_a, verifier_a, media_root):
    entry = submit(learner_a, certificate_number="X-9")
    duplicate = submit(learner_a, title="Lain", certificate_number="X-9")
    client = client_for(verifier_a)
    queue = client.get(reverse("competence:verify_queue")).content.decode()
    assert entry.title in queue and "Mirip catatan lain" in queue
    detail = client.get(reverse("competence:verify_detail", args=[duplicate.pk])).content.decode()
    assert 'id="duplicate"' in detail

    evidence = client.get(reverse("competence:learning_evidence", args=[entry.pk]))
    assert evidence.status_code == 200
    assert evidence["Content-Disposition"].startswith("attachment;")
    assert evidence["X-Content-Type-Options"] == "nosniff"
    assert evidence["Content-Security-Policy"] == "sandbox"
    assert evidence["Content-Type"] == "application/pdf"

    refused = client.post(reverse("competence:verify_reject", args=[duplicate.pk]), {"reason": ""})
    assert refused.status_code == 400 and "alasan" in refused.content.decode().lower()
    duplicate.refresh_from_db()
    assert duplicate.status == EntryStatus.WAITING
    client.post(reverse("competence:verify_reject", args=[duplicate.pk]), {"reason": "Ganda"})
    client.post(reverse("competence:verify_approve", args=[entry.pk]), {"jp": "3", "reason": ""})
    duplicate.refresh_from_db()
    entry.refresh_from_db()
    assert (duplicate.status, entry.status) == (EntryStatus.REJECTED, EntryStatus.RECORDED)


def test_the_learner_downloads_their_own_evidence_but_not_another_learners(learner_a, media_root):
    entry = submit(learner_a)
    assert client_for(learner_a).get(reverse("competence:learning_evidence", args=[entry.pk])).status_code == 200
    assert client_for(UserFactory()).get(reverse("competence:learning_evidence", args=[entry.pk])).status_code == 404


# --- Administration (Wagtail snippets) ----------------------------------------------------------------------------


def test_administrators_edit_the_conversion_table_in_the_admin(administrator):
    row = JpConversion.objects.get(form="webinar", unit="sesi")
    client = client_for(administrator)
    assert client.get("/admin/snippets/competence/jpconversion/").status_code == 200
    response = client.post(
        f"/admin/snippets/competence/jpconversion/edit/{row.pk}/",
        {"form": "webinar", "unit": "sesi", "jp_per_unit": "3", "max_jp_per_activity": "", "note": "Ditinjau"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.jp_per_unit, row.max_jp_per_activity, row.confirmed) == (Decimal("3.00"), None, False)


def test_administrators_grant_an_opd_role_and_are_recorded_as_granting_it(administrator, unit_a):
    person = UserFactory(work_unit=unit_a)
    response = client_for(administrator).post(
        "/admin/snippets/competence/unitrole/add/",
        {"user": person.pk, "work_unit": unit_a.pk, "kind": UnitRoleKind.VERIFIER},
    )
    assert response.status_code == 302
    role = UnitRole.objects.get(user=person)
    assert (role.work_unit, role.kind, role.granted_by) == (unit_a, UnitRoleKind.VERIFIER, administrator)


@pytest.mark.parametrize("model", ["jpconversion", "unitrole", "asnprofile", "competencepointrule", "siasncolumn"])
def test_instructors_and_verifiers_cannot_open_the_competence_settings(instructor, verifier_a, model):
    for person in (instructor, verifier_a):
        response = client_for(person).get(f"/admin/snippets/competence/{model}/")
        assert response.status_code in (302, 403)
    assert client_for(instructor).post(f"/admin/snippets/competence/{model}/add/", {}).status_code in (302, 403)
    assert not UnitRole.objects.exclude(user=verifier_a).exists()


def test_on_s3_the_evidence_is_a_short_presigned_attachment_after_the_check(learner_a, verifier_a, s3):  # noqa: F811
    entry = submit(learner_a, evidence=pdf("Sertifikat Rina.pdf"))
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [entry.evidence.name]
    response = client_for(verifier_a).get(reverse("competence:learning_evidence", args=[entry.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert f"/{BUCKET}/competence/evidence/" in location and "X-Amz-Signature=" in location
    assert (
        "response-content-disposition=attachment" in location and "response-content-type=application%2Fpdf" in location
    )
    assert response["Cache-Control"] == "private, no-store"
    outsider = client_for(UserFactory()).get(reverse("competence:learning_evidence", args=[entry.pk]))
    assert outsider.status_code == 404
