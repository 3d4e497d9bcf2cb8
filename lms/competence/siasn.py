"""The SIASN training-history export (riwayat diklat/kursus): one row per recorded learning, columns as
administrators arranged them (SiasnColumn). Counter-entries and the entries they cancel are left out: SIASN keeps
what a person holds, not the corrections."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.competence.models import EntrySource, EntryStatus, LearningForm, LedgerEntry, SiasnColumn
from lms.models import Programme

# What SIASN calls the kind of training ("jenis diklat"), for a Siger course by its programme and for learning
# reported from outside by its form; anything else is named by its form.
TRAINING_TYPE_OF_PROGRAMME: dict[str, str] = {
    Programme.LATSAR: "Diklat Prajabatan",
    Programme.PKA: "Diklat Struktural",
    Programme.PKP: "Diklat Struktural",
    Programme.PKN2: "Diklat Struktural",
    Programme.PBJ: "Diklat Teknis",
    Programme.TECHNICAL: "Diklat Teknis",
    Programme.FUNCTIONAL: "Diklat Fungsional",
    Programme.SEMINAR: "Seminar",
}
TRAINING_TYPE_OF_FORM: dict[str, str] = {
    LearningForm.TRAINING: "Diklat Teknis",
    LearningForm.TECHNICAL_GUIDANCE: "Bimbingan Teknis",
    LearningForm.COURSE: "Kursus",
    LearningForm.SEMINAR: "Seminar",
    LearningForm.WEBINAR: "Seminar",
    LearningForm.WORKSHOP: "Workshop",
    LearningForm.INTERNSHIP: "Magang",
}


def _training_type(entry: LedgerEntry) -> str:
    if entry.enrollment_id and entry.enrollment.course.programme in TRAINING_TYPE_OF_PROGRAMME:
        return TRAINING_TYPE_OF_PROGRAMME[entry.enrollment.course.programme]
    return TRAINING_TYPE_OF_FORM.get(entry.form) or entry.get_form_display()


def _certificate_date(entry: LedgerEntry) -> datetime.date | str:
    if entry.certificate_id:
        return timezone.localdate(entry.certificate.issued_at)
    # Outside learning: the certificate is dated when the learning ended, as far as Siger knows.
    return entry.ends_on if entry.certificate_number else ""


# source -> (what it is, as administrators see it; the cell of one entry)
SOURCES: dict[str, tuple[str, Callable[[LedgerEntry], object]]] = {
    "nip": (gettext_lazy("NIP"), lambda e: e.nip),
    "name": (gettext_lazy("Nama"), lambda e: e.user.full_name),
    "work_unit": (gettext_lazy("Unit kerja (OPD)"), lambda e: e.work_unit.name if e.work_unit_id else ""),
    "training_type": (gettext_lazy("Jenis diklat"), _training_type),
    "form": (gettext_lazy("Bentuk pembelajaran"), lambda e: e.get_form_display()),
    "route": (gettext_lazy("Jalur"), lambda e: e.get_route_display()),
    "title": (gettext_lazy("Nama diklat/kursus"), lambda e: e.title),
    "organiser": (gettext_lazy("Penyelenggara"), lambda e: e.organiser),
    "starts_on": (gettext_lazy("Tanggal mulai"), lambda e: e.starts_on),
    "ends_on": (gettext_lazy("Tanggal selesai"), lambda e: e.ends_on),
    "jp": (gettext_lazy("Jumlah JP"), lambda e: int(e.jp) if e.jp == e.jp.to_integral_value() else float(e.jp)),
    # SIASN's web service takes whole hours (jumlahJam is an integer): for a column that must be whole.
    "jp_whole": (
        gettext_lazy("Jumlah JP (bilangan bulat)"),
        lambda e: int(e.jp.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
    ),
    "certificate_number": (gettext_lazy("Nomor sertifikat"), lambda e: e.certificate_number),
    "certificate_date": (gettext_lazy("Tanggal sertifikat"), _certificate_date),
    "year": (gettext_lazy("Tahun"), lambda e: e.ends_on.year),
}


def siasn_source_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _cell) in SOURCES.items()]


def siasn_entries(
    *, work_unit_ids: Iterable[int] | None, start: datetime.date | None, end: datetime.date | None
) -> QuerySet[LedgerEntry]:
    """Recorded learning still standing (not a counter-entry, not cancelled by one), by OPD and end date."""
    entries = (
        LedgerEntry.objects.filter(status=EntryStatus.RECORDED, reversed_by__isnull=True)
        .exclude(source=EntrySource.REVERSAL)
        .select_related("user", "work_unit", "certificate", "enrollment__course")
        .order_by("work_unit__name", "nip", "starts_on", "pk")
    )
    if work_unit_ids is not None:
        entries = entries.filter(work_unit_id__in=list(work_unit_ids))
    if start:
        entries = entries.filter(ends_on__gte=start)
    if end:
        entries = entries.filter(ends_on__lte=end)
    return entries


def siasn_table(entries: Iterable[LedgerEntry]) -> tuple[list[str], Iterable[list[object]]]:
    """(header, rows) in the order of SiasnColumn; a column whose source Siger does not know stays empty."""
    columns = list(SiasnColumn.objects.order_by("position", "pk"))
    if not columns:
        raise ValueError(_("Kolom ekspor SIASN belum diatur."))
    cells = [SOURCES.get(column.source, ("", lambda _e: ""))[1] for column in columns]
    header = [column.header for column in columns]
    return header, ([cell(entry) for cell in cells] for entry in entries)
