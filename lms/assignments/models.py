"""Assignments (tugas): a course path step where learners hand in a file or a text, and instructors grade it.

One Submission per learner (or per study group) and assignment holds the thread; every hand-in is a new
SubmissionVersion and every grading a new Grade, so a resubmission or a regrade never overwrites what someone
made. Files are stored through Django's default storage (S3 in production) under names Siger chooses."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as route  # path syntax: "" matches only the page itself
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from lms.assignments.admin_forms import AssignmentPageForm
from lms.files import FileKind
from lms.models import CompletionRule, Enrollment, PathItemPage, User


class SubmissionMode(models.TextChoices):
    FILE = "file", _("Berkas")
    TEXT = "text", _("Jawaban teks")
    FILE_OR_TEXT = "file_or_text", _("Berkas dan/atau teks")


class GroupMode(models.TextChoices):
    INDIVIDUAL = "individual", _("Perorangan")
    GROUP = "group", _("Per kelompok")


DEFAULT_FILE_KINDS = ",".join(FileKind.values)


class RubricLevelBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("tingkat"), max_length=80, help_text=_("Mis. Sangat baik."))
    points = blocks.DecimalBlock(label=_("poin"), min_value=0, max_digits=6, decimal_places=2)
    description = blocks.TextBlock(label=_("deskripsi"), required=False, max_length=500)


class RubricCriterionBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("kriteria"), max_length=120)
    description = blocks.TextBlock(label=_("deskripsi"), required=False, max_length=500)
    levels = blocks.ListBlock(RubricLevelBlock(), label=_("tingkat"), min_num=2)

    class Meta:
        icon = "list-ul"
        label = _("Kriteria rubrik")


class AssignmentPage(RoutablePageMixin, PathItemPage):
    """A step of the course path where learners hand in work (tugas, rancangan aktualisasi, laporan)."""

    instructions = RichTextField(_("petunjuk"))
    attachments = StreamField(
        [("document", DocumentChooserBlock(label=_("lampiran")))], verbose_name=_("lampiran"), blank=True
    )
    due_at = models.DateTimeField(_("tenggat"), help_text=_("Waktu Indonesia Barat (WIB)."))
    late_until = models.DateTimeField(
        _("batas terlambat"),
        null=True,
        blank=True,
        help_text=_("Opsional: setelah tenggat, pengumpulan masih diterima (ditandai terlambat) sampai waktu ini."),
    )
    submission_mode = models.CharField(
        _("bentuk jawaban"), max_length=16, choices=SubmissionMode.choices, default=SubmissionMode.FILE
    )
    # Comma-separated FileKind values: a set the editor ticks (AssignmentPageForm), read by accepted_kinds.
    accepted_types = models.CharField(_("jenis berkas"), max_length=100, default=DEFAULT_FILE_KINDS)
    max_file_mb = models.PositiveSmallIntegerField(
        _("ukuran berkas maks. (MB)"), default=10, help_text=_("Per berkas; paling besar SIGER_ASSIGNMENT_MAX_MB.")
    )
    max_files = models.PositiveSmallIntegerField(_("jumlah berkas maks."), default=3)
    group_mode = models.CharField(
        _("dikerjakan"), max_length=12, choices=GroupMode.choices, default=GroupMode.INDIVIDUAL
    )
    pass_mark = models.DecimalField(
        _("nilai lulus"),
        max_digits=5,
        decimal_places=2,
        default=70,
        help_text=_("Nilai 0–100. Langkah selesai saat nilai mencapai batas ini."),
    )
    rubric = StreamField(
        [("criterion", RubricCriterionBlock())],
        verbose_name=_("rubrik"),
        blank=True,
        help_text=_("Opsional. Dengan rubrik, nilai = poin terpilih ÷ poin maksimum × 100."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("instructions"),
        FieldPanel("attachments"),
        FieldPanel("phase"),
        FieldRowPanel([FieldPanel("due_at"), FieldPanel("late_until")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("submission_mode"), FieldPanel("group_mode")]),
                FieldPanel("accepted_types"),
                FieldRowPanel([FieldPanel("max_file_mb"), FieldPanel("max_files")]),
            ],
            heading=_("Pengumpulan"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("duration_minutes")]), FieldPanel("rubric")],
            heading=_("Penilaian"),
        ),
    ]
    base_form_class = AssignmentPageForm
    template = "assignments/assignment_page.html"

    class Meta:
        verbose_name = _("tugas")
        verbose_name_plural = _("tugas")

    def save(self, *args, **kwargs):
        # An assignment is completed by its grade, whatever the editor's form posted.
        self.completion_rule = CompletionRule.GRADED
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.completion_rule = CompletionRule.GRADED
        errors = {}
        if self.due_at and self.late_until and self.late_until <= self.due_at:
            errors["late_until"] = _("Batas terlambat harus setelah tenggat.")
        if not 0 <= (self.pass_mark or 0) <= 100:
            errors["pass_mark"] = _("Nilai lulus antara 0 dan 100.")
        if self.max_file_mb < 1 or self.max_file_mb > settings.SIGER_ASSIGNMENT_MAX_MB:
            errors["max_file_mb"] = _("Antara 1 dan %(max)s MB.") % {"max": settings.SIGER_ASSIGNMENT_MAX_MB}
        if self.submission_mode != SubmissionMode.TEXT:
            if not self.accepted_kinds:
                errors["accepted_types"] = _("Pilih minimal satu jenis berkas.")
            if self.max_files < 1:
                errors["max_files"] = _("Minimal satu berkas.")
        if errors:
            raise ValidationError(errors)

    @property
    def accepted_kinds(self) -> list[str]:
        return [kind for kind in (self.accepted_types or "").split(",") if kind in FileKind.values]

    @property
    def accepts_files(self) -> bool:
        return self.submission_mode in (SubmissionMode.FILE, SubmissionMode.FILE_OR_TEXT)

    @property
    def accepts_text(self) -> bool:
        return self.submission_mode in (SubmissionMode.TEXT, SubmissionMode.FILE_OR_TEXT)

    @property
    def is_group(self) -> bool:
        return self.group_mode == GroupMode.GROUP

    @property
    def closes_at(self):
        """The last moment a hand-in is accepted: the end of the late window, or the deadline."""
        return self.late_until or self.due_at

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) <= self.closes_at

    def is_late(self, now=None) -> bool:
        return (now or timezone.now()) > self.due_at

    @route("", name="assignment")
    def index_route(self, request, *args, **kwargs):
        from lms.assignments.views.learner import assignment_detail

        return assignment_detail(request, self)

    @route("kirim/", name="submit")
    def submit_route(self, request):
        from lms.assignments.views.learner import assignment_submit

        return assignment_submit(request, self)


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Menunggu penilaian")
    REVISION = "revision", _("Perlu revisi")
    GRADED = "graded", _("Dinilai")


class SubmissionQuerySet(models.QuerySet):
    def ungraded(self):
        return self.filter(status=SubmissionStatus.SUBMITTED)


class Submission(models.Model):
    """One learner's (or one study group's) hand-ins for one assignment, and its current state."""

    assignment = models.ForeignKey(AssignmentPage, on_delete=models.PROTECT, related_name="submissions")
    # Exactly one of the two: the learner's enrollment (individual) or the study group (per group).
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    group = models.ForeignKey(
        "cohorts.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(_("status"), max_length=12, choices=SubmissionStatus.choices)
    # When the latest version was handed in: the grading queue's order (oldest first).
    submitted_at = models.DateTimeField(_("dikumpulkan"))
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2, null=True, blank=True)
    graded_at = models.DateTimeField(_("dinilai"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("pengumpulan tugas")
        verbose_name_plural = _("pengumpulan tugas")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrollment__isnull=False, group__isnull=True)
                | Q(enrollment__isnull=True, group__isnull=False),
                name="assignments_submission_one_owner",
            ),
            models.UniqueConstraint(
                fields=["assignment", "enrollment"],
                condition=Q(enrollment__isnull=False),
                name="assignments_one_submission_per_learner",
            ),
            models.UniqueConstraint(
                fields=["assignment", "group"],
                condition=Q(group__isnull=False),
                name="assignments_one_submission_per_group",
            ),
        ]
        indexes = [models.Index(fields=["assignment", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.enrollment or self.group}"

    def member_enrollments(self) -> list[Enrollment]:
        """The enrollments this submission counts for: the learner, or the group's members."""
        if self.enrollment_id is not None:
            return [self.enrollment]
        return [m.enrollment for m in self.group.memberships.select_related("enrollment__user")]

    def submitter_users(self) -> list[User]:
        return [enrollment.user for enrollment in self.member_enrollments()]

    @property
    def latest_version(self) -> SubmissionVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def latest_grade(self) -> Grade | None:
        return self.grades.order_by("-graded_at", "-pk").first()


