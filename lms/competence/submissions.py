"""Learning done outside Siger: the learner reports it with evidence, the JP are converted from what was reported,
and a verifier of the learner's OPD (or BPSDM) records or rejects it. Nothing counts until it is recorded."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.access import user_can_verify_entry
from lms.competence.models import (
    ROUTE_OF_FORM,
    ConversionUnit,
    EntrySource,
    EntryStatus,
    JpConversion,
    LearningForm,
    LedgerEntry,
)
from lms.events import LEARNING_VERIFIED, emit
from lms.files import TYPE_BY_EXTENSION, FileCheckError, FileKind, file_check
from lms.models import User

EVIDENCE_KINDS = [FileKind.PDF, FileKind.IMAGE]
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_FOLDER = "competence/evidence"
AMOUNT_MAX = Decimal("1000")
JP_MAX = Decimal("1000")
CENT = Decimal("0.01")


class LearningError(Exception):
    """A submission or a decision refused, with the message to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rate:
    """What one unit of a form is worth, and the most one activity may count."""

    unit: str
    jp_per_unit: Decimal
    cap: Decimal | None
    confirmed: bool


def _hour_jp() -> Decimal:
    """One hour of learning in JP: 60 minutes over the minutes of a lesson hour (SIGER_MINUTES_PER_JP)."""
    return Decimal(60) / Decimal(settings.SIGER_MINUTES_PER_JP)


