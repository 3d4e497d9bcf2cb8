"""The change project (PKP/PKA/PKN II) and Latsar's habituation plan: the participant's plan, its review by the
coach and the mentor, then a logbook per milestone that both confirm. Services write, selectors read."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.access import user_can_review_project, user_can_write_project, user_guide_roles
from lms.files import MB, FileCheckError, FileKind, file_check, stored_files_discard
from lms.models import Enrollment, EnrollmentStatus, Programme
from lms.programmes.models import (
    ChangeProject,
    CoreValue,
    GuideRole,
    LogbookEntry,
    LogbookFile,
    Milestone,
    MilestoneComment,
    MilestoneTerm,
    ParticipantGuide,
    PlanReview,
    ProjectKind,
    ProjectPlanVersion,
    ProjectStatus,
    ReviewDecision,
)

LOGBOOK_KINDS = [FileKind.PDF, FileKind.IMAGE, FileKind.DOCX, FileKind.XLSX]
LOGBOOK_MAX_BYTES = 10 * MB
LOGBOOK_MAX_FILES = 5
LOGBOOK_FOLDER = "programmes/logbook"
EDITABLE = (ProjectStatus.DRAFT, ProjectStatus.RETURNED)


class ProjectError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class MilestoneInput:
    """One row of the milestones formset: pk None for a new one; remove to take it out of the plan."""

    title: str
    due_on: datetime.date | None
    term: str = MilestoneTerm.SHORT
    description: str = ""
    core_value: str = ""
    pk: int | None = None
    remove: bool = False


def project_kind_for(enrollment: Enrollment) -> str:
    # Latsar records habituation of the core values (BerAKHLAK); the leadership trainings a change project.
    return ProjectKind.HABITUATION if enrollment.course.programme == Programme.LATSAR else ProjectKind.CHANGE


def _guide_role(user, enrollment) -> str:
    roles = user_guide_roles(user, enrollment)
    if GuideRole.COACH in roles:
        return GuideRole.COACH
    if GuideRole.MENTOR in roles:
        return GuideRole.MENTOR
    raise ProjectError(_("Hanya coach atau mentor peserta ini yang dapat melakukannya."))


# --- Services ---------------------------------------------------------------------------------------------------


def project_save_draft(
    *,
    enrollment: Enrollment,
    by,
    title: str,
    problem: str = "",
    objectives: str = "",
    stakeholders: str = "",
    milestones: list[MilestoneInput] | None = None,
) -> ChangeProject:
    """Save the participant's plan while it is a draft or returned; milestones added, changed or removed."""
    if not user_can_write_project(by, enrollment):
        raise ProjectError(_("Hanya peserta yang dapat menyusun rancangan proyeknya."))
    title = (title or "").strip()
    if not title:
        raise ProjectError(_("Isi judul proyek."))
    with transaction.atomic():
        project = ChangeProject.objects.select_for_update().filter(enrollment=enrollment).first()
        if project is None:
            project = ChangeProject(enrollment=enrollment, kind=project_kind_for(enrollment))
        elif project.status not in EDITABLE:
            raise ProjectError(_("Rancangan yang sudah diajukan atau disetujui tidak dapat diubah."))
        project.title = title[:255]
        project.problem = (problem or "").strip()
        project.objectives = (objectives or "").strip()
        project.stakeholders = (stakeholders or "").strip()
        project.updated_at = timezone.now()
        project.save()
        if milestones is not None:
            _milestones_save(project, milestones)
    return project


