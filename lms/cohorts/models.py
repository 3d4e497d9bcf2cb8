"""Classes (Kelas A, B…) and study groups within one course run, and the history of withdrawals and moves."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models import CoursePage, Enrollment, User


class CourseClass(models.Model):
    """A class of one course run: its own instructors, its own sessions (LiveSessionPage.course_class)."""

    # PROTECT: a class carries memberships and sessions; a course with classes is archived, not deleted.
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="classes", verbose_name=_("pelatihan")
    )
    name = models.CharField(_("nama"), max_length=80, help_text=_("Mis. Kelas A."))
    code = models.SlugField(_("kode"), max_length=20, blank=True)
    instructors = models.ManyToManyField(User, blank=True, related_name="taught_classes", verbose_name=_("pengajar"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kelas")
        verbose_name_plural = _("kelas")
        ordering = ["course_id", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="cohorts_class_unique_name")]

    def __str__(self) -> str:
        return self.name


class ClassMembership(models.Model):
    """One class per enrollment: the OneToOne is the rule."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="class_membership")
    course_class = models.ForeignKey(CourseClass, on_delete=models.PROTECT, related_name="memberships")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anggota kelas")
        verbose_name_plural = _("anggota kelas")

    def __str__(self) -> str:
        return f"{self.enrollment} @ {self.course_class}"


class StudyGroup(models.Model):
    course_class = models.ForeignKey(CourseClass, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("nama"), max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kelompok")
        verbose_name_plural = _("kelompok")
        ordering = ["course_class_id", "name"]
        constraints = [models.UniqueConstraint(fields=["course_class", "name"], name="cohorts_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(StudyGroup, on_delete=models.PROTECT, related_name="memberships")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="group_memberships")
    # Denormalised from group.course_class so the database can enforce one group per enrollment per class.
    course_class = models.ForeignKey(CourseClass, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("anggota kelompok")
        verbose_name_plural = _("anggota kelompok")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "course_class"], name="cohorts_one_group_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} @ {self.group}"


class EnrollmentChangeKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Mengundurkan diri")
    REINSTATED = "reinstated", _("Diaktifkan kembali")
    MOVED_CLASS = "moved_class", _("Pindah kelas")
    MOVED_COURSE = "moved_course", _("Pindah angkatan")


class EnrollmentChange(models.Model):
    """History of an enrollment's withdrawals, reinstatements and moves; never edited, never deleted."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("jenis"), max_length=16, choices=EnrollmentChangeKind.choices)
    reason = models.TextField(_("alasan"))
    effective_on = models.DateField(_("berlaku sejak"))
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh"))
    at = models.DateTimeField(default=timezone.now)
    from_class = models.ForeignKey(CourseClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_class = models.ForeignKey(CourseClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_enrollment = models.ForeignKey(Enrollment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("perubahan pendaftaran")
        verbose_name_plural = _("perubahan pendaftaran")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.get_kind_display()}"