def conversion_rates(*, form: str) -> dict[str, Rate]:
    """The units offered for a form: its JpConversion rows, and always "JP" (as stated) and "jam" (by
    SIGER_MINUTES_PER_JP unless a row for "jam" overrides it; without such a row, the form's smallest cap applies to
    hours too)."""
    rows = list(JpConversion.objects.filter(form=form))
    rates = {
        row.unit: Rate(row.unit, row.jp_per_unit, row.max_jp_per_activity, row.confirmed)
        for row in rows
        if row.jp_per_unit > 0
    }
    if ConversionUnit.JP not in rates:
        # Learning that states its JP needs no conversion, whatever the table holds.
        rates[ConversionUnit.JP] = Rate(ConversionUnit.JP, Decimal(1), None, True)
    if ConversionUnit.HOUR not in rates:
        caps = [row.max_jp_per_activity for row in rows if row.max_jp_per_activity is not None]
        rates[ConversionUnit.HOUR] = Rate(ConversionUnit.HOUR, _hour_jp(), min(caps) if caps else None, True)
    order = list(ConversionUnit.values)
    return dict(sorted(rates.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def conversion(*, form: str, unit: str, amount: Decimal) -> Decimal:
    """JP for an amount of a unit of a form, capped per activity and rounded to 0.01."""
    rate = conversion_rates(form=form).get(unit)
    if rate is None:
        raise LearningError(_("Satuan ini tidak berlaku untuk bentuk pembelajaran tersebut."))
    if amount <= 0:
        raise LearningError(_("Jumlah harus lebih dari nol."))
    jp = amount * rate.jp_per_unit
    if rate.cap is not None:
        jp = min(jp, rate.cap)
    return jp.quantize(CENT, rounding=ROUND_HALF_UP)


def _title_key(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


def learning_duplicate_find(
    *, user: User, title: str, starts_on: datetime.date, ends_on: datetime.date, certificate_number: str
) -> LedgerEntry | None:
    """An entry that looks like this learning: the same certificate number (anyone's), or the same title (case and
    spaces aside) and dates for the same person. Rejected entries and counter-entries are not compared."""
    candidates = LedgerEntry.objects.exclude(status=EntryStatus.REJECTED).exclude(source=EntrySource.REVERSAL)
    number = certificate_number.strip()
    if number:
        same_number = candidates.filter(certificate_number__iexact=number).order_by("pk").first()
        if same_number is not None:
            return same_number
    key = _title_key(title)
    same_dates = candidates.filter(user=user, starts_on=starts_on, ends_on=ends_on).order_by("pk")
    return next((entry for entry in same_dates if _title_key(entry.title) == key), None)


def _evidence_store(upload: UploadedFile) -> tuple[str, str]:
    """Check an evidence file by its content and store it under a name Siger chooses; (stored name, shown name)."""
    try:
        checked = file_check(upload=upload, kinds=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)
    except FileCheckError as error:
        raise LearningError(error.message) from None
    upload.seek(0)
    stored = default_storage.save(f"{EVIDENCE_FOLDER}/{uuid.uuid4().hex}.{checked.extension}", upload)
    return stored, checked.name


def evidence_content_type(entry: LedgerEntry) -> str:
    extension = entry.evidence.name.rpartition(".")[2].lower()
    file_type = TYPE_BY_EXTENSION.get(extension)
    return file_type.content_type if file_type else "application/octet-stream"


def learning_submit(
    *,
    user: User,
    form: str,
    title: str,
    organiser: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    amount: Decimal,
    unit: str,
    certificate_number: str = "",
    evidence: UploadedFile,
    today: datetime.date | None = None,
) -> LedgerEntry:
    """Report learning done outside Siger: a waiting entry with its converted JP, flagged if it looks like a
    duplicate. Refused (nothing stored) when the dates, the unit or the evidence are wrong."""
    today = today or timezone.localdate()
    title = re.sub(r"\s+", " ", title or "").strip()
    if form not in LearningForm.values:
        raise LearningError(_("Pilih bentuk pembelajaran."))
    if not title:
        raise LearningError(_("Isi judul kegiatan."))
    if ends_on < starts_on:
        raise LearningError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
    if ends_on > today:
        raise LearningError(_("Kegiatan yang belum selesai belum bisa dicatat: tanggal selesai ada di masa depan."))
    if amount > AMOUNT_MAX:
        raise LearningError(_("Jumlah terlalu besar."))
    jp = conversion(form=form, unit=unit, amount=amount)
    if jp <= 0:
        raise LearningError(_("Jumlah terlalu kecil untuk dihitung sebagai JP."))
    certificate_number = (certificate_number or "").strip()
    if evidence is None:
        raise LearningError(_("Unggah bukti (sertifikat atau surat keterangan)."))
    stored, shown = _evidence_store(evidence)
    try:
        with transaction.atomic():
            duplicate = learning_duplicate_find(
                user=user, title=title, starts_on=starts_on, ends_on=ends_on, certificate_number=certificate_number
            )
            entry = LedgerEntry(
                user=user,
                nip=user.nip,
                work_unit_id=user.work_unit_id,
                employee_type=user.employee_type or "",
                starts_on=starts_on,
                ends_on=ends_on,
                jp=jp,
                route=ROUTE_OF_FORM[form],
                form=form,
                title=title[:255],
                organiser=(organiser or "").strip()[:255],
                source=EntrySource.SUBMISSION,
                certificate_number=certificate_number[:100],
                status=EntryStatus.WAITING,
                created_by=user,
                reported_amount=amount,
                reported_unit=unit,
                evidence_name=shown[:255],
                duplicate_of=duplicate,
            )
            entry.evidence.name = stored
            entry.save()
    except Exception:
        default_storage.delete(stored)
        raise
    return entry


def _decided(entry: LedgerEntry, by: User) -> LedgerEntry:
    """The entry, locked, once `by` may decide on it and it still waits."""
    locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if not user_can_verify_entry(by, locked):
        raise LearningError(_("Anda tidak berwenang memverifikasi catatan ini."))
    if locked.status != EntryStatus.WAITING or locked.source != EntrySource.SUBMISSION:
        raise LearningError(_("Catatan ini sudah diputuskan."))
    return locked


@transaction.atomic
def learning_approve(*, entry: LedgerEntry, by: User, jp: Decimal | None = None, reason: str = "") -> LedgerEntry:
    """Record a waiting submission; the verifier may set other JP than converted, with a reason."""
    entry = _decided(entry, by)
    reason = (reason or "").strip()
    if jp is not None and jp != entry.jp:
        if jp <= 0 or jp > JP_MAX:
            raise LearningError(_("JP harus lebih dari nol dan paling banyak %(max)s.") % {"max": JP_MAX})
        if not reason:
            raise LearningError(_("Tulis alasan mengubah JP."))
        entry.jp = jp.quantize(CENT, rounding=ROUND_HALF_UP)
    entry.status = EntryStatus.RECORDED
    entry.status_reason = reason[:500]
    entry.verified_by = by
    entry.verified_at = timezone.now()
    entry.save(update_fields=["jp", "status", "status_reason", "verified_by", "verified_at"])
    emit(LEARNING_VERIFIED, entry=entry)
    return entry


@transaction.atomic
def learning_reject(*, entry: LedgerEntry, by: User, reason: str) -> LedgerEntry:
    """Reject a waiting submission; the reason is required and shown to the learner."""
    entry = _decided(entry, by)
    reason = (reason or "").strip()
    if not reason:
        raise LearningError(_("Tulis alasan penolakan."))
    entry.status = EntryStatus.REJECTED
    entry.status_reason = reason[:500]
    entry.verified_by = by
    entry.verified_at = timezone.now()
    entry.save(update_fields=["status", "status_reason", "verified_by", "verified_at"])
    emit(LEARNING_VERIFIED, entry=entry)
    return entry


def amount_parse(value: str) -> Decimal:
    """An amount typed with a decimal comma or point ("2,5")."""
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise LearningError(_("Jumlah harus berupa angka.")) from None
    if not amount.is_finite():
        raise LearningError(_("Jumlah harus berupa angka."))
    return amount


def learning_waiting(*, work_unit_ids: set[int] | None):
    """Submissions waiting for a decision, within an OPD scope (None: all), oldest first."""
    entries = LedgerEntry.objects.filter(source=EntrySource.SUBMISSION, status=EntryStatus.WAITING)
    if work_unit_ids is not None:
        entries = entries.filter(Q(work_unit_id__in=work_unit_ids))
    return entries.select_related("user", "work_unit", "duplicate_of").order_by("created_at", "pk")
