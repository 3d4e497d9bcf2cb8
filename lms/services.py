"""Writes and workflows of the course side: enrollment, progress, completion, certificates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.models import (
    Certificate,
    CertificateSequence,
    CompletionRule,
    CoursePage,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    ItemProgress,
    LiveSessionPage,
    ModulePage,
    ProgressSource,
    ProgressStatus,
    User,
)
from lms.nip import nip_validate
from lms.selectors import course_items


class EnrollmentError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def enrollment_create(
    *, user: User, course: CoursePage, source: str = EnrollmentSource.SELF, enrolled_by: User | None = None
) -> Enrollment:
    """Enroll a learner; self-enrollment only while the course is open."""
    if course.is_archived:
        raise EnrollmentError("archived", _("Pelatihan ini sudah diarsipkan dan tidak menerima pendaftaran."))
    if source == EnrollmentSource.SELF and not course.enrollment_is_open():
        raise EnrollmentError("closed", _("Pendaftaran pelatihan ini sedang ditutup."))
    existing = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if existing is not None:
        if existing.status != EnrollmentStatus.WITHDRAWN:
            raise EnrollmentError("already_enrolled", _("Anda sudah terdaftar di pelatihan ini."))
        existing.status = EnrollmentStatus.ACTIVE
        existing.source, existing.enrolled_by, existing.enrolled_at = source, enrolled_by, timezone.now()
        existing.save(update_fields=["status", "source", "enrolled_by", "enrolled_at"])
        _notify_enrollment(existing)
        return existing
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(user=user, course=course, source=source, enrolled_by=enrolled_by)
    except IntegrityError:
        # A concurrent request enrolled the same learner first.
        raise EnrollmentError("already_enrolled", _("Anda sudah terdaftar di pelatihan ini.")) from None
    _notify_enrollment(enrollment)
    return enrollment


def _notify_enrollment(enrollment: Enrollment) -> None:
    from lms.notifications.hooks import notify_enrollment  # lazy: notifications depend on lms, not the reverse

    notify_enrollment(enrollment=enrollment)


class BulkRowStatus:
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    INVALID_NIP = "invalid_nip"
    UNKNOWN_NIP = "unknown_nip"
    DUPLICATE = "duplicate"

    ERRORS = frozenset({INVALID_NIP, UNKNOWN_NIP, DUPLICATE})


@dataclass
class BulkRow:
    line: int
    raw: str
    status: str
    message: str
    user: User | None = None

    @property
    def is_error(self) -> bool:
        return self.status in BulkRowStatus.ERRORS


@dataclass
class BulkReport:
    rows: list[BulkRow] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not any(row.is_error for row in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


MAX_BULK_ROWS = 5000


def _bulk_read_nips(text: str) -> list[tuple[int, str]]:
    """(line number, NIP cell) for each data row. The NIP column is the one headed 'nip', else the first."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:  # a single column has no delimiter to find
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect=dialect))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column, start = (header.index("nip"), 1) if "nip" in header else (0, 0)
    return [
        (number, row[column].strip() if len(row) > column else "")
        for number, row in enumerate(rows[start:], start=start + 1)
        if any(cell.strip() for cell in row)
    ]


