"""Course completion certificates (sertifikat, in the manner of an STTPP).

A certificate copies what it states at issue time: a learner's later promotion or a course's renaming must
not change a document that was printed and filed.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lms.certificates.numbers import number_format_uses, number_format_validate
from lms.models.courses import Programme
from lms.models.people import User
from lms.models.progress import Enrollment
from lms.nip import nip_normalize, nip_validate

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
    signer_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    signer_title = models.CharField(_("jabatan penanda tangan"), max_length=200, blank=True)
    signer_nip = models.CharField(_("NIP penanda tangan"), max_length=18, blank=True)
    # A programme run's STTPP states the predicate of the graduation decision and the batch.
    predicate = models.CharField(_("predikat"), max_length=60, blank=True)
    batch = models.CharField(_("angkatan"), max_length=60, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(_("alasan pencabutan"), max_length=500, blank=True)
    # The A4 PDF (lms.certificates), made once on first download and stored; made again only after a revocation,
    # so that the stored file says DICABUT (pdf_generated_at before revoked_at: stale).
    pdf = models.FileField(_("berkas PDF"), max_length=255, blank=True, editable=False)
    pdf_generated_at = models.DateTimeField(_("PDF dibuat"), null=True, blank=True, editable=False)

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
    def is_sttpp(self) -> bool:
        """Issued by a graduation decision of a programme run (lms.programmes): the STTPP, with its predicate."""
        return bool(self.predicate)

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


class CertificateProgrammeSettings(models.Model):
    """Per programme: BPSDM's own certificate number format and the official who signs (when the course names
    none). Edited by administrators in the admin; a programme without a row keeps SIGER/... and the defaults."""

    programme = models.CharField(_("program"), max_length=16, choices=Programme.choices, unique=True)
    number_format = models.CharField(
        _("format nomor"),
        max_length=100,
        blank=True,
        validators=[number_format_validate],
        help_text=_(
            "Kosong: SIGER/{programme}/{year}/{seq:06d}. Kolom: {seq} nomor urut (mis. {seq:04d} = 0007), "
            "{year} tahun, {month} bulan, {roman_month} bulan Romawi (XII), {programme} kode program. Wajib "
            "memuat {seq} dan {year}. Contoh: 800/{seq:04d}/BPSDM/{roman_month}/{year}"
        ),
    )
    signer_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    signer_title = models.CharField(_("jabatan penanda tangan"), max_length=200, blank=True)
    signer_nip = models.CharField(_("NIP penanda tangan"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("pengaturan sertifikat program")
        verbose_name_plural = _("pengaturan sertifikat program")
        ordering = ["programme"]

    def __str__(self) -> str:
        return str(self.get_programme_display())

    def clean_fields(self, exclude=None) -> None:
        # "19720101 200003 1 002" as people write it: digits only before the length is checked.
        self.signer_nip = nip_normalize(self.signer_nip)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.signer_nip:
            try:
                # Length and digits only: a signer's NIP is printed, not parsed (PPPK officials sign too).
                self.signer_nip = nip_validate(self.signer_nip, pppk=True)
            except ValidationError as error:
                raise ValidationError({"signer_nip": error.messages}) from None
        template = self.number_format.strip()
        self.number_format = template
        if not template:
            return
        try:
            uses_programme = number_format_uses(template, "programme")
        except ValidationError:
            return  # the field's validator says what is wrong
        # {seq} restarts for each programme: two programmes with one format and no {programme} would collide.
        if not uses_programme:
            clash = (
                CertificateProgrammeSettings.objects.filter(number_format=template)
                .exclude(programme=self.programme)
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    {
                        "number_format": _(
                            "Program %(other)s sudah memakai format ini. Tambahkan {programme} atau teks pembeda "
                            "agar nomor tidak bentrok."
                        )
                        % {"other": clash.get_programme_display()}
                    }
                )
