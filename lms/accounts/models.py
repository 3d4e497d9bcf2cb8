"""What the User model lacks for a BKN/SIMPEG list (phone, degrees) and the server-side copy of an upload."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountProfile(models.Model):
    """Per-person fields of the cohort list that lms.User does not carry (its own app: no lms migration)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_profile")
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    title_prefix = models.CharField(_("gelar depan"), max_length=40, blank=True)
    title_suffix = models.CharField(_("gelar belakang"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("profil akun")
        verbose_name_plural = _("profil akun")

    def __str__(self) -> str:
        return str(self.user)


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Pratinjau")
    APPLIED = "applied", _("Diterapkan")


class AccountImport(models.Model):
    """A parsed upload kept between preview and apply, so apply uses exactly what the administrator saw."""

    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    filename = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    # PROTECT: an import is a record of who was enrolled where.
    course = models.ForeignKey(
        "lms.CoursePage", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("pelatihan")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("impor akun")
        verbose_name_plural = _("impor akun")

    def __str__(self) -> str:
        return self.filename