def enrollment_bulk_import(*, course: CoursePage, csv_text: str, enrolled_by: User) -> BulkReport:
    """Enroll a cohort from a CSV of NIPs: all rows or none, with a per-row report."""
    report = BulkReport()
    if course.is_archived:
        report.error = _("Pelatihan ini sudah diarsipkan dan tidak menerima pendaftaran.")
        return report
    try:
        entries = _bulk_read_nips(csv_text)
    except csv.Error as error:
        report.error = _("Berkas CSV tidak dapat dibaca: %(error)s") % {"error": error}
        return report
    if not entries:
        report.error = _("Berkas CSV tidak berisi NIP.")
        return report
    if len(entries) > MAX_BULK_ROWS:
        report.error = _("Maksimal %(n)d baris per impor.") % {"n": MAX_BULK_ROWS}
        return report

    normalized: dict[int, str] = {}
    for line, raw in entries:
        try:
            normalized[line] = nip_validate(raw, pppk=True)
        except ValidationError as error:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.INVALID_NIP, " ".join(error.messages)))
    users = User.objects.in_bulk(list(set(normalized.values())), field_name="nip")
    enrolled = set(
        Enrollment.objects.current().filter(course=course, user__in=users.values()).values_list("user_id", flat=True)
    )
    seen: set[str] = set()
    for line, raw in entries:
        nip = normalized.get(line)
        if nip is None:
            continue
        user = users.get(nip)
        if nip in seen:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.DUPLICATE, _("NIP ganda dalam berkas.")))
        elif user is None:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.UNKNOWN_NIP, _("NIP tidak terdaftar di Siger.")))
        elif user.pk in enrolled:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.ALREADY_ENROLLED, _("Sudah terdaftar."), user))
        else:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.ENROLLED, _("Didaftarkan."), user))
        seen.add(nip)
    report.rows.sort(key=lambda row: row.line)
    if not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            if row.status == BulkRowStatus.ENROLLED:
                enrollment_create(user=row.user, course=course, source=EnrollmentSource.BULK, enrolled_by=enrolled_by)
    return report


class ProgressError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _progress_get_for_update(*, enrollment: Enrollment, item: ModulePage | LiveSessionPage) -> ItemProgress:
    progress, _created = ItemProgress.objects.select_for_update().get_or_create(enrollment=enrollment, item_id=item.pk)
    return progress


@transaction.atomic
def progress_complete(
    *, enrollment: Enrollment, item: ModulePage | LiveSessionPage, source: str, note: str = ""
) -> ItemProgress:
    """Mark a step completed (idempotent) and complete the course when every step is."""
    progress = _progress_get_for_update(enrollment=enrollment, item=item)
    if progress.status != ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.COMPLETED
        progress.source, progress.note, progress.completed_at = source, note[:255], timezone.now()
        progress.save()
        enrollment_refresh_completion(enrollment=enrollment)
    return progress


@transaction.atomic
def progress_reopen(*, enrollment: Enrollment, item: ModulePage | LiveSessionPage, note: str = "") -> ItemProgress:
    """Set a step back to not completed (an instructor's override, e.g. attendance withdrawn)."""
    progress = _progress_get_for_update(enrollment=enrollment, item=item)
    progress.status, progress.completed_at = ProgressStatus.STARTED, None
    progress.source, progress.note = ProgressSource.OVERRIDE, note[:255]
    progress.save()
    return progress


def progress_item_viewed(*, enrollment: Enrollment, item: ModulePage | LiveSessionPage) -> ItemProgress:
    """A learner opened a step: start it, or complete it when opening is its rule."""
    if item.completion_rule == CompletionRule.VIEWED:
        return progress_complete(enrollment=enrollment, item=item, source=ProgressSource.VIEWED)
    progress, _created = ItemProgress.objects.get_or_create(enrollment=enrollment, item_id=item.pk)
    return progress


def progress_mark_done(*, enrollment: Enrollment, item: ModulePage) -> ItemProgress:
    """The learner's 'Tandai selesai'."""
    if item.completion_rule not in (CompletionRule.MARKED_DONE, CompletionRule.VIEWED):
        raise ProgressError(_("Modul ini selesai otomatis setelah semua aktivitas wajib lulus."))
    return progress_complete(enrollment=enrollment, item=item, source=ProgressSource.MARKED_DONE)


