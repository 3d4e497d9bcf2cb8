"""The final result's views: the manager's table and its XLSX, component scores, the graduation decision (STTPP)
and the examiners' printable scoring sheets."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.factories import UserFactory
from lms.models import Certificate, EnrollmentStatus
from lms.programmes.grading import course_results
from lms.programmes.graduation import component_score_enter
from lms.programmes.models import ComponentScore, GraduationDecision, GraduationOutcome, SeminarScoreSheet
from lms.programmes.seminar import seminar_sheet_save
from tests.conftest import client_for
from tests.programmes.conftest import add_examiner, enroll

pytestmark = pytest.mark.django_db

FULL = {"substansi": 80, "penyajian": 90, "tanya_jawab": 70}  # total 81.00


def shown(number) -> str:
    """A number as the Indonesian interface writes it (decimal comma)."""
    return str(number).replace(".", ",")


def score(enrollment, by, sikap, akademik, proyek, seminar=FULL):
    for key, value in (("sikap", sikap), ("akademik", akademik), ("proyek", proyek)):
        component_score_enter(enrollment=enrollment, key=key, score=value, note="", by=by)
    if seminar is not None:
        examiner = add_examiner(enrollment)
        seminar_sheet_save(enrollment=enrollment, examiner=examiner, scores=seminar, comment="", submit=True)


@pytest.fixture
def cohort(run, administrator):
    """Three participants: one passing well, one below the pass band, one with the seminar missing."""
    good, weak, unfinished = (
        enroll(run, user=UserFactory(full_name=name)) for name in ("Ani Baik", "Budi Kurang", "Cici Belum")
    )
    score(good, administrator, "95", "88.5", "91.25")
    score(weak, administrator, "60", "55", "62.5", seminar={"substansi": 50, "penyajian": 60, "tanya_jawab": 40})
    score(unfinished, administrator, "80", "80", "80", seminar=None)
    withdrawn = enroll(run, user=UserFactory(full_name="Dedi Mundur"), status=EnrollmentStatus.WITHDRAWN)
    return {"good": good, "weak": weak, "unfinished": unfinished, "withdrawn": withdrawn}


def results_url(run) -> str:
    return reverse("programmes:results", args=[run.pk])


def row_of(page: str, enrollment) -> str:
    return page.split(f'<tr data-enrollment="{enrollment.pk}">')[1].split("</tr>")[0]


def test_when_manager_opens_results_then_numbers_equal_course_results(run, cohort, administrator):
    page = client_for(administrator).get(results_url(run)).content.decode()

    results = course_results(course=run)
    assert len(results) == 3
    assert f'data-enrollment="{cohort["withdrawn"].pk}"' not in page
    for result in results:
        row = row_of(page, result.enrollment)
        cells = re.findall(r'<td class="num" data-key="([\w-]+)">([^<]*)</td>', row)
        assert cells == [(c.key, shown(c.score) if c.score is not None else "—") for c in result.components]
        final = re.search(r'<td class="num final"><strong>([^<]*)</strong>', row).group(1)
        assert final == (shown(result.final) if result.final is not None else "—")
        assert (result.predicate or "—") in row
        assert ("belum lengkap" in row) is (not result.complete)
    # Independently: 20% × 95 + 30% × 88.5 + 30% × 91.25 + 20% × 81 = 19 + 26.55 + 27.375 + 16.2 = 89.125 → 89.13
    assert re.search(r"<strong>([^<]*)</strong>", row_of(page, cohort["good"]).split('class="num final"')[1]).group(
        1
    ) == shown("89.13")


def test_when_passed_via_view_then_sttpp_with_predicate_and_batch_and_link(run, cohort, administrator):
    client = client_for(administrator)
    good = cohort["good"]

    response = client.post(
        reverse("programmes:results_decide", args=[run.pk]),
        {"enrollment": good.pk, "outcome": GraduationOutcome.PASSED, "reason": ""},
    )

    assert response.status_code == 302
    certificate = Certificate.objects.get(enrollment=good)
    assert (certificate.predicate, certificate.batch) == ("Memuaskan", "Angkatan II")
    good.refresh_from_db()
    assert good.status == EnrollmentStatus.COMPLETED
    row = row_of(client.get(results_url(run)).content.decode(), good)
    assert certificate.number in row and reverse("lms:certificate", args=[certificate.code]) in row
    assert "Lulus" in row


def test_when_failed_via_view_then_no_certificate_and_record_kept(run, cohort, administrator):
    weak = cohort["weak"]

    response = client_for(administrator).post(
        reverse("programmes:results_decide", args=[run.pk]),
        {"enrollment": weak.pk, "outcome": GraduationOutcome.FAILED, "reason": "Nilai di bawah batas lulus."},
    )

    assert response.status_code == 302
    assert not Certificate.objects.filter(enrollment=weak).exists()
    decision = GraduationDecision.objects.get(enrollment=weak)
    assert decision.reason == "Nilai di bawah batas lulus." and decision.predicate == "Kurang Memuaskan"
    assert ComponentScore.objects.filter(enrollment=weak).count() == 3
    assert SeminarScoreSheet.objects.filter(enrollment=weak).count() == 1
    weak.refresh_from_db()
    assert weak.status != EnrollmentStatus.COMPLETED


@pytest.mark.parametrize(
    ("who", "body", "message"),
    [
        ("weak", {"outcome": GraduationOutcome.FAILED, "reason": "  "}, "Tuliskan alasan"),
        ("weak", {"outcome": GraduationOutcome.DEFERRED, "reason": ""}, "Tuliskan alasan"),
        ("weak", {"outcome": GraduationOutcome.PASSED, "reason": ""}, "tidak memenuhi syarat lulus"),
        ("unfinished", {"outcome": GraduationOutcome.PASSED, "reason": ""}, "Nilai belum lengkap"),
        ("weak", {"outcome": "mungkin", "reason": "x"}, "Keputusan tidak dikenal"),
        ("weak", {"outcome": "", "reason": "x"}, "Keputusan tidak dikenal"),
        ("withdrawn", {"outcome": GraduationOutcome.FAILED, "reason": "x"}, "tidak terdaftar"),
    ],
)
def test_when_decision_refused_then_400_with_message_and_nothing_saved(run, cohort, administrator, who, body, message):
    response = client_for(administrator).post(
        reverse("programmes:results_decide", args=[run.pk]), {"enrollment": cohort[who].pk, **body}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GraduationDecision.objects.exists()
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"key": "sikap", "score": "150"}, "antara 0 dan 100"),
        ({"key": "sikap", "score": "-1"}, "antara 0 dan 100"),
        ({"key": "sikap", "score": "banyak"}, "antara 0 dan 100"),
        ({"key": "seminar", "score": "90"}, "lembar nilai para penguji"),
        ({"key": "tidak-ada", "score": "90"}, "tidak dikenal"),
    ],
)
def test_when_component_score_bad_then_400_and_nothing_saved(run, administrator, body, message):
    enrollment = enroll(run)

    response = client_for(administrator).post(
        reverse("programmes:results_score", args=[run.pk]), {"enrollment": enrollment.pk, **body}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ComponentScore.objects.exists()


def test_when_component_score_entered_with_comma_then_latest_counts(run, administrator):
    enrollment = enroll(run)
    client = client_for(administrator)
    url = reverse("programmes:results_score", args=[run.pk])

    client.post(url, {"enrollment": enrollment.pk, "key": "proyek", "score": "70", "note": "awal"})
    response = client.post(url, {"enrollment": enrollment.pk, "key": "proyek", "score": "87,5", "note": "revisi"})

    assert response.status_code == 302
    assert [s.score for s in ComponentScore.objects.filter(enrollment=enrollment)] == [Decimal("70"), Decimal("87.5")]
    row = row_of(client.get(results_url(run)).content.decode(), enrollment)
    assert '<td class="num" data-key="proyek">87,50</td>' in row


def test_when_xlsx_downloaded_then_one_row_per_participant_with_the_same_numbers(run, cohort, administrator):
    response = client_for(administrator).get(reverse("programmes:results_xlsx", args=[run.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    results = course_results(course=run)
    assert len(body) == len(results) == 3
    assert header[3:7] == ("Sikap (20%)", "Akademik (30%)", "Proyek (30%)", "Seminar (20%)")
    by_nip = {row[1]: row for row in body}
    for result in results:
        row = by_nip[result.enrollment.user.nip]
        assert row[0] == result.enrollment.user.full_name
        expected = [None if c.score is None else float(c.score) for c in result.components]
        assert [None if v in (None, "") else v for v in row[3:7]] == expected
        assert (row[7] or None) == (None if result.final is None else float(result.final))
        assert (row[8] or "") == result.predicate


def test_when_sheets_printed_then_criteria_scores_and_signature_per_examiner(run, administrator):
    enrollment = enroll(run, user=UserFactory(full_name="Eka Peserta"))
    scored = add_examiner(enrollment, UserFactory(full_name="Penguji Satu"))
    add_examiner(enrollment, UserFactory(full_name="Penguji Dua"))
    other = enroll(run, user=UserFactory(full_name="Fajar Lain"))
    add_examiner(other)
    seminar_sheet_save(enrollment=enrollment, examiner=scored, scores=FULL, comment="Presentasi jelas.", submit=True)
    url = reverse("programmes:score_sheets", args=[run.pk])
    client = client_for(administrator)

    page = client.get(url, {"enrollment": enrollment.pk}).content.decode()

    assert page.count('class="score-sheet"') == 2
    assert "Fajar Lain" not in page
    for name in ("Substansi", "Penyajian", "Tanya_Jawab"):
        assert page.count(name) >= 2
    assert "Presentasi jelas." in page and shown("81.00") in page and "Penguji Dua" in page
    assert "page-break-after:always" in page and 'class="signature"' in page
    assert client.get(url).content.decode().count('class="score-sheet"') == 3
    assert client.get(url, {"enrollment": "abc"}).status_code == 404


def test_when_other_instructor_opens_results_then_refused(run, instructor):
    client = client_for(instructor)
    assert client.get(results_url(run)).status_code == 403
    assert client.get(reverse("programmes:results_xlsx", args=[run.pk])).status_code == 403
    enrollment = enroll(run)
    response = client.post(
        reverse("programmes:results_score", args=[run.pk]), {"enrollment": enrollment.pk, "key": "sikap", "score": "90"}
    )
    assert response.status_code == 403
    assert not ComponentScore.objects.exists()
