"""Leadership and basic training as they are run (Latsar CPNS, PKP, PKA, PKN II): a programme's structure,
the people who guide and examine each participant, the change project, the seminar and the graduation decision.

The structure of a run (phases, assessment components and weights, predicate bands, seminar criteria) lives in
one place: rows that belong to its CoursePage (ParentalKey, edited and revisioned with the course page). The
templates it is created from (ProgrammeTemplate) hold the same kinds of rows; a run is a copy, so editing a
template never changes a running course. Grading (lms.programmes.grading) reads the run's rows and nothing else:
no weight or threshold is written in code.

Components and criteria are named by a `key` that scores refer to (not by a foreign key), so that an editor may
rename, reorder or remove one without touching a score already given."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from lms.models import Programme

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class PhaseKind(models.TextChoices):
    SELF_STUDY = "mandiri", _("Belajar mandiri")
    DISTANCE = "jarak_jauh", _("Pembelajaran jarak jauh")
    CLASSROOM = "klasikal", _("Pembelajaran klasikal")
    WORKPLACE = "tempat_kerja", _("Di tempat kerja (aktualisasi/aksi perubahan)")
    SEMINAR = "seminar", _("Seminar")


class StepKind(models.TextChoices):
    MODULE = "modul", _("Modul")
    ASSIGNMENT = "tugas", _("Tugas")
    LIVE_SESSION = "sesi", _("Sesi langsung")


class ComponentSource(models.TextChoices):
    """Where a component's score (0–100) comes from."""

    MANUAL = "manual", _("Dinilai pengelola/pembimbing (mis. sikap perilaku)")
    ACADEMIC = "akademik", _("Evaluasi akademik: kuis dan tugas pelatihan")
    PROJECT = "proyek", _("Proyek perubahan/aktualisasi (nilai coach dan mentor)")
    SEMINAR = "seminar", _("Seminar (rata-rata panel penguji)")


# --- Templates ------------------------------------------------------------------------------------------------


