"""Course completion certificates (sertifikat, in the manner of an STTPP).

A certificate copies what it states at issue time: a learner's later promotion or a course's renaming must
not change a document that was printed and filed.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lms.models.courses import Programme
from lms.models.people import User
from lms.models.progress import Enrollment

NIP_VISIBLE_DIGITS = 4


def certificate_code_new() -> str:
    """16 URL-safe characters (96 random bits): the public code is the only key to the verification page."""
    return secrets.token_urlsafe(12)


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=False)


class Certificate(models.Model):
    # PROTECT: a certificate outlives everything else (its verification link is printed on paper).
    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("kode verifikasi"), max_length=32, unique=True, default=certificate_code_new)
    number = models.CharField(_("nomor sertifikat"), max_length=48, unique=True)
    programme = models.CharField(_("program"), max_length=16, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("nomor urut"))
    issued_at = models.DateTimeField(_("diterbitkan"))
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("diterbitkan oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # who issued or revoked is part of the record: deactivate, do not delete
        related_name="+",
        help_text=_("Kosong bila diterbitkan otomatis saat pelatihan selesai."),
    )
    # Snapshot at issue time.
    issuer_name = models.CharField(_("penerbit"), max_length=200)
    learner_name = models.CharField(_("nama peserta"), max_length=150)
    learner_nip = models.CharField(_("NIP"), max_length=18)
    learner_rank = models.CharField(_("golongan/ruang"), max_length=8, blank=True)
    learner_position = models.CharField(_("jabatan"), max_length=200, blank=True)
    work_unit_name = models.CharField(_("unit kerja (OPD)"), max_length=200, blank=True)
    course_title = models.CharField(_("pelatihan"), max_length=255)
    programme_name = models.CharField(_("nama program"), max_length=100)
    jp_credit = models.PositiveSmallIntegerField(_("JP"))
    course_starts_on = models.DateField(_("tanggal mulai"), null=True, blank=True)
    course_ends_on = models.DateField(_("tanggal selesai"), null=True, blank=True)
    completed_at = models.DateTimeField(_("selesai"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(_("alasan pencabutan"), max_length=500, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("sertifikat")
        verbose_name_plural = _("sertifikat")
        ordering = ["programme", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "sequence"], name="lms_certificate_sequence_unique")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def period_label(self) -> str:
        """The training period in Indonesian style, the shared month and year said once: "2–6 Desember 2026",
        "28 November – 2 Desember 2026"; empty when the course had no dates."""
        start, end = self.course_starts_on, self.course_ends_on
        if start is None or end is None:
            return ""
        if start == end:
            return date_format(end, "j F Y")
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{date_format(end, 'j F Y')}"
        if start.year == end.year:
            return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
        return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def learner_nip_masked(self) -> str:
        """For the public verification page: only the last digits, like a bank card."""
        hidden = max(0, len(self.learner_nip) - NIP_VISIBLE_DIGITS)
        return "•" * hidden + self.learner_nip[hidden:]


class CertificateSequence(models.Model):
    """The last number issued per programme and year. Its row is locked while a certificate is numbered, so that
    concurrent completions get consecutive numbers without gaps or collisions."""

    programme = models.CharField(max_length=16, choices=Programme.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="lms_certificate_counter_unique")]

    def __str__(self) -> str:
        return f"{self.programme}/{self.year}: {self.last}"
