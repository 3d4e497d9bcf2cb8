"""The competence record: one ledger of every JP a person earns, in Siger or elsewhere.

An entry is never edited once recorded: a revoked certificate is answered by a counter-entry (negative JP,
`reverses` pointing at the original), so that any past report can be recomputed and every change is visible."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LearningRoute(models.TextChoices):
    CLASSICAL = "klasikal", _("Klasikal")
    NON_CLASSICAL = "non_klasikal", _("Non-klasikal")


class LearningForm(models.TextChoices):
    """Forms of competence development (Peraturan LAN 10/2018 on PNS competence development, and the province's
    list of non-classical routes). Each form has a default route (ROUTE_OF_FORM)."""

    TRAINING = "pelatihan", _("Pelatihan")
    SEMINAR = "seminar", _("Seminar/konferensi")
    WORKSHOP = "workshop", _("Workshop/lokakarya")
    COURSE = "kursus", _("Kursus")
    TECHNICAL_GUIDANCE = "bimtek", _("Bimbingan teknis")
    ELEARNING = "e_learning", _("E-learning")
    WEBINAR = "webinar", _("Webinar")
    DISTANCE = "jarak_jauh", _("Pelatihan jarak jauh")
    COACHING = "coaching", _("Coaching")
    MENTORING = "mentoring", _("Mentoring")
    INTERNSHIP = "magang", _("Magang")
    WORK_PRACTICE = "praktik_kerja", _("Praktik kerja")
    LEARNING_COMMUNITY = "komunitas_belajar", _("Komunitas belajar")
    SPECIAL_ASSIGNMENT = "penugasan_khusus", _("Penugasan khusus")
    SELF_STUDY = "belajar_mandiri", _("Belajar mandiri")
    BENCHMARKING = "patok_banding", _("Patok banding")
    SECONDMENT = "datasering", _("Detasering (secondment)")


ROUTE_OF_FORM: dict[str, str] = {
    **dict.fromkeys(
        [
            LearningForm.TRAINING,
            LearningForm.SEMINAR,
            LearningForm.WORKSHOP,
            LearningForm.COURSE,
            LearningForm.TECHNICAL_GUIDANCE,
        ],
        LearningRoute.CLASSICAL,
    ),
    **dict.fromkeys(
        [
            LearningForm.ELEARNING,
            LearningForm.WEBINAR,
            LearningForm.DISTANCE,
            LearningForm.COACHING,
            LearningForm.MENTORING,
            LearningForm.INTERNSHIP,
            LearningForm.WORK_PRACTICE,
            LearningForm.LEARNING_COMMUNITY,
            LearningForm.SPECIAL_ASSIGNMENT,
            LearningForm.SELF_STUDY,
            LearningForm.BENCHMARKING,
            LearningForm.SECONDMENT,
        ],
        LearningRoute.NON_CLASSICAL,
    ),
}


class EntrySource(models.TextChoices):
    COURSE_COMPLETION = "course_completion", _("Pelatihan Siger selesai")
    SESSION_ATTENDANCE = "session_attendance", _("Sesi langsung Siger dihadiri")
    SUBMISSION = "submission", _("Diajukan peserta")
    REVERSAL = "reversal", _("Koreksi (pembatalan)")


class EntryStatus(models.TextChoices):
    RECORDED = "recorded", _("Tercatat")
    WAITING = "waiting", _("Menunggu verifikasi")
    REJECTED = "rejected", _("Ditolak")


class LedgerEntryQuerySet(models.QuerySet):
    def recorded(self) -> LedgerEntryQuerySet:
        """What counts: recorded entries, counter-entries included (they carry negative JP)."""
        return self.filter(status=EntryStatus.RECORDED)

    def ended_between(self, start, end) -> LedgerEntryQuerySet:
        return self.filter(ends_on__gte=start, ends_on__lte=end)


class LedgerEntry(models.Model):
    # PROTECT everywhere: an entry is a civil servant's record; what it points at is archived, never deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("ASN")
    )
    # Snapshots of the moment the learning ended: a later move to another OPD, or from PPPK to PNS, does not
    # rewrite a past year's report.
    nip = models.CharField(_("NIP"), max_length=18)
    work_unit = models.ForeignKey(
        "lms.WorkUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD")
    )
    employee_type = models.CharField(_("jenis ASN"), max_length=8, blank=True)
    starts_on = models.DateField(_("tanggal mulai"))
    ends_on = models.DateField(_("tanggal selesai"), db_index=True)
    jp = models.DecimalField(_("JP"), max_digits=7, decimal_places=2)
    route = models.CharField(_("jalur"), max_length=16, choices=LearningRoute.choices)
    form = models.CharField(_("bentuk"), max_length=24, choices=LearningForm.choices)
    title = models.CharField(_("judul"), max_length=255)
    organiser = models.CharField(_("penyelenggara"), max_length=255, blank=True)
    source = models.CharField(_("sumber"), max_length=24, choices=EntrySource.choices)
    certificate_number = models.CharField(_("nomor sertifikat"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices)
    status_reason = models.CharField(_("alasan"), max_length=500, blank=True)
    enrollment = models.ForeignKey(
        "lms.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    certificate = models.ForeignKey(
        "lms.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    session = models.ForeignKey(
        "lms.LiveSessionPage", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    # A counter-entry names the entry it cancels; an entry is cancelled at most once.
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField(_("dicatat"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Learning done outside Siger (source SUBMISSION): what the learner reported, converted to `jp` by the
    # JpConversion of its form; the evidence (a certificate PDF or photo); who verified it and when.
    reported_amount = models.DecimalField(_("jumlah dilaporkan"), max_digits=7, decimal_places=2, null=True, blank=True)
    reported_unit = models.CharField(_("satuan"), max_length=8, blank=True)
    evidence = models.FileField(_("bukti"), upload_to="competence/evidence/", max_length=255, blank=True)
    evidence_name = models.CharField(_("nama berkas bukti"), max_length=255, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    # Set when a submission looks like one already in the ledger (same certificate number, or same title and
    # dates): a flag for the verifier, not a refusal.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("mirip dengan")
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catatan JP")
        verbose_name_plural = _("catatan JP")
        ordering = ["-ends_on", "-pk"]
        constraints = [
            # A course completion is recorded once per enrollment, however often completion is re-checked.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(source="course_completion"),
                name="competence_one_completion_entry_per_enrollment",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="competence_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["user", "status", "ends_on"], name="competence_user_period"),
            models.Index(fields=["work_unit", "status", "ends_on"], name="competence_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.nip} · {self.title} · {self.jp} JP"


class LedgerYear(models.Model):
    """A person's recorded JP in one calendar year, and the OPD that year counts for: the ledger summed ahead of
    time, so that a province's report reads one row per person instead of every entry (tests/perf/compliance.py).

    Derived data, written only by database triggers on the ledger (migration 0008, PostgreSQL and SQLite), so it
    is right whichever way an entry arrives (a service, the admin, a bulk load); `competence_totals --rebuild`
    recomputes it from the ledger. The history rule: the year counts for the OPD snapshot of the person's latest
    entry (the latest day; on one day, the entry recorded last), `last_day`/`last_id` being that entry's."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    jp = models.DecimalField(max_digits=9, decimal_places=2)
    entries = models.PositiveIntegerField()
    # No constraint: a trigger writes the row, and the ledger already protects the OPD.
    work_unit = models.ForeignKey(
        "lms.WorkUnit", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    last_day = models.DateField()
    last_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("JP setahun (ringkasan)")
        verbose_name_plural = _("JP setahun (ringkasan)")
        constraints = [models.UniqueConstraint(fields=["user", "year"], name="competence_year_key")]
        indexes = [models.Index(fields=["year", "work_unit"], name="competence_year_unit")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.year} · {self.jp} JP"


class UnitRoleKind(models.TextChoices):
    VERIFIER = "verifier", _("Verifikator pengembangan kompetensi OPD")
    HEAD = "head", _("Kepala OPD")


class UnitRole(models.Model):
    """A role scoped to one OPD, on top of a person's own role (a verifier or an OPD head is also a learner)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="unit_roles", verbose_name=_("pengguna")
    )
    work_unit = models.ForeignKey(
        "lms.WorkUnit", on_delete=models.PROTECT, related_name="unit_roles", verbose_name=_("OPD")
    )
    kind = models.CharField(_("peran"), max_length=10, choices=UnitRoleKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("diberikan"), default=timezone.now)

    class Meta:
        verbose_name = _("peran di OPD")
        verbose_name_plural = _("peran di OPD")
        constraints = [
            models.UniqueConstraint(fields=["user", "work_unit", "kind"], name="competence_unit_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.work_unit}"


class ConversionUnit(models.TextChoices):
    JP = "jp", _("JP")
    HOUR = "jam", _("jam")
    SESSION = "sesi", _("sesi")
    DAY = "hari", _("hari")


class JpConversion(models.Model):
    """How many JP one unit of a form of learning is worth (editable by administrators).

    Defaults follow LAN's rules on PNS competence development where they could be confirmed (`confirmed`);
    the others are the province's working assumptions, marked so in the admin."""

    form = models.CharField(_("bentuk"), max_length=24, choices=LearningForm.choices)
    unit = models.CharField(_("satuan"), max_length=8, choices=ConversionUnit.choices)
    jp_per_unit = models.DecimalField(_("JP per satuan"), max_digits=6, decimal_places=2)
    max_jp_per_activity = models.DecimalField(
        _("JP maks. per kegiatan"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    confirmed = models.BooleanField(_("sesuai peraturan (terkonfirmasi)"), default=False)
    note = models.CharField(_("catatan/sumber"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("konversi JP")
        verbose_name_plural = _("konversi JP")
        ordering = ["form", "unit"]
        constraints = [models.UniqueConstraint(fields=["form", "unit"], name="competence_conversion_unique")]

    def __str__(self) -> str:
        return f"{self.get_form_display()}: {self.jp_per_unit} JP / {self.get_unit_display()}"


class PositionGroup(models.TextChoices):
    """Position level for the IP ASN competence estimate (PermenPANRB 38/2018 separates pelaksana from
    structural and functional positions)."""

    JPT = "jpt", _("Jabatan pimpinan tinggi")
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "pengawas", _("Pengawas")
    FUNCTIONAL = "fungsional", _("Fungsional")
    EXECUTOR = "pelaksana", _("Pelaksana")


class AsnProfile(models.Model):
    """What the competence record needs to know of a person beyond their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="asn_profile", verbose_name=_("ASN")
    )
    position_group = models.CharField(
        _("jenis jabatan"), max_length=16, choices=PositionGroup.choices, default=PositionGroup.EXECUTOR
    )
    # A PPPK's target runs by contract year, from this date each year (PNS: the calendar year).
    contract_starts_on = models.DateField(_("awal kontrak PPPK"), null=True, blank=True)

    class Meta:
        verbose_name = _("profil ASN")
        verbose_name_plural = _("profil ASN")

    def __str__(self) -> str:
        return str(self.user)


class PointPositionKind(models.TextChoices):
    STRUCTURAL_FUNCTIONAL = "struktural_fungsional", _("Struktural/fungsional")
    EXECUTOR = "pelaksana", _("Pelaksana")


class PointComponent(models.TextChoices):
    LEVEL_TRAINING = "diklat_jenjang", _("Pelatihan kepemimpinan/fungsional sesuai jabatan")
    TECHNICAL_20JP = "teknis_20jp", _("Pelatihan teknis minimal 20 JP setahun terakhir")
    SEMINAR = "seminar", _("Seminar/workshop")


class CompetencePointRule(models.Model):
    """Points of the IP ASN competence dimension (of 40) per component and position kind (editable)."""

    position_kind = models.CharField(_("jenis jabatan"), max_length=24, choices=PointPositionKind.choices)
    component = models.CharField(_("komponen"), max_length=16, choices=PointComponent.choices)
    points = models.DecimalField(_("poin"), max_digits=5, decimal_places=2)
    confirmed = models.BooleanField(_("sesuai peraturan (terkonfirmasi)"), default=False)
    note = models.CharField(_("catatan/sumber"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("poin kompetensi IP ASN")
        verbose_name_plural = _("poin kompetensi IP ASN")
        ordering = ["position_kind", "component"]
        constraints = [
            models.UniqueConstraint(fields=["position_kind", "component"], name="competence_point_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_position_kind_display()} · {self.get_component_display()}: {self.points}"


class SiasnColumn(models.Model):
    """One column of the SIASN training-history export, in order: its header and the ledger field it takes."""

    position = models.PositiveSmallIntegerField(_("urutan"))
    header = models.CharField(_("judul kolom"), max_length=100)
    source = models.CharField(_("isi"), max_length=40)

    class Meta:
        verbose_name = _("kolom ekspor SIASN")
        verbose_name_plural = _("kolom ekspor SIASN")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.header}"


class SiasnTrainingType(models.Model):
    """What SIASN calls a kind of learning ("jenis diklat/kursus") and its reference code in SIASN, for a Siger
    programme or a form of learning (`key`: "programme:<programme>" or "form:<form>"). SIASN's import and web
    service take the code of its reference table (jenisDiklatId); the codes are BKN's, so Siger ships the names
    and leaves the codes for BPSDM to fill in from SIASN's reference list."""

    key = models.CharField(_("pelatihan atau bentuk Siger"), max_length=40, unique=True)
    name = models.CharField(_("jenis diklat di SIASN"), max_length=100)
    code = models.CharField(_("kode referensi SIASN"), max_length=40, blank=True)
    note = models.CharField(_("catatan/sumber"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("jenis diklat SIASN")
        verbose_name_plural = _("jenis diklat SIASN")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} → {self.name}" + (f" ({self.code})" if self.code else "")