def _milestones_save(project: ChangeProject, rows: list[MilestoneInput]) -> None:
    existing = {m.pk: m for m in project.milestones.filter(removed_at__isnull=True)}
    habituation = project.kind == ProjectKind.HABITUATION
    position = 0
    for row in rows:
        milestone = existing.get(row.pk) if row.pk else None
        if row.pk and milestone is None:
            raise ProjectError(_("Tahapan tidak ditemukan."))
        if row.remove:
            if milestone is not None:
                if milestone.logbook.exists():
                    # Its logbook is evidence: keep the milestone, marked as removed from the plan.
                    milestone.removed_at = timezone.now()
                    milestone.save(update_fields=["removed_at"])
                else:
                    milestone.comments.all().delete()
                    milestone.delete()
            continue
        title = (row.title or "").strip()
        if not title and milestone is None:
            continue  # an empty extra row of the formset
        if not title:
            raise ProjectError(_("Setiap tahapan perlu nama."))
        if row.due_on is None:
            raise ProjectError(_("Tahapan %(title)s perlu tanggal target.") % {"title": title})
        if row.term not in MilestoneTerm.values:
            raise ProjectError(_("Pilih jangka tahapan."))
        if row.core_value and row.core_value not in CoreValue.values:
            raise ProjectError(_("Pilih nilai dasar dari daftar."))
        if habituation and not row.core_value:
            raise ProjectError(_("Kegiatan habituasi %(title)s perlu nilai dasar (BerAKHLAK).") % {"title": title})
        milestone = milestone or Milestone(project=project)
        position += 1
        milestone.position = position
        milestone.title = title[:255]
        milestone.description = (row.description or "").strip()
        milestone.term = row.term
        milestone.due_on = row.due_on
        milestone.core_value = row.core_value or ""
        milestone.save()


def _snapshot(project: ChangeProject) -> dict:
    return {
        "kind": project.kind,
        "title": project.title,
        "problem": project.problem,
        "objectives": project.objectives,
        "stakeholders": project.stakeholders,
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "description": m.description,
                "term": m.term,
                "due_on": m.due_on.isoformat(),
                "core_value": m.core_value,
            }
            for m in project.milestones.filter(removed_at__isnull=True)
        ],
    }


