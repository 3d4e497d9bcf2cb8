"""Per-learner state written by code: enrollment and progress on each step."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models.courses import CoursePage
from lms.models.people import User

# --- Per-learner state ------------------------------------------------------------------------------------


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    COMPLETED = "completed", _("Selesai")
    WITHDRAWN = "withdrawn", _("Mengundurkan diri")


class EnrollmentSource(models.TextChoices):
    SELF = "self", _("Mendaftar sendiri")
    BULK = "bulk", _("Impor CSV")
    ADMIN = "admin", _("Didaftarkan admin")


class EnrollmentQuerySet(models.QuerySet):
    def current(self) -> EnrollmentQuerySet:
        return self.exclude(status=EnrollmentStatus.WITHDRAWN)

    def completed(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.COMPLETED)

    def completed_in_year(self, year: int) -> EnrollmentQuerySet:
        return self.completed().filter(completed_at__year=year)


class Enrollment(models.Model):
    # PROTECT: an enrollment is a learner's record (progress, JP, certificate). Deleting a course or a person
    # must fail loudly rather than erase it; unpublish or archive the course, deactivate the person instead.
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="enrollments")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    source = models.CharField(max_length=8, choices=EnrollmentSource.choices, default=EnrollmentSource.SELF)
    enrolled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The course's JP as they were when it was completed: editing the course later must not rewrite the JP
    # a learner earned in a past year. Empty until completion.
    jp_credit = models.PositiveSmallIntegerField(_("JP diakui"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pendaftaran")
        verbose_name_plural = _("pendaftaran")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="lms_enrollment_unique")]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class ProgressStatus(models.TextChoices):
    STARTED = "started", _("Sedang berjalan")
    COMPLETED = "completed", _("Selesai")


class ProgressSource(models.TextChoices):
    VIEWED = "viewed", _("Dibuka")
    MARKED_DONE = "marked_done", _("Ditandai selesai")
    ACTIVITIES = "activities", _("Aktivitas lulus")
    ATTENDANCE = "attendance", _("Kehadiran")
    OVERRIDE = "override", _("Ditetapkan pengajar")
    GRADED = "graded", _("Tugas dinilai lulus")


class ItemProgress(models.Model):
    """A learner's state on one step (module or live session) of a course path."""

    # Progress belongs to its enrollment, which itself cannot be cascaded away (nor deleted while it has a
    # certificate): removing an enrollment on purpose takes its steps with it.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    # PROTECT: deleting a step a learner has worked on would silently change what their path shows as done.
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ProgressStatus.choices, default=ProgressStatus.STARTED)
    source = models.CharField(max_length=12, choices=ProgressSource.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kemajuan langkah")
        verbose_name_plural = _("kemajuan langkah")
        constraints = [models.UniqueConstraint(fields=["enrollment", "item"], name="lms_progress_unique")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.item_id} {self.status}"

    @property
    def is_completed(self) -> bool:
        return self.status == ProgressStatus.COMPLETED
