"""The change project: plan → review by coach and mentor → logbook with evidence → milestones confirmed; the
manager's list of every project's state; Latsar's habituation plan against the core values."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from lms.factories import CoursePageFactory, UserFactory
from lms.models import Programme
from lms.programmes.models import (
    ChangeProject,
    CoreValue,
    GuideRole,
    LogbookFile,
    Milestone,
    MilestoneComment,
    MilestoneTerm,
    ParticipantGuide,
    PlanReview,
    ProjectKind,
    ProjectStatus,
    ReviewDecision,
)
from lms.programmes.projects import (
    MilestoneInput,
    ProjectError,
    ProjectState,
    course_projects,
    logbook_add,
    milestone_comment,
    milestone_confirm,
    project_review,
    project_save_draft,
    project_status,
    project_submit,
)
from lms.services import enrollment_create
from tests.assignments.submit_helpers import HTML, PDF, SVG, image, upload
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401

TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def pka(catalogue):
    return CoursePageFactory(parent=catalogue, title="PKA Angkatan I", programme=Programme.PKA)


def _participant(course, *, coach=None, mentor=None):
    enrollment = enrollment_create(user=UserFactory(), course=course)
    for user, role in ((coach, GuideRole.COACH), (mentor, GuideRole.MENTOR)):
        if user is not None:
            ParticipantGuide.objects.create(enrollment=enrollment, user=user, role=role)
    return enrollment


@pytest.fixture
def guided(pka):
    coach, mentor = UserFactory(full_name="Coach Uji"), UserFactory(full_name="Mentor Uji")
    return _participant(pka, coach=coach, mentor=mentor), coach, mentor


def _plan(enrollment, *, due=TODAY + datetime.timedelta(days=10), core_value=""):
    return project_save_draft(
        enrollment=enrollment,
        by=enrollment.user,
        title="Digitalisasi layanan izin",
        problem="Antrean izin panjang.",
        objectives="Izin selesai dalam 3 hari.",
        stakeholders="Kepala dinas, DPMPTSP",
        milestones=[
            MilestoneInput(title="Rancang alur", due_on=due, core_value=core_value),
            MilestoneInput(
                title="Perluasan",
                due_on=due + datetime.timedelta(days=90),
                term=MilestoneTerm.LONG,
                core_value=core_value,
            ),
        ],
    )


def _approved(enrollment, coach, mentor):
    project = _plan(enrollment)
    project_submit(project=project, by=enrollment.user)
    project_review(project=project, reviewer=coach, decision=ReviewDecision.APPROVE)
    project_review(project=project, reviewer=mentor, decision=ReviewDecision.APPROVE)
    project.refresh_from_db()
    return project


def test_when_plan_returned_then_resubmitted_and_approved_by_both_then_logbook_and_confirmation_work(
    guided, media_root
):
    enrollment, coach, mentor = guided
    project = _plan(enrollment)
    assert project.kind == ProjectKind.CHANGE and project.milestones.count() == 2

    version = project_submit(project=project, by=enrollment.user)
    assert version.number == 1 and version.snapshot["milestones"][0]["title"] == "Rancang alur"
    project_review(project=project, reviewer=coach, decision=ReviewDecision.RETURN, comment="Perjelas indikator.")
    project.refresh_from_db()
    assert project.status == ProjectStatus.RETURNED
    page = client_for(enrollment.user).get(reverse("programmes:project", args=[enrollment.pk]))
    assert b"Perjelas indikator." in page.content

    client_for(enrollment.user).post(
        reverse("programmes:project", args=[enrollment.pk]),
        {
            "title": "Digitalisasi layanan izin v2",
            "problem": "Antrean izin panjang.",
            "m-total": "2",
            "m-0-pk": str(project.milestones.get(title="Rancang alur").pk),
            "m-0-title": "Rancang alur",
            "m-0-term": MilestoneTerm.SHORT,
            "m-0-due_on": (TODAY + datetime.timedelta(days=10)).isoformat(),
            "m-1-title": "",
            "submit": "1",
        },
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.title.endswith("v2")
    assert project.versions.count() == 2
    assert list(project.milestones.values_list("title", flat=True)) == ["Rancang alur", "Perluasan"]

    project_review(project=project, reviewer=coach, decision=ReviewDecision.APPROVE)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED  # the mentor has not answered yet
    client_for(mentor).post(reverse("programmes:project_review", args=[enrollment.pk]), {"decision": "setuju"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED and project.approved_at is not None
    assert PlanReview.objects.filter(version__number=2, decision=ReviewDecision.APPROVE).count() == 2

    milestone = project.milestones.get(title="Rancang alur")
    response = client_for(enrollment.user).post(
        reverse("programmes:logbook_add", args=[enrollment.pk, milestone.pk]),
        {
            "text": "Rapat dengan kepala dinas.",
            "files": [upload("notulen.pdf", PDF), upload("foto.jpg", image("JPEG"))],
        },
    )
    assert response.status_code == 302
    entry = milestone.logbook.get()
    files = list(LogbookFile.objects.filter(entry=entry).order_by("pk"))
    assert [(f.name, f.content_type) for f in files] == [("notulen.pdf", "application/pdf"), ("foto.jpg", "image/jpeg")]
    assert all(f.file.name.startswith(f"programmes/logbook/{project.pk}/") for f in files)
    download = client_for(coach).get(reverse("programmes:logbook_file", args=[files[0].pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert client_for(UserFactory()).get(reverse("programmes:logbook_file", args=[files[0].pk])).status_code == 403

    milestone_comment(milestone=milestone, author=coach, text="Lampirkan daftar hadir.")
    assert MilestoneComment.objects.get(milestone=milestone).role == GuideRole.COACH
    milestone_confirm(milestone=milestone, by=coach)
    milestone.refresh_from_db()
    assert milestone.coach_confirmed_by == coach and not milestone.confirmed
    client_for(mentor).post(reverse("programmes:milestone_confirm", args=[enrollment.pk, milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.confirmed and milestone.mentor_confirmed_by == mentor


def test_when_malicious_file_uploaded_then_refused_and_nothing_stored(guided, media_root):
    enrollment, coach, mentor = guided
    project = _approved(enrollment, coach, mentor)
    milestone = project.milestones.first()
    for bad in (upload("laporan.pdf", HTML), upload("gambar.svg", SVG), upload("foto.png", SVG)):
        with pytest.raises(ProjectError):
            logbook_add(milestone=milestone, author=enrollment.user, text="Bukti", files=[upload("ok.pdf", PDF), bad])
    assert not milestone.logbook.exists() and not LogbookFile.objects.exists()
    assert not (media_root / "programmes").exists() or not any((media_root / "programmes").rglob("*.*"))


def test_when_plan_not_approved_then_logbook_refused(guided):
    enrollment, _coach, _mentor = guided
    project = _plan(enrollment)
    with pytest.raises(ProjectError):
        logbook_add(milestone=project.milestones.first(), author=enrollment.user, text="Terlalu cepat")


def test_when_empty_plan_submitted_then_refused(guided):
    enrollment, _coach, _mentor = guided
    project = project_save_draft(
        enrollment=enrollment,
        by=enrollment.user,
        title="Judul saja",
        milestones=[MilestoneInput(title="Jangka panjang saja", due_on=TODAY, term=MilestoneTerm.LONG)],
    )
    with pytest.raises(ProjectError):
        project_submit(project=project, by=enrollment.user)
    project.problem = "Ada masalah"
    project.save()
    with pytest.raises(ProjectError):  # still no short-term milestone
        project_submit(project=project, by=enrollment.user)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT and not project.versions.exists()


def test_when_someone_elses_coach_reviews_then_refused(pka, guided):
    enrollment, coach, _mentor = guided
    other = _participant(pka, coach=UserFactory(), mentor=UserFactory())
    other_coach = other.guides.get(role=GuideRole.COACH).user
    project = _plan(enrollment)
    project_submit(project=project, by=enrollment.user)
    with pytest.raises(ProjectError):
        project_review(project=project, reviewer=other_coach, decision=ReviewDecision.APPROVE)
    response = client_for(other_coach).post(
        reverse("programmes:project_review", args=[enrollment.pk]), {"decision": "setuju"}
    )
    assert response.status_code == 403
    assert not PlanReview.objects.exists()


def test_when_participant_confirms_own_milestone_then_refused(guided):
    enrollment, coach, mentor = guided
    project = _approved(enrollment, coach, mentor)
    milestone = project.milestones.first()
    with pytest.raises(ProjectError):
        milestone_confirm(milestone=milestone, by=enrollment.user)
    url = reverse("programmes:milestone_confirm", args=[enrollment.pk, milestone.pk])
    assert client_for(enrollment.user).post(url).status_code == 403
    milestone.refresh_from_db()
    assert milestone.coach_confirmed_at is None and milestone.mentor_confirmed_at is None


def test_when_milestone_with_logbook_removed_then_kept_as_removed(guided, media_root):
    enrollment, coach, mentor = guided
    project = _approved(enrollment, coach, mentor)
    kept, dropped = project.milestones.order_by("position")
    logbook_add(milestone=kept, author=enrollment.user, text="Sudah jalan")
    # A later round: the plan is back with the participant.
    ChangeProject.objects.filter(pk=project.pk).update(status=ProjectStatus.RETURNED)
    project_save_draft(
        enrollment=enrollment,
        by=enrollment.user,
        title=project.title,
        problem=project.problem,
        milestones=[
            MilestoneInput(pk=kept.pk, title=kept.title, due_on=kept.due_on, remove=True),
            MilestoneInput(pk=dropped.pk, title=dropped.title, due_on=dropped.due_on, remove=True),
            MilestoneInput(title="Baru", due_on=TODAY),
        ],
    )
    kept.refresh_from_db()
    assert kept.removed_at is not None and kept.logbook.count() == 1
    assert not Milestone.objects.filter(pk=dropped.pk).exists()


def test_when_manager_lists_projects_then_states_are_computed(pka, administrator, guided):
    enrollment, coach, mentor = guided
    on_track = _approved(enrollment, coach, mentor)
    late_enrollment = _participant(pka, coach=UserFactory(), mentor=UserFactory())
    late_coach = late_enrollment.guides.get(role=GuideRole.COACH).user
    late_mentor = late_enrollment.guides.get(role=GuideRole.MENTOR).user
    late = _plan(late_enrollment, due=TODAY - datetime.timedelta(days=1))
    project_submit(project=late, by=late_enrollment.user)
    for reviewer in (late_coach, late_mentor):
        project_review(project=late, reviewer=reviewer, decision=ReviewDecision.APPROVE)
    waiting_enrollment = _participant(pka)
    project_submit(project=_plan(waiting_enrollment), by=waiting_enrollment.user)
    idle = _participant(pka)

    assert project_status(on_track, TODAY) == ProjectState.ON_TRACK
    late.refresh_from_db()
    assert project_status(late, TODAY) == ProjectState.LATE
    rows = {row.enrollment.pk: row for row in course_projects(course=pka, today=TODAY)}
    assert rows[enrollment.pk].state == ProjectState.ON_TRACK
    assert rows[enrollment.pk].coach == "Coach Uji" and rows[enrollment.pk].mentor == "Mentor Uji"
    assert rows[late_enrollment.pk].state == ProjectState.LATE
    assert rows[waiting_enrollment.pk].state == ProjectState.WAITING
    assert rows[idle.pk].state == ProjectState.NOT_STARTED
    assert (rows[enrollment.pk].confirmed, rows[enrollment.pk].total) == (0, 2)

    # Once both confirmed the late milestone, the project is no longer late.
    overdue = late.milestones.get(term=MilestoneTerm.SHORT)
    milestone_confirm(milestone=overdue, by=late_coach)
    milestone_confirm(milestone=overdue, by=late_mentor)
    assert project_status(late, TODAY) == ProjectState.ON_TRACK

    client = client_for(administrator)
    page = client.get(reverse("programmes:course_projects", args=[pka.pk]))
    assert page.status_code == 200 and b"Digitalisasi layanan izin" in page.content
    xlsx = client.get(reverse("programmes:course_projects", args=[pka.pk]), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_when_course_projects_listed_then_query_count_does_not_grow(pka, django_assert_max_num_queries):
    for _ in range(6):
        enrollment = _participant(pka, coach=UserFactory(), mentor=UserFactory())
        _plan(enrollment)
    with django_assert_max_num_queries(4):
        rows = course_projects(course=pka, today=TODAY)
        assert len(rows) == 6 and all(row.coach for row in rows)


def test_when_latsar_habituation_then_core_value_required(catalogue):
    latsar = CoursePageFactory(parent=catalogue, title="Latsar CPNS Angkatan I", programme=Programme.LATSAR)
    enrollment = _participant(latsar)
    with pytest.raises(ProjectError):
        _plan(enrollment)
    assert not ChangeProject.objects.exists()
    project = _plan(enrollment, core_value=CoreValue.ACCOUNTABLE)
    assert project.kind == ProjectKind.HABITUATION
    assert project.milestones.count() == 2 and not project.milestones.filter(core_value="").exists()