def project_submit(*, project: ChangeProject, by) -> ProjectPlanVersion:
    """Submit the plan for review: a numbered version with the full snapshot; refused when the plan is empty."""
    if not user_can_write_project(by, project.enrollment):
        raise ProjectError(_("Hanya peserta yang dapat mengajukan rancangan proyeknya."))
    with transaction.atomic():
        project = ChangeProject.objects.select_for_update().get(pk=project.pk)
        if project.status not in EDITABLE:
            raise ProjectError(_("Rancangan ini sudah diajukan."))
        active = project.milestones.filter(removed_at__isnull=True)
        if not project.title or not project.problem:
            raise ProjectError(_("Isi judul dan masalah sebelum mengajukan."))
        if not active.filter(term=MilestoneTerm.SHORT).exists():
            raise ProjectError(_("Tambahkan sedikitnya satu tahapan jangka pendek dengan tanggal."))
        if project.kind == ProjectKind.HABITUATION and active.filter(core_value="").exists():
            raise ProjectError(_("Setiap kegiatan habituasi perlu nilai dasar (BerAKHLAK)."))
        number = (project.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = ProjectPlanVersion.objects.create(
            project=project, number=number, snapshot=_snapshot(project), submitted_by=by
        )
        project.status = ProjectStatus.SUBMITTED
        project.submitted_at = version.submitted_at
        project.updated_at = timezone.now()
        project.save(update_fields=["status", "submitted_at", "updated_at"])
    return version


def project_review(*, project: ChangeProject, reviewer, decision: str, comment: str = "") -> PlanReview:
    """The coach's or mentor's answer to the latest submitted version: return with a comment, or approve
    (approved once both approved that version)."""
    if not user_can_review_project(reviewer, project.enrollment):
        raise ProjectError(_("Hanya coach atau mentor peserta ini yang dapat menilai rancangan."))
    if decision not in ReviewDecision.values:
        raise ProjectError(_("Pilih keputusan."))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ProjectError(_("Tulis catatan perbaikan untuk peserta."))
    role = _guide_role(reviewer, project.enrollment)
    with transaction.atomic():
        project = ChangeProject.objects.select_for_update().get(pk=project.pk)
        if project.status != ProjectStatus.SUBMITTED:
            raise ProjectError(_("Tidak ada rancangan yang menunggu persetujuan."))
        version = project.versions.order_by("-number").first()
        review = PlanReview.objects.create(
            project=project, version=version, reviewer=reviewer, role=role, decision=decision, comment=comment
        )
        now = timezone.now()
        if decision == ReviewDecision.RETURN:
            project.status = ProjectStatus.RETURNED
        else:
            approved_roles = set(version.reviews.filter(decision=ReviewDecision.APPROVE).values_list("role", flat=True))
            if {GuideRole.COACH, GuideRole.MENTOR} <= approved_roles:
                project.status = ProjectStatus.APPROVED
                project.approved_at = now
        project.updated_at = now
        project.save(update_fields=["status", "approved_at", "updated_at"])
    return review


def logbook_add(*, milestone: Milestone, author, text: str, files: list[UploadedFile] | None = None) -> LogbookEntry:
    """A logbook entry on a milestone of an approved plan, by the participant, with checked files and photos."""
    project = milestone.project
    if not user_can_write_project(author, project.enrollment):
        raise ProjectError(_("Hanya peserta yang dapat mengisi logbook."))
    if project.status != ProjectStatus.APPROVED:
        raise ProjectError(_("Logbook dapat diisi setelah rancangan disetujui coach dan mentor."))
    if milestone.removed_at is not None:
        raise ProjectError(_("Tahapan ini sudah dihapus dari rancangan."))
    text = (text or "").strip()
    if not text:
        raise ProjectError(_("Tulis catatan kegiatan."))
    files = [f for f in (files or []) if f]
    if len(files) > LOGBOOK_MAX_FILES:
        raise ProjectError(_("Paling banyak %(n)s berkas per catatan.") % {"n": LOGBOOK_MAX_FILES})
    checked = []
    for upload in files:
        try:
            checked.append((upload, file_check(upload=upload, kinds=LOGBOOK_KINDS, max_bytes=LOGBOOK_MAX_BYTES)))
        except FileCheckError as error:
            raise ProjectError(error.message) from None
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            entry = LogbookEntry.objects.create(milestone=milestone, author=author, text=text)
            for upload, result in checked:
                upload.seek(0)
                name = default_storage.save(
                    f"{LOGBOOK_FOLDER}/{project.pk}/{uuid.uuid4().hex}.{result.extension}", upload
                )
                stored_names.append(name)
                LogbookFile.objects.create(
                    entry=entry, file=name, name=result.name, content_type=result.content_type, size=result.size
                )
    except Exception:
        stored_files_discard(names=stored_names)
        raise
    return entry


def milestone_comment(*, milestone: Milestone, author, text: str) -> MilestoneComment:
    """A coach's or mentor's comment on a milestone."""
    if not user_can_review_project(author, milestone.project.enrollment):
        raise ProjectError(_("Hanya coach atau mentor peserta ini yang dapat berkomentar."))
    text = (text or "").strip()
    if not text:
        raise ProjectError(_("Tulis komentar."))
    role = _guide_role(author, milestone.project.enrollment)
    return MilestoneComment.objects.create(milestone=milestone, author=author, role=role, text=text)


def milestone_confirm(*, milestone: Milestone, by) -> Milestone:
    """The coach or the mentor confirms a milestone (each their own mark); confirmed once both did."""
    project = milestone.project
    if not user_can_review_project(by, project.enrollment):
        raise ProjectError(_("Hanya coach atau mentor peserta ini yang dapat mengonfirmasi tahapan."))
    if project.status != ProjectStatus.APPROVED:
        raise ProjectError(_("Rancangan belum disetujui."))
    roles = user_guide_roles(by, project.enrollment)
    now = timezone.now()
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        fields = []
        if GuideRole.COACH in roles and milestone.coach_confirmed_at is None:
            milestone.coach_confirmed_at, milestone.coach_confirmed_by = now, by
            fields += ["coach_confirmed_at", "coach_confirmed_by"]
        if GuideRole.MENTOR in roles and milestone.mentor_confirmed_at is None:
            milestone.mentor_confirmed_at, milestone.mentor_confirmed_by = now, by
            fields += ["mentor_confirmed_at", "mentor_confirmed_by"]
        if fields:
            milestone.save(update_fields=fields)
    return milestone


# --- Selectors --------------------------------------------------------------------------------------------------


class ProjectState:
    NOT_STARTED = "belum_mulai"
    DRAFT = "draf"
    WAITING = "menunggu"
    RETURNED = "dikembalikan"
    ON_TRACK = "sesuai_jadwal"
    LATE = "terlambat"

    LABELS = {
        NOT_STARTED: gettext_lazy("Belum mulai"),
        DRAFT: gettext_lazy("Draf"),
        WAITING: gettext_lazy("Menunggu persetujuan"),
        RETURNED: gettext_lazy("Dikembalikan"),
        ON_TRACK: gettext_lazy("Sesuai jadwal"),
        LATE: gettext_lazy("Terlambat"),
    }


def _state(project: ChangeProject | None, milestones: list[Milestone], today: datetime.date) -> str:
    if project is None:
        return ProjectState.NOT_STARTED
    if project.status == ProjectStatus.DRAFT:
        return ProjectState.DRAFT
    if project.status == ProjectStatus.SUBMITTED:
        return ProjectState.WAITING
    if project.status == ProjectStatus.RETURNED:
        return ProjectState.RETURNED
    late = any(m.term == MilestoneTerm.SHORT and m.due_on < today and not m.confirmed for m in milestones)
    return ProjectState.LATE if late else ProjectState.ON_TRACK


def project_status(project: ChangeProject | None, today: datetime.date | None = None) -> str:
    """On track, late (a short-term milestone past its date and not confirmed), waiting, returned, draft or not
    started: a ProjectState value."""
    today = today or timezone.localdate()
    milestones = list(project.milestones.filter(removed_at__isnull=True)) if project is not None else []
    return _state(project, milestones, today)


@dataclass
class ProjectRow:
    enrollment: Enrollment
    project: ChangeProject | None
    coach: str = ""
    mentor: str = ""
    state: str = ProjectState.NOT_STARTED
    confirmed: int = 0
    total: int = 0
    milestones: list = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(ProjectState.LABELS[self.state])


def course_projects(*, course, today: datetime.date | None = None) -> list[ProjectRow]:
    """Every active participant's project on one course, with its guides and state (a few queries)."""
    today = today or timezone.localdate()
    guides = ParticipantGuide.objects.filter(
        ended_at__isnull=True, role__in=[GuideRole.COACH, GuideRole.MENTOR]
    ).select_related("user")
    enrollments = (
        Enrollment.objects.filter(course=course)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .select_related("user", "change_project")
        .prefetch_related(Prefetch("guides", queryset=guides, to_attr="current_guides"))
        .order_by("user__full_name", "pk")
    )
    enrollments = list(enrollments)
    project_ids = [e.change_project.pk for e in enrollments if _project(e) is not None]
    by_project: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(project_id__in=project_ids, removed_at__isnull=True):
        by_project.setdefault(m.project_id, []).append(m)
    rows = []
    for enrollment in enrollments:
        project = _project(enrollment)
        milestones = by_project.get(project.pk, []) if project else []
        row = ProjectRow(enrollment=enrollment, project=project, milestones=milestones)
        for guide in enrollment.current_guides:
            setattr(row, guide.role, _person(guide.user))
        row.state = _state(project, milestones, today)
        row.total = len(milestones)
        row.confirmed = sum(1 for m in milestones if m.confirmed)
        rows.append(row)
    return rows


def _project(enrollment: Enrollment) -> ChangeProject | None:
    try:
        return enrollment.change_project
    except ChangeProject.DoesNotExist:
        return None


def _person(user) -> str:
    return user.full_name or user.get_username()


def project_for_page(enrollment: Enrollment) -> ChangeProject | None:
    """The participant's project with milestones, logbook, files, comments and reviews for one page."""
    return (
        ChangeProject.objects.filter(enrollment=enrollment)
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.prefetch_related("logbook__files", "comments__author").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch("versions", queryset=ProjectPlanVersion.objects.order_by("-number")),
            Prefetch("reviews", queryset=PlanReview.objects.select_related("reviewer", "version").order_by("-pk")),
        )
        .first()
    )


def milestones_count(project: ChangeProject) -> tuple[int, int]:
    """(confirmed, total) of a project's current milestones."""
    totals = project.milestones.filter(removed_at__isnull=True).aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(coach_confirmed_at__isnull=False, mentor_confirmed_at__isnull=False)),
    )
    return totals["confirmed"], totals["total"]