def enrollment_refresh_completion(*, enrollment: Enrollment) -> Enrollment:
    """Complete the enrollment when every live step of its course is completed. Never uncompletes: a
    certificate once earned stays earned when a step is added later."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return enrollment
    item_ids = {item.pk for item in course_items(course=enrollment.course)}
    done = set(
        ItemProgress.objects.filter(
            enrollment=enrollment, status=ProgressStatus.COMPLETED, item_id__in=item_ids
        ).values_list("item_id", flat=True)
    )
    if item_ids and item_ids <= done:
        # JP are recorded now, once: a later edit of the course's JP must not rewrite what was earned.
        completed_at, jp_credit = timezone.now(), enrollment.course.jp_credit
        # Conditional on the stored status: an enrollment withdrawn since this one was loaded is not completed.
        if not Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.COMPLETED, completed_at=completed_at, jp_credit=jp_credit
        ):
            enrollment.refresh_from_db(fields=["status", "completed_at", "jp_credit"])
            return enrollment
        enrollment.status, enrollment.completed_at, enrollment.jp_credit = (
            EnrollmentStatus.COMPLETED,
            completed_at,
            jp_credit,
        )
        certificate_issue(enrollment=enrollment)
    return enrollment


REVOKE_REASON_MAX = 500  # Certificate.revoke_reason's max_length


class CertificateError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _certificate_next_sequence(*, programme: str, year: int) -> int:
    # get_or_create survives a concurrent first insert; the row lock then orders concurrent issuers.
    CertificateSequence.objects.get_or_create(programme=programme, year=year)
    counter = CertificateSequence.objects.select_for_update().get(programme=programme, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def certificate_number_format(*, programme: str, year: int, sequence: int) -> str:
    """SIGER/PKA/2026/000123: programme, year of issue, sequence within both."""
    return f"SIGER/{programme.upper()}/{year}/{sequence:06d}"


@transaction.atomic
def certificate_issue(*, enrollment: Enrollment, issued_by: User | None = None) -> Certificate:
    """Issue the certificate of a completed enrollment, copying what it states; idempotent."""
    # The enrollment row lock makes a second, concurrent issuer wait and then find the first one's certificate.
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user__work_unit", "course")
        .get(pk=enrollment.pk)
    )
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        # A withdrawn participant earns no certificate, even if every step was done before withdrawing.
        raise CertificateError("withdrawn", _("Peserta ini mengundurkan diri; sertifikat tidak diterbitkan."))
    if enrollment.status != EnrollmentStatus.COMPLETED or enrollment.completed_at is None:
        raise CertificateError("not_completed", _("Sertifikat hanya diterbitkan untuk pelatihan yang sudah selesai."))
    user, course = enrollment.user, enrollment.course
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    sequence = _certificate_next_sequence(programme=course.programme, year=year)
    # The document is Indonesian whatever language the request that completed the course was in.
    with translation.override(settings.LANGUAGE_CODE):
        programme_name = str(course.get_programme_display())
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        number=certificate_number_format(programme=course.programme, year=year, sequence=sequence),
        programme=course.programme,
        year=year,
        sequence=sequence,
        issued_at=issued_at,
        issued_by=issued_by,
        issuer_name=settings.SIGER_CERTIFICATE_ISSUER,
        learner_name=user.full_name or user.nip,
        learner_nip=user.nip,
        learner_rank=user.rank,
        learner_position=user.position,
        work_unit_name=user.work_unit.name if user.work_unit else "",
        course_title=course.title,
        programme_name=programme_name,
        jp_credit=course.jp_credit if enrollment.jp_credit is None else enrollment.jp_credit,
        course_starts_on=course.starts_on,
        course_ends_on=course.ends_on,
        completed_at=enrollment.completed_at,
    )
    from lms.notifications.hooks import notify_certificate  # lazy: notifications depend on lms

    notify_certificate(certificate=certificate)  # its email is queued after commit
    return certificate


def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate (it stays on record and its verification page says so); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason_required", _("Isi alasan pencabutan sertifikat."))
    if len(reason) > REVOKE_REASON_MAX:
        raise CertificateError(
            "reason_too_long", _("Alasan pencabutan paling panjang %(n)d karakter.") % {"n": REVOKE_REASON_MAX}
        )
    if certificate.is_revoked:
        raise CertificateError("already_revoked", _("Sertifikat ini sudah dicabut."))
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), by, reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def user_create(*, nip: str, full_name: str, password: str | None = None, **fields) -> User:
    """Create an ASN account after validating the NIP."""
    user = User(nip=nip, full_name=full_name, **fields)
    user.full_clean(exclude=["password"])
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    return user