class SubmissionVersion(models.Model):
    """One hand-in: never edited; a resubmission adds the next number."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("jawaban"), blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("dikumpulkan"), default=timezone.now)
    is_late = models.BooleanField(_("terlambat"), default=False)

    class Meta:
        ordering = ["submission_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="assignments_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


def submission_file_path(instance: SubmissionFile, filename: str) -> str:
    # Siger names the stored object; the learner's file name is kept in original_name only, never in a path.
    return f"assignments/{instance.stored_prefix}/{uuid.uuid4().hex}.{instance.extension}"


class SubmissionFile(models.Model):
    version = models.ForeignKey(SubmissionVersion, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=submission_file_path, max_length=255)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Set before saving so upload_to can place the object: "<assignment id>/<submission id>".
    stored_prefix = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["version_id", "pk"]

    def __str__(self) -> str:
        return self.original_name


class GradeDecision(models.TextChoices):
    GRADED = "graded", _("Dinilai")
    REVISION = "revision", _("Minta revisi")


def returned_file_path(instance: Grade, filename: str) -> str:
    return f"assignments/returned/{instance.submission_id}/{uuid.uuid4().hex}.{instance.returned_extension}"


class Grade(models.Model):
    """One grading of a submission's version by an instructor: never edited; a regrade adds a row."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="grades")
    version = models.ForeignKey(SubmissionVersion, on_delete=models.PROTECT, related_name="grades")
    decision = models.CharField(_("keputusan"), max_length=10, choices=GradeDecision.choices)
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2, null=True, blank=True)
    # The rubric as it was when graded, with the level chosen per criterion:
    # [{"name", "levels": [{"label", "points"}], "chosen": index}]. Later edits of the rubric change nothing here.
    rubric_scores = models.JSONField(_("rubrik"), default=list, blank=True)
    feedback = models.TextField(_("umpan balik"), blank=True)
    returned_file = models.FileField(upload_to=returned_file_path, max_length=255, blank=True)
    returned_name = models.CharField(max_length=255, blank=True)
    returned_extension = models.CharField(max_length=8, blank=True)
    graded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    graded_at = models.DateTimeField(_("dinilai"), default=timezone.now)

    class Meta:
        ordering = ["submission_id", "graded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.get_decision_display()} {self.score or ''}"