class ProgrammeTemplate(ClusterableModel):
    """A programme's standard shape, from which a run is created in one step (lms.programmes.services)."""

    name = models.CharField(_("nama templat"), max_length=150, unique=True)
    programme = models.CharField(_("program"), max_length=16, choices=Programme.choices)
    description = models.TextField(_("keterangan"), blank=True)
    jp_credit = models.PositiveSmallIntegerField(_("JP"), default=0)
    # Whether the shape, weights and thresholds were checked against a public regulation (LAN's decrees).
    confirmed = models.BooleanField(_("sesuai peraturan (terkonfirmasi)"), default=False)
    note = models.CharField(_("catatan/sumber"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("templat program")
        verbose_name_plural = _("templat program")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplatePhase(Orderable):
    template = ParentalKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("nama fase"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=16, choices=PhaseKind.choices)
    # Days from the run's first day; a run's phase dates are computed from these and then editable.
    offset_days = models.PositiveSmallIntegerField(_("mulai hari ke- (dari 0)"), default=0)
    duration_days = models.PositiveSmallIntegerField(_("lama (hari)"), default=7)

    def __str__(self) -> str:
        return self.name


class TemplateStep(Orderable):
    """A standard step of a phase, created as a draft page of the run."""

    template = ParentalKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="steps")
    phase_number = models.PositiveSmallIntegerField(_("fase ke-"), help_text=_("Urutan fase, mulai 1."))
    title = models.CharField(_("judul"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=8, choices=StepKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("durasi (menit)"), default=45)

    def __str__(self) -> str:
        return self.title


class TemplateComponent(Orderable):
    template = ParentalKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="components")
    key = models.SlugField(_("kode"), max_length=40)
    name = models.CharField(_("komponen penilaian"), max_length=150)
    weight = models.DecimalField(_("bobot (%)"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    source = models.CharField(_("sumber nilai"), max_length=10, choices=ComponentSource.choices)

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class TemplatePredicate(Orderable):
    template = ParentalKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="predicates")
    name = models.CharField(_("predikat"), max_length=60)
    min_score = models.DecimalField(_("nilai akhir minimal"), max_digits=5, decimal_places=2)
    passes = models.BooleanField(_("lulus"), default=True)

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_score}"


class TemplateCriterion(Orderable):
    template = ParentalKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("kode"), max_length=40)
    name = models.CharField(_("kriteria seminar"), max_length=200)
    weight = models.DecimalField(_("bobot (%)"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    description = models.TextField(_("keterangan"), blank=True)

    def __str__(self) -> str:
        return self.name


# --- A run's structure (children of its CoursePage) ------------------------------------------------------------


class CoursePhase(Orderable):
    """A phase of a run: a section of its path. Its steps (PathItemPage.phase) open from `starts_on`."""

    course = ParentalKey("lms.CoursePage", on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("nama fase"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("mulai"), null=True, blank=True)
    ends_on = models.DateField(_("selesai"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("fase")
        verbose_name_plural = _("fase")

    def __str__(self) -> str:
        return self.name


class AssessmentComponent(Orderable):
    course = ParentalKey("lms.CoursePage", on_delete=models.CASCADE, related_name="assessment_components")
    key = models.SlugField(_("kode"), max_length=40)
    name = models.CharField(_("komponen penilaian"), max_length=150)
    weight = models.DecimalField(_("bobot (%)"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    source = models.CharField(_("sumber nilai"), max_length=10, choices=ComponentSource.choices)

    class Meta(Orderable.Meta):
        verbose_name = _("komponen penilaian")
        verbose_name_plural = _("komponen penilaian")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class PredicateBand(Orderable):
    """A predicate from a final score upwards (the highest band reached applies); `passes` False: not passed."""

    course = ParentalKey("lms.CoursePage", on_delete=models.CASCADE, related_name="predicate_bands")
    name = models.CharField(_("predikat"), max_length=60)
    min_score = models.DecimalField(_("nilai akhir minimal"), max_digits=5, decimal_places=2)
    passes = models.BooleanField(_("lulus"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("predikat")
        verbose_name_plural = _("predikat")

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_score}"


class SeminarCriterion(Orderable):
    course = ParentalKey("lms.CoursePage", on_delete=models.CASCADE, related_name="seminar_criteria")
    key = models.SlugField(_("kode"), max_length=40)
    name = models.CharField(_("kriteria seminar"), max_length=200)
    weight = models.DecimalField(_("bobot (%)"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    description = models.TextField(_("keterangan"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("kriteria seminar")
        verbose_name_plural = _("kriteria seminar")

    def __str__(self) -> str:
        return self.name


# --- People ----------------------------------------------------------------------------------------------------


class GuideRole(models.TextChoices):
    COACH = "coach", _("Coach")
    MENTOR = "mentor", _("Mentor")
    EXAMINER = "penguji", _("Penguji")


class ParticipantGuide(models.Model):
    """Who guides or examines one participant of a run: one coach and one mentor each, a panel of examiners.
    A withdrawn assignment is kept (ended_at) so that past comments and scores keep their author's role."""

    enrollment = models.ForeignKey("lms.Enrollment", on_delete=models.PROTECT, related_name="guides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guided")
    role = models.CharField(_("peran"), max_length=8, choices=GuideRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pembimbing/penguji peserta")
        verbose_name_plural = _("pembimbing/penguji peserta")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="programmes_guide_once",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "role"],
                condition=models.Q(ended_at__isnull=True, role__in=["coach", "mentor"]),
                name="programmes_one_coach_one_mentor",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="programmes_guide_user")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user} → {self.enrollment_id}"


# --- Change project / habituation ------------------------------------------------------------------------------


class ProjectKind(models.TextChoices):
    CHANGE = "aksi_perubahan", _("Aksi perubahan")
    HABITUATION = "aktualisasi", _("Habituasi/aktualisasi nilai dasar")


class ProjectStatus(models.TextChoices):
    DRAFT = "draf", _("Draf")
    SUBMITTED = "diajukan", _("Menunggu persetujuan")
    RETURNED = "dikembalikan", _("Dikembalikan untuk diperbaiki")
    APPROVED = "disetujui", _("Disetujui")


class CoreValue(models.TextChoices):
    """BerAKHLAK, the core values of ASN (SE MenPANRB 20/2021) that Latsar's habituation records."""

    SERVICE = "berorientasi_pelayanan", _("Berorientasi Pelayanan")
    ACCOUNTABLE = "akuntabel", _("Akuntabel")
    COMPETENT = "kompeten", _("Kompeten")
    HARMONIOUS = "harmonis", _("Harmonis")
    LOYAL = "loyal", _("Loyal")
    ADAPTIVE = "adaptif", _("Adaptif")
    COLLABORATIVE = "kolaboratif", _("Kolaboratif")


class ChangeProject(models.Model):
    """A participant's change project (PKP/PKA/PKN II) or habituation plan (Latsar): the plan, then a logbook per
    milestone. Every submission of the plan is kept as a version (ProjectPlanVersion)."""

    enrollment = models.OneToOneField("lms.Enrollment", on_delete=models.PROTECT, related_name="change_project")
    kind = models.CharField(_("jenis"), max_length=16, choices=ProjectKind.choices, default=ProjectKind.CHANGE)
    title = models.CharField(_("judul"), max_length=255)
    problem = models.TextField(_("masalah"), blank=True)
    objectives = models.TextField(_("tujuan"), blank=True)
    stakeholders = models.TextField(_("pemangku kepentingan"), blank=True)
    status = models.CharField(_("status"), max_length=14, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("proyek perubahan")
        verbose_name_plural = _("proyek perubahan")

    def __str__(self) -> str:
        return self.title


class ProjectPlanVersion(models.Model):
    """The plan as submitted (title, problem, objectives, stakeholders, milestones), numbered from 1."""

    project = models.ForeignKey(ChangeProject, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="programmes_plan_version_once")]

    def __str__(self) -> str:
        return f"{self.project_id} v{self.number}"


class ReviewDecision(models.TextChoices):
    APPROVE = "setuju", _("Setujui")
    RETURN = "kembalikan", _("Kembalikan dengan catatan")


class PlanReview(models.Model):
    """A coach's or mentor's answer to one submitted version of the plan. The plan is approved when both the
    coach and the mentor approved the same (latest) version."""

    project = models.ForeignKey(ChangeProject, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(ProjectPlanVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("peran"), max_length=8, choices=GuideRole.choices)
    decision = models.CharField(_("keputusan"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.get_decision_display()}"


class MilestoneTerm(models.TextChoices):
    SHORT = "pendek", _("Jangka pendek (selama pelatihan)")
    LONG = "panjang", _("Jangka panjang (setelah pelatihan)")


class Milestone(models.Model):
    project = models.ForeignKey(ChangeProject, on_delete=models.PROTECT, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("tahapan"), max_length=255)
    description = models.TextField(_("kegiatan"), blank=True)
    term = models.CharField(_("jangka"), max_length=8, choices=MilestoneTerm.choices, default=MilestoneTerm.SHORT)
    due_on = models.DateField(_("target selesai"))
    core_value = models.CharField(_("nilai dasar"), max_length=24, choices=CoreValue.choices, blank=True)
    coach_confirmed_at = models.DateTimeField(null=True, blank=True)
    coach_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentor_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A milestone removed from a later version of the plan is kept (its logbook stays), marked removed.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def confirmed(self) -> bool:
        return self.coach_confirmed_at is not None and self.mentor_confirmed_at is not None


class LogbookEntry(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="logbook")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("catatan kegiatan"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone_id} · {self.created_at:%Y-%m-%d}"


def logbook_file_path(instance: LogbookFile, filename: str) -> str:
    # Siger chooses the stored name (lms.files); the original name is kept in `name`.
    return f"programmes/logbook/{instance.entry.milestone.project_id}/{filename}"


class LogbookFile(models.Model):
    entry = models.ForeignKey(LogbookEntry, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=logbook_file_path, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class MilestoneComment(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("peran"), max_length=8, choices=GuideRole.choices)
    text = models.TextField(_("komentar"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.milestone_id}"


# --- Seminar ---------------------------------------------------------------------------------------------------


class SeminarSlot(models.Model):
    """A participant's turn in a seminar session (a LiveSessionPage); the panel is their examiners."""

    session = models.ForeignKey("lms.LiveSessionPage", on_delete=models.PROTECT, related_name="seminar_slots")
    enrollment = models.ForeignKey("lms.Enrollment", on_delete=models.PROTECT, related_name="seminar_slots")
    starts_at = models.DateTimeField(_("jadwal"))
    room = models.CharField(_("ruang"), max_length=100, blank=True)

    class Meta:
        ordering = ["session", "starts_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "enrollment"], name="programmes_slot_once")]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.enrollment_id} · {self.starts_at:%Y-%m-%d %H:%M}"


class SeminarScoreSheet(models.Model):
    """One examiner's scores of one participant: {criterion key: 0–100}. Hidden from the other examiners until
    this one is submitted; once submitted it is final (a correction is a new sheet by the manager, not an edit).
    `criteria` keeps the criteria (key, name, weight) as they were when submitted."""

    enrollment = models.ForeignKey("lms.Enrollment", on_delete=models.PROTECT, related_name="seminar_sheets")
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(default=dict)
    criteria = models.JSONField(default=list)
    comment = models.TextField(_("catatan penguji"), blank=True)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "examiner"], name="programmes_one_sheet_per_examiner")
        ]

    def __str__(self) -> str:
        return f"{self.examiner_id} → {self.enrollment_id}"


# --- Final result ----------------------------------------------------------------------------------------------


class ComponentScore(models.Model):
    """A score given for a component (manual components, the project, or an override of a computed one). Never
    edited: the latest per (enrollment, key) counts, the earlier ones are the history."""

    enrollment = models.ForeignKey("lms.Enrollment", on_delete=models.PROTECT, related_name="component_scores")
    key = models.SlugField(max_length=40)
    score = models.DecimalField(max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrollment", "key", "entered_at", "pk"]
        indexes = [models.Index(fields=["enrollment", "key"], name="programmes_score_key")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.key}: {self.score}"


class GraduationOutcome(models.TextChoices):
    PASSED = "lulus", _("Lulus")
    FAILED = "tidak_lulus", _("Tidak lulus")
    DEFERRED = "ditunda", _("Ditunda")


class GraduationDecision(models.Model):
    """The course manager's decision on a participant, with the result it was taken on (snapshot). The latest
    decision counts; a passed participant's STTPP is issued with `predicate`, a failed one keeps their record."""

    enrollment = models.ForeignKey("lms.Enrollment", on_delete=models.PROTECT, related_name="graduation_decisions")
    outcome = models.CharField(_("keputusan"), max_length=12, choices=GraduationOutcome.choices)
    reason = models.TextField(_("alasan"), blank=True)
    final_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    predicate = models.CharField(_("predikat"), max_length=60, blank=True)
    components = models.JSONField(default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrollment", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.get_outcome_display()}"


class GuideImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Pratinjau")
    APPLIED = "applied", _("Diterapkan")


class GuideImport(models.Model):
    """A CSV/XLSX of (participant NIP, coach NIP, mentor NIP[, examiner NIPs]) for one run: previewed with a
    verdict per row, then applied in one transaction (the pattern of lms.accounts.AccountImport)."""

    course = models.ForeignKey("lms.CoursePage", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=GuideImportStatus.choices, default=GuideImportStatus.PREVIEWED)
    filename = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
