"""Day one of a cohort, in Chromium: the administrator imports the list, a new learner activates and signs in through
the province's provider (a real oidc-provider on loopback), hands in an assignment, the instructor grades it with a
rubric, and the learner sees the grade and the step completed."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from lms.accounts.models import AccountImport
from lms.assignments.models import Submission
from lms.factories import DEMO_PASSWORD, WorkUnitFactory
from lms.models import Enrollment, ItemProgress, ProgressSource, ProgressStatus, User
from tests.accounts.helpers import HEADER, cohort_rows, csv_bytes
from tests.assignments.grading_helpers import PDF, RUBRIC, assignment_make
from tests.e2e.conftest import login
from tests.sso.fixtures import oidc_provider_fixture, sso_settings_fixture  # noqa: F401 fixtures

pytestmark = pytest.mark.e2e


def _cohort_file(tmp_path, name: str, rows: list[list[str]]):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, header=HEADER))
    return path


def test_cohort_day_one_import_activate_sso_submit_grade_with_rubric_and_step_completes(
    page, live_url, course, administrator, instructor, sso_settings, tmp_path
):
    WorkUnitFactory(name="Dinas Kesehatan")
    course.sequential = False
    course.save_revision().publish()
    course.instructors.add(instructor)
    course.save()
    assignment = assignment_make(
        course, title="Rancangan Aktualisasi", slug="rancangan-aktualisasi", rubric=RUBRIC, pass_mark=70
    )
    rows = cohort_rows(120)
    broken = [row.copy() for row in rows]
    broken[10][0] = broken[10][0][:8] + "13" + broken[10][0][10:]  # born in month 13: not a NIP
    broken[50][7] = "bukan-email"
    broken[99][0] = broken[98][0]  # the same NIP twice in one file

    login(page, live_url, administrator.nip, DEMO_PASSWORD)
    page.goto(f"{live_url}/kelola/akun/impor/")
    page.locator("#id_file").set_input_files(str(_cohort_file(tmp_path, "angkatan.csv", broken)))
    page.locator("#id_course").select_option(label=course.title)
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page.locator("#import-counts")).to_contain_text("Bermasalah: 3")
    expect(page.locator("#import-rows tr.error")).to_have_count(3)
    expect(page.get_by_role("button", name="Terapkan impor")).to_have_count(0)
    assert User.objects.filter(nip__in=[r[0] for r in rows]).count() == 0  # nothing written by a preview

    page.get_by_role("link", name="Unggah ulang").click()
    page.locator("#id_file").set_input_files(str(_cohort_file(tmp_path, "angkatan-perbaikan.csv", rows)))
    page.locator("#id_course").select_option(label=course.title)
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#import-counts")).to_contain_text("Akun baru: 120")
    expect(page.locator("#import-counts")).to_contain_text("Bermasalah: 0")
    page.get_by_role("button", name="Terapkan impor").click()
    expect(page.locator("body")).to_contain_text("sudah diterapkan")

    assert User.objects.filter(nip__in=[r[0] for r in rows]).count() == 120
    assert Enrollment.objects.filter(course=course, user__nip__in=[r[0] for r in rows]).count() == 120
    applied = AccountImport.objects.get(filename="angkatan-perbaikan.csv")
    assert applied.status == "applied"

    page.get_by_role("link", name="Tautan aktivasi akun baru").click()
    first = rows[0]
    link = page.locator(f"#activation-links [data-nip='{first[0]}'] a[href*='/aktifkan/']").first.get_attribute("href")
    assert link

    # The learner opens the link in their own browser: no one else's session.
    page.context.clear_cookies()
    page.goto(live_url + urlsplit(link).path)  # the printed link names the public site (SIGER_BASE_URL)
    page.get_by_label("Kata sandi baru", exact=True).fill("Lampung-Sai-2027!")
    page.get_by_label("Ulangi kata sandi baru").fill("Lampung-Sai-2027!")
    page.get_by_role("button", name="Aktifkan akun").click()
    expect(page.locator("header.top")).to_contain_text(first[0])
    learner = User.objects.get(nip=first[0])
    assert learner.has_usable_password()

    # Next day, from the province's super app: a deep link to the assignment, signed in through SSO.
    page.context.clear_cookies()
    sso_login = sso_settings.account_set("peserta0", nip=learner.nip, email=learner.email, email_verified=True)
    page.goto(f"{live_url}{assignment.url}")
    page.get_by_role("link", name="Masuk dengan SSO").click()
    page.wait_for_url(f"{sso_settings.issuer}/interaction/**")
    page.locator('input[name="login"]').fill(sso_login)
    page.locator('input[name="password"]').fill("rahasia")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{live_url}{assignment.url}")
    expect(page.locator("header.top")).to_contain_text(learner.nip)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rancangan Aktualisasi")

    handed_in = tmp_path / "rancangan aktualisasi.pdf"
    handed_in.write_bytes(PDF)
    page.locator("#submit input[type=file]").set_input_files(str(handed_in))
    page.locator("#submit").get_by_role("button", name="Kirim").click()
    expect(page.locator("#submission-status")).to_contain_text("Menunggu penilaian")
    expect(page.locator("#versions")).to_contain_text("rancangan aktualisasi.pdf")
    submission = Submission.objects.get(assignment=assignment, enrollment__user=learner)

    # The instructor, on their own phone: the grading queue, the rubric, feedback.
    widyaiswara = page.context.browser.new_context(locale="id-ID", viewport={"width": 412, "height": 900})
    grader = widyaiswara.new_page()
    login(grader, live_url, instructor.nip, DEMO_PASSWORD)
    grader.goto(f"{live_url}/tugas/penilaian/?tugas={assignment.pk}")
    grader.get_by_role("link", name=learner.full_name).click()
    expect(grader.locator("#latest-version")).to_contain_text("rancangan aktualisasi.pdf")
    form = grader.locator("#grade-form")
    form.locator("fieldset", has_text="Ketepatan isu").get_by_role("radio", name=re.compile(r"\bBaik\b")).check()
    form.locator("fieldset", has_text="Rencana kegiatan").get_by_role("radio", name=re.compile(r"\bLengkap\b")).check()
    form.locator("fieldset", has_text="Nilai dasar ASN").get_by_role("radio", name=re.compile(r"\bKurang\b")).check()
    form.get_by_role("textbox", name="Umpan balik").fill(
        "Isu sudah tajam; perkuat nilai dasar ASN di rencana kegiatan."
    )
    form.get_by_role("button", name="Simpan nilai").click()
    expect(grader.locator(".messages")).to_contain_text("dinilai", ignore_case=True)
    widyaiswara.close()

    submission.refresh_from_db()
    assert submission.status == "graded" and submission.score == Decimal("83.33")  # (4 + 5 + 1) / 12 × 100

    page.reload()
    expect(page.locator("#grade-result")).to_contain_text("Lulus")
    expect(page.locator("#rubric-result")).to_contain_text("Ketepatan isu")
    expect(page.locator("#feedback")).to_contain_text("perkuat nilai dasar ASN")
    enrollment = Enrollment.objects.get(user=learner, course=course)
    progress = ItemProgress.objects.get(enrollment=enrollment, item_id=assignment.pk)
    assert progress.status == ProgressStatus.COMPLETED and progress.source == ProgressSource.GRADED
    page.goto(f"{live_url}{course.url}")
    expect(page.locator(".path .step", has_text="Rancangan Aktualisasi")).to_contain_text("Selesai")
    assert [error for error in page.js_errors if not error.startswith("request outside the site")] == []
