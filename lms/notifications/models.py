"""Notifications: an in-app row per person and event, and per-kind email preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ACCOUNT_ACTIVATION = "account_activation", _("Aktivasi akun")
    ENROLLMENT = "enrollment", _("Pendaftaran pelatihan")
    SESSION_REMINDER = "session_reminder", _("Pengingat sesi tatap muka")
    SESSION_CHANGED = "session_changed", _("Perubahan jadwal sesi")
    ASSIGNMENT_DUE = "assignment_due", _("Tenggat tugas")
    SUBMISSION_GRADED = "submission_graded", _("Tugas dinilai")
    CERTIFICATE_ISSUED = "certificate_issued", _("Sertifikat terbit")
    LEARNING_VERIFIED = "learning_verified", _("Verifikasi pembelajaran lain")


class Notification(models.Model):
    # CASCADE: a notification is a message, not a record of what someone did; users are never deleted anyway
    # (their enrollments and certificates PROTECT them), so this only matters for a user who never did anything.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("pengguna")
    )
    kind = models.CharField(_("jenis"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("judul"), max_length=255)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=500, blank=True)
    # Scans and retries may fire twice: the same (user, kind, dedupe_key) is stored once.
    dedupe_key = models.CharField(_("kunci duplikat"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("dikirim lewat email"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "kind", "dedupe_key"),
                condition=~Q(dedupe_key=""),
                name="notification_unique_dedupe",
            )
        ]
        indexes = [models.Index(fields=("user", "read_at"), name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Email on/off for one kind; no row means on (the default for every kind)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("pengguna"),
    )
    kind = models.CharField(_("jenis"), max_length=32, choices=NotificationKind.choices)
    email = models.BooleanField(_("kirim email"), default=True)

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")
        constraints = [models.UniqueConstraint(fields=("user", "kind"), name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
