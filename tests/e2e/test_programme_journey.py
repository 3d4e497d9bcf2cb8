"""A PKA run as BPSDM runs it, in Chromium (issue 10): the run is created from the shipped template; a participant
enrolls, the administrator assigns a coach, a mentor and two examiners; the participant writes the change-project
plan, the mentor and the coach approve it, two milestones are logged and confirmed by both; the seminar is scheduled
and two examiners score it on a phone; the manager records the graduation decision; the STTPP carries the
predicate and the batch, and its public verification page says it is valid. The mentor and the coach each see
only their own participants."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms.factories import DEMO_PASSWORD, EnrollmentFactory, UserFactory
from lms.models import Certificate, CoursePage, Enrollment, LiveSessionPage, Role
from lms.programmes.grading import participant_result
from lms.programmes.guides import guide_assign
from lms.programmes.models import (
    ChangeProject,
    GraduationDecision,
    GuideRole,
    PhaseKind,
    ProgrammeTemplate,
    ProjectStatus,
    SeminarScoreSheet,
)
from lms.programmes.runs import programme_run_create
from lms.roles import user_set_role
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def _person(name: str, role: str = Role.LEARNER):
    user = UserFactory(full_name=name)
    if user.role != role:
        user_set_role(user=user, role=role)
    return user


def _shipped_templates() -> None:
    """The templates as migration 0003 ships them: a browser test's database is flushed between tests (the
    migration's rows with it), so they are written again by the migration's own function."""
    import importlib

    from django.apps import apps

    if not ProgrammeTemplate.objects.filter(name="PKA").exists():
        importlib.import_module("lms.programmes.migrations.0003_default_templates").create_templates(apps, None)


def _run(catalogue, administrator) -> CoursePage:
    """A PKA run from the shipped template, started so that today falls in its workplace phase."""
    _shipped_templates()
    template = ProgrammeTemplate.objects.get(name="PKA")
    workplace = template.phases.get(kind=PhaseKind.WORKPLACE)
    run = programme_run_create(
        template=template,
        parent=catalogue,
        title="PKA Angkatan II 2027",
        batch="Angkatan II",
        starts_on=timezone.localdate() - datetime.timedelta(days=workplace.offset_days + 2),
        by=administrator,
    )
    run.sequential = False
    run.save_revision(user=administrator).publish()
    for step in run.get_children().not_live().specific():
        step.save_revision(user=administrator).publish()
    return CoursePage.objects.get(pk=run.pk)


def _sign_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    login(page, live_url, user.nip, DEMO_PASSWORD)


def _assign_in_browser(page, live_url, run, enrollment, user, role_label: str) -> None:
    page.goto(f"{live_url}/program/{run.pk}/pembimbing/")
    row = page.locator(f"#enrollment-{enrollment.pk}")
    row.locator("input[name=nip]").fill(user.nip)
    row.locator("select[name=role]").select_option(label=role_label)
    row.get_by_role("button", name="Tetapkan").click()
    expect(page.locator(f"#enrollment-{enrollment.pk}")).to_contain_text(user.full_name)


def test_pka_participant_from_enrollment_to_sttpp_with_coach_mentor_and_two_examiners(
    page, browser, live_url, catalogue, administrator
):
    run = _run(catalogue, administrator)
    coach = _person("Dr. Coach Widyaiswara", Role.INSTRUCTOR)
    mentor = _person("Kepala Dinas Mentor")
    examiners = [_person("Penguji Satu", Role.INSTRUCTOR), _person("Penguji Dua", Role.INSTRUCTOR)]
    participant = _person("Peserta PKA Utama")
    # Another participant of the same run, with a coach and a mentor of their own.
    other = EnrollmentFactory(course=run, user=_person("Peserta Lain"))
    other_coach, other_mentor = _person("Coach Lain", Role.INSTRUCTOR), _person("Mentor Lain")
    guide_assign(enrollment=other, user=other_coach, role=GuideRole.COACH, by=administrator)
    guide_assign(enrollment=other, user=other_mentor, role=GuideRole.MENTOR, by=administrator)

    # --- The participant enrolls from the catalogue.
    _sign_in(page, live_url, participant)
    page.goto(f"{live_url}{run.url}")
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_load_state()
    enrollment = Enrollment.objects.get(user=participant, course=run)

    # --- The administrator assigns the coach, the mentor and the examiners.
    _sign_in(page, live_url, administrator)
    _assign_in_browser(page, live_url, run, enrollment, coach, "Coach")
    _assign_in_browser(page, live_url, run, enrollment, mentor, "Mentor")
    for examiner in examiners:
        _assign_in_browser(page, live_url, run, enrollment, examiner, "Penguji")

    # --- The participant writes the plan from the course page and submits it.
    _sign_in(page, live_url, participant)
    page.goto(f"{live_url}{run.url}")
    page.get_by_role("link", name=re.compile("Proyek perubahan")).first.click()
    page.get_by_label("Judul").fill("Digitalisasi Layanan Izin Usaha Mikro")
    page.get_by_label("Masalah").fill("Izin usaha mikro diproses manual, rata-rata 14 hari kerja.")
    page.get_by_label("Tujuan").fill("Izin terbit dalam 3 hari kerja.")
    page.get_by_label("Pemangku kepentingan").fill("Kepala dinas, tim efektif, pelaku usaha.")
    today = timezone.localdate()
    for n, (title, days) in enumerate((("Membentuk tim efektif", 5), ("Uji coba layanan daring", 12))):
        page.locator(f"input[name='m-{n}-title']").fill(title)
        page.locator(f"input[name='m-{n}-due_on']").fill((today + datetime.timedelta(days=days)).isoformat())
    page.get_by_role("button", name="Simpan dan ajukan ke coach dan mentor").click()
    expect(page.locator("body")).to_contain_text("Rancangan diajukan")
    project = ChangeProject.objects.get(enrollment=enrollment)
    assert project.status == ProjectStatus.SUBMITTED and project.milestones.count() == 2

    # --- The mentor: a light view of their own participants only; approves.
    _sign_in(page, live_url, mentor)
    page.get_by_role("link", name="Peserta bimbingan saya").click()
    expect(page.locator("main")).to_contain_text(participant.full_name)
    expect(page.locator("main")).not_to_contain_text("Peserta Lain")
    page.get_by_role("link", name=participant.full_name).click()
    page.get_by_role("link", name="Buka halaman proyek").click()
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.reviews.filter(role=GuideRole.MENTOR).exists()

    # --- The coach: the same, and another participant's project is refused.
    _sign_in(page, live_url, coach)
    page.get_by_role("link", name="Peserta bimbingan saya").click()
    expect(page.locator("main")).to_contain_text(participant.full_name)
    expect(page.locator("main")).not_to_contain_text("Peserta Lain")
    assert page.goto(f"{live_url}/program/peserta/{other.pk}/proyek/").status == 403
    page.goto(f"{live_url}/program/peserta/{enrollment.pk}/proyek/")
    page.get_by_role("button", name="Setujui").click()
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED

    # --- The participant logs both short-term milestones.
    _sign_in(page, live_url, participant)
    page.goto(f"{live_url}/program/peserta/{enrollment.pk}/proyek/")
    milestones = list(project.milestones.order_by("due_on"))
    for milestone, text in zip(
        milestones, ("Tim efektif dibentuk dengan SK kepala dinas.", "Uji coba 40 izin."), strict=True
    ):
        card = page.locator(f"#tahapan-{milestone.pk}")
        card.get_by_label("Catatan kegiatan").fill(text)
        card.get_by_role("button", name="Simpan catatan").click()
        expect(page.locator(f"#tahapan-{milestone.pk}")).to_contain_text(text)

    # --- Mentor and coach confirm both milestones.
    for guide in (mentor, coach):
        _sign_in(page, live_url, guide)
        page.goto(f"{live_url}/program/peserta/{enrollment.pk}/proyek/")
        for milestone in milestones:
            page.locator(f"#tahapan-{milestone.pk}").get_by_role("button", name="Konfirmasi tahapan ini").click()
            page.wait_for_load_state()
    for milestone in milestones:
        milestone.refresh_from_db()
        assert milestone.coach_confirmed_at and milestone.mentor_confirmed_at

    # --- The seminar: the administrator schedules the participant.
    seminar = LiveSessionPage.objects.child_of(run).filter(phase__kind=PhaseKind.SEMINAR).first()
    assert seminar is not None, "the PKA template has a seminar session"
    _sign_in(page, live_url, administrator)
    page.goto(f"{live_url}/program/{run.pk}/seminar/")
    slot_form = page.locator("#slot-form")
    slot_form.locator("select[name=enrollment]").select_option(value=str(enrollment.pk))
    slot_form.locator("select[name=session]").select_option(value=str(seminar.pk))
    slot_form.locator("input[name=starts_at]").fill(timezone.localtime(seminar.starts_at).strftime("%Y-%m-%dT%H:%M"))
    slot_form.locator("input[name=room]").fill("Ruang Seminar 1")
    slot_form.get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("Ruang Seminar 1")

    # --- Two examiners score on a phone; the second does not see the first's scores before submitting.
    criteria = list(run.seminar_criteria.all())
    phone = browser.new_context(locale="id-ID", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        mobile = phone.new_page()
        for n, examiner in enumerate(examiners):
            mobile.context.clear_cookies()
            login(mobile, live_url, examiner.nip, DEMO_PASSWORD)
            mobile.goto(f"{live_url}/program/seminar/")
            mobile.get_by_role("link", name=participant.full_name).click()
            if n == 1:
                first_total = SeminarScoreSheet.objects.get(enrollment=enrollment, examiner=examiners[0]).total
                assert str(first_total) not in mobile.locator("main").inner_text()
                assert "Penguji Satu" not in mobile.locator("main").inner_text()
            for criterion in criteria:
                mobile.locator(f"input[name='score-{criterion.key}']").fill(str(88 + 4 * n))
            assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            mobile.once("dialog", lambda dialog: dialog.accept())
            mobile.get_by_role("button", name="Kirim nilai").click()
            expect(mobile.locator("main")).to_contain_text("dikirim")
        expect(mobile.locator("main")).to_contain_text("Penguji Satu")
    finally:
        phone.close()
    assert SeminarScoreSheet.objects.filter(enrollment=enrollment, submitted_at__isnull=False).count() == 2

    # --- The manager enters the other components and records the graduation decision.
    _sign_in(page, live_url, administrator)
    page.goto(f"{live_url}/program/{run.pk}/hasil/")
    row = page.locator(f"#result-{enrollment.pk}")
    for component in run.assessment_components.exclude(source="seminar"):
        row.locator("select[name=key]").select_option(value=component.key)
        row.locator("input[name=score]").fill("90")
        row.get_by_role("button", name="Simpan nilai").click()
        row = page.locator(f"#result-{enrollment.pk}")
    result = participant_result(enrollment=enrollment)
    assert result.complete and result.passes, result.missing
    expect(row).to_contain_text(result.predicate)
    row.locator("select[name=outcome]").select_option(value="lulus")
    row.get_by_role("button", name="Simpan keputusan").click()
    expect(page.locator(f"#result-{enrollment.pk}")).to_contain_text(re.compile(r"STTPP|Lulus"))
    decision = GraduationDecision.objects.get(enrollment=enrollment)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.predicate == decision.predicate and certificate.batch == "Angkatan II"

    # --- The participant's STTPP and its public verification.
    _sign_in(page, live_url, participant)
    page.goto(f"{live_url}/sertifikat/{certificate.code}/")
    expect(page.locator("#certificate-title")).to_have_text("STTPP")
    expect(page.locator("#certificate-predicate")).to_contain_text(decision.predicate)
    expect(page.locator("#certificate-batch")).to_have_text("Angkatan II")
    page.context.clear_cookies()
    page.goto(f"{live_url}/verifikasi/{certificate.code}/")
    expect(page.locator("#certificate-status")).to_have_text("Sah")
    expect(page.locator("#verify-predicate")).to_have_text(decision.predicate)
    assert not page.js_errors, page.js_errors
