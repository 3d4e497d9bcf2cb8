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

from lms.competence.models import EntrySource, EntryStatus, LearningForm, LedgerEntry, SiasnColumn, SiasnTrainingType
from lms.models import Programme


def siasn_training_type_keys() -> list[tuple[str, str]]:
    """What a SiasnTrainingType row may be for: every Siger programme and every form of learning."""
    return [
        (f"programme:{value}", _("Pelatihan: %(name)s") % {"name": label}) for value, label in Programme.choices
    ] + [(f"form:{value}", _("Bentuk: %(name)s") % {"name": label}) for value, label in LearningForm.choices]


def siasn_training_types() -> dict[str, SiasnTrainingType]:
    """The SiasnTrainingType table by key ("programme:<programme>", "form:<form>")."""
    return {row.key: row for row in SiasnTrainingType.objects.all()}


def _training_type(entry: LedgerEntry, types: dict[str, SiasnTrainingType]) -> SiasnTrainingType | None:
    """A Siger course by its programme, learning reported from outside (or a programme without a row) by its
    form; None when the table has neither."""
    if entry.enrollment_id:
        found = types.get(f"programme:{entry.enrollment.course.programme}")
        if found is not None:
            return found
    return types.get(f"form:{entry.form}")


def _training_type_name(entry: LedgerEntry, types: dict[str, SiasnTrainingType]) -> str:
    found = _training_type(entry, types)
    return found.name if found is not None else entry.get_form_display()


def _training_type_code(entry: LedgerEntry, types: dict[str, SiasnTrainingType]) -> str:
    found = _training_type(entry, types)
    return found.code if found is not None else ""


def _certificate_date(entry: LedgerEntry) -> datetime.date | str:
    if entry.certificate_id:
        return timezone.localdate(entry.certificate.issued_at)
    # Outside learning: the certificate is dated when the learning ended, as far as Siger knows.
    return entry.ends_on if entry.certificate_number else ""


# source -> (what it is, as administrators see it; the cell of one entry, given the SIASN training types)
SOURCES: dict[str, tuple[str, Callable[[LedgerEntry, dict], object]]] = {
    "nip": (gettext_lazy("NIP"), lambda e, _t: e.nip),
    "name": (gettext_lazy("Nama"), lambda e, _t: e.user.full_name),
    "work_unit": (gettext_lazy("Unit kerja (OPD)"), lambda e, _t: e.work_unit.name if e.work_unit_id else ""),
    "training_type": (gettext_lazy("Jenis diklat"), _training_type_name),
    "training_type_code": (gettext_lazy("Kode jenis diklat (referensi SIASN)"), _training_type_code),
    "form": (gettext_lazy("Bentuk pembelajaran"), lambda e, _t: e.get_form_display()),
    "route": (gettext_lazy("Jalur"), lambda e, _t: e.get_route_display()),
    "title": (gettext_lazy("Nama diklat/kursus"), lambda e, _t: e.title),
    "organiser": (gettext_lazy("Penyelenggara"), lambda e, _t: e.organiser),
    "starts_on": (gettext_lazy("Tanggal mulai"), lambda e, _t: e.starts_on),
    "ends_on": (gettext_lazy("Tanggal selesai"), lambda e, _t: e.ends_on),
    "jp": (gettext_lazy("Jumlah JP"), lambda e, _t: int(e.jp) if e.jp == e.jp.to_integral_value() else float(e.jp)),
    # SIASN's web service takes whole hours (jumlahJam is an integer): for a column that must be whole.
    "jp_whole": (
        gettext_lazy("Jumlah JP (bilangan bulat)"),
        lambda e, _t: int(e.jp.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
    ),
    "certificate_number": (gettext_lazy("Nomor sertifikat"), lambda e, _t: e.certificate_number),
    "certificate_date": (gettext_lazy("Tanggal sertifikat"), lambda e, _t: _certificate_date(e)),
    "year": (gettext_lazy("Tahun"), lambda e, _t: e.ends_on.year),
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
    cells = [SOURCES.get(column.source, ("", lambda _e, _t: ""))[1] for column in columns]
    header = [column.header for column in columns]
    types = siasn_training_types()
    return header, ([cell(entry, types) for cell in cells] for entry in entries)
