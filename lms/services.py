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

from lms.certificates.numbers import DEFAULT_FORMAT as DEFAULT_NUMBER_FORMAT
from lms.certificates.numbers import number_format_validate, number_render
from lms.certificates.selectors import certificate_programme_settings_get, certificate_signer_for
from lms.competence.services import (
    ledger_record_attendance,
    ledger_record_completion,
    ledger_reverse_attendance,
    ledger_reverse_certificate,
)
from lms.events import CERTIFICATE_ISSUED, ENROLLMENT_CREATED, emit
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
from lms.selectors import course_path


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
        emit(ENROLLMENT_CREATED, enrollment=existing)
        return existing
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(user=user, course=course, source=source, enrolled_by=enrolled_by)
    except IntegrityError:
        # A concurrent request enrolled the same learner first.
        raise EnrollmentError("already_enrolled", _("Anda sudah terdaftar di pelatihan ini.")) from None
    emit(ENROLLMENT_CREATED, enrollment=enrollment)
    return enrollment


class BulkRowStatus:
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    INVALID_NIP = "invalid_nip"
    UNKNOWN_NIP = "unknown_nip"
    DUPLICATE = "duplicate"
    INVALID_CLASS = "invalid_class"

    ERRORS = frozenset({INVALID_NIP, UNKNOWN_NIP, DUPLICATE, INVALID_CLASS})


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


@dataclass
class BulkEntry:
    """One data row of a cohort CSV: the NIP cell and, with a header, the class and group to put them in."""

    line: int
    raw: str
    kelas: str = ""
    kelompok: str = ""


def _bulk_read_nips(text: str) -> list[BulkEntry]:
    """The data rows. With a header row naming 'nip' (any case, any order), its 'kelas' and 'kelompok' columns are
    read too; without one, the NIP is the first column of every line."""
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
    kelas = header.index("kelas") if start and "kelas" in header else None
    kelompok = header.index("kelompok") if start and "kelompok" in header else None

    def cell(row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and len(row) > index else ""

    return [
        BulkEntry(number, cell(row, column), cell(row, kelas), cell(row, kelompok))
        for number, row in enumerate(rows[start:], start=start + 1)
        if any(c.strip() for c in row)
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
    from lms.access import user_can_manage_cohort

    if any(e.kelas or e.kelompok for e in entries) and not user_can_manage_cohort(enrolled_by, course):
        report.error = _("Hanya administrator yang dapat menetapkan kelas dan kelompok lewat impor.")
        return report

    normalized: dict[int, str] = {}
    for entry in entries:
        line, raw = entry.line, entry.raw
        try:
            normalized[line] = nip_validate(raw, pppk=True)
        except ValidationError as error:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.INVALID_NIP, " ".join(error.messages)))
    users = User.objects.in_bulk(list(set(normalized.values())), field_name="nip")
    enrolled = set(
        Enrollment.objects.current().filter(course=course, user__in=users.values()).values_list("user_id", flat=True)
    )
    seen: set[str] = set()
    # Class and group columns (lms.cohorts): checked here, applied below with the enrollments.
    from lms.cohorts.services import cohort_placements_check

    placement_errors, placement_notes = cohort_placements_check(
        course=course, entries=[(e.line, e.kelas, e.kelompok) for e in entries if e.line in normalized]
    )
    for entry in entries:
        line, raw = entry.line, entry.raw
        nip = normalized.get(line)
        if nip is None:
            continue
        user = users.get(nip)
        if nip in seen:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.DUPLICATE, _("NIP ganda dalam berkas.")))
        elif user is None:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.UNKNOWN_NIP, _("NIP tidak terdaftar di Siger.")))
        elif line in placement_errors:
            report.rows.append(BulkRow(line, raw, BulkRowStatus.INVALID_CLASS, placement_errors[line], user))
        elif user.pk in enrolled:
            message = " · ".join([_("Sudah terdaftar."), *placement_notes.get(line, [])])
            report.rows.append(BulkRow(line, raw, BulkRowStatus.ALREADY_ENROLLED, message, user))
        else:
            message = " · ".join([_("Didaftarkan."), *placement_notes.get(line, [])])
            report.rows.append(BulkRow(line, raw, BulkRowStatus.ENROLLED, message, user))
        seen.add(nip)
    report.rows.sort(key=lambda row: row.line)
    if not report.ok:
        return report
    places = {e.line: (e.kelas, e.kelompok) for e in entries}
    with transaction.atomic():
        placements = []
        for row in report.rows:
            if row.status == BulkRowStatus.ENROLLED:
                enrollment = enrollment_create(
                    user=row.user, course=course, source=EnrollmentSource.BULK, enrolled_by=enrolled_by
                )
            elif places[row.line][0]:
                enrollment = Enrollment.objects.get(user=row.user, course=course)
            else:
                continue
            placements.append((enrollment, *places[row.line]))
        from lms.cohorts.services import cohort_placements_apply

        cohort_placements_apply(course=course, placements=placements, by=enrolled_by)
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
        if isinstance(item, LiveSessionPage) and source in (ProgressSource.ATTENDANCE, ProgressSource.OVERRIDE):
            ledger_record_attendance(enrollment=enrollment, session=item)
        enrollment_refresh_completion(enrollment=enrollment)
    return progress


