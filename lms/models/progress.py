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
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    source = models.CharField(max_length=8, choices=EnrollmentSource.choices, default=EnrollmentSource.SELF)
    enrolled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

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


class ItemProgress(models.Model):
    """A learner's state on one step (module or live session) of a course path."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ProgressStatus.choices, default=ProgressStatus.STARTED)
    source = models.CharField(max_length=12, choices=ProgressSource.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "item"], name="lms_progress_unique")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.item_id} {self.status}"

    @property
    def is_completed(self) -> bool:
        return self.status == ProgressStatus.COMPLETED