@transaction.atomic
def progress_reopen(
    *, enrollment: Enrollment, item: ModulePage | LiveSessionPage, note: str = "", by: User | None = None
) -> ItemProgress:
    """Set a step back to not completed (an instructor's override, e.g. attendance withdrawn)."""
    progress = _progress_get_for_update(enrollment=enrollment, item=item)
    if isinstance(item, LiveSessionPage):
        ledger_reverse_attendance(enrollment=enrollment, session=item, by=by, reason=note)
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
    # The learner's own path: a session for another class (lms.cohorts) is no step of theirs and must not hold
    # their completion back.
    item_ids = {step.page.pk for step in course_path(course=enrollment.course, enrollment=enrollment).steps}
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
        if enrollment.course.requires_graduation:
            # A programme run: the STTPP and the JP wait for the graduation decision (lms.programmes.services).
            return enrollment
        certificate = certificate_issue(enrollment=enrollment)
        # The JP enter the person's competence record in the same transaction as the completion: never one
        # without the other.
        ledger_record_completion(enrollment=enrollment, certificate=certificate)
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


def certificate_number_format(*, programme: str, year: int, sequence: int, month: int = 1) -> str:
    """The programme's own format (lms.certificates.numbers), else SIGER/PKA/2026/000123: programme, year of
    issue, sequence within both."""
    programme_settings = certificate_programme_settings_get(programme=programme)
    template = programme_settings.number_format if programme_settings else ""
    values = {"programme": programme, "year": year, "month": month, "sequence": sequence}
    if template:
        try:
            number_format_validate(template)
            number = number_render(template=template, **values)
        except ValidationError:
            number = ""  # saved around the admin's validation: the default rather than a failed completion
        # A format changed during the year can meet a number issued under the old one: never a duplicate.
        if number and not Certificate.objects.filter(number=number).exists():
            return number
    return number_render(template=DEFAULT_NUMBER_FORMAT, **values)


@transaction.atomic
def certificate_issue(*, enrollment: Enrollment, issued_by: User | None = None, predicate: str = "") -> Certificate:
    """Issue the certificate of a completed enrollment, copying what it states; idempotent. `predicate`: a
    programme run's STTPP, issued on the graduation decision (lms.programmes.services)."""
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
    month = timezone.localtime(issued_at).month
    signer = certificate_signer_for(
        course=course, programme_settings=certificate_programme_settings_get(programme=course.programme)
    )
    # The document is Indonesian whatever language the request that completed the course was in.
    with translation.override(settings.LANGUAGE_CODE):
        programme_name = str(course.get_programme_display())
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        number=certificate_number_format(programme=course.programme, year=year, sequence=sequence, month=month),
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
        signer_name=signer.name,
        signer_title=signer.title,
        signer_nip=signer.nip,
        predicate=predicate[:60],
        batch=course.batch,
    )
    emit(CERTIFICATE_ISSUED, certificate=certificate)  # subscribers run after commit
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
    with transaction.atomic():
        certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), by, reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        # A revoked certificate takes its JP back out of the record: a counter-entry, the original stays.
        ledger_reverse_certificate(certificate=certificate, by=by, reason=reason)
    return certificate


def user_create(*, nip: str, full_name: str, password: str | None = None, **fields) -> User:
    """Create an ASN account after validating the NIP."""
    user = User(nip=nip, full_name=full_name, **fields)
    user.full_clean(exclude=["password"])
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    return user
