"""Writes to the competence ledger. Entries are added, never edited: corrections are counter-entries."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lms.competence.models import ROUTE_OF_FORM, EntrySource, EntryStatus, LearningForm, LedgerEntry, LedgerYear
from lms.models import Certificate, Enrollment, LiveSessionPage, Programme, SessionKind, User

# The form a completed Siger course is recorded as, by programme: leadership, basic, technical and functional
# training are "pelatihan" (classical in LAN's list, blended or not); a seminar programme runs as webinars.
FORM_OF_PROGRAMME: dict[str, str] = {
    Programme.LATSAR: LearningForm.TRAINING,
    Programme.PKA: LearningForm.TRAINING,
    Programme.PKP: LearningForm.TRAINING,
    Programme.PKN2: LearningForm.TRAINING,
    Programme.PBJ: LearningForm.TRAINING,
    Programme.TECHNICAL: LearningForm.TRAINING,
    Programme.FUNCTIONAL: LearningForm.TRAINING,
    Programme.SEMINAR: LearningForm.WEBINAR,
}


def _snapshot(user: User) -> dict:
    return {"nip": user.nip, "work_unit_id": user.work_unit_id, "employee_type": user.employee_type or ""}


@transaction.atomic
def ledger_record_completion(*, enrollment: Enrollment, certificate: Certificate | None = None) -> LedgerEntry | None:
    """Record the JP of a completed Siger course, as of completion (idempotent; none for a course of 0 JP)."""
    existing = LedgerEntry.objects.filter(enrollment=enrollment, source=EntrySource.COURSE_COMPLETION).first()
    if existing is not None:
        return existing
    jp = Decimal(enrollment.jp_credit or 0)
    if jp <= 0 or enrollment.completed_at is None:
        return None
    course, user = enrollment.course, enrollment.user
    ends_on = timezone.localdate(enrollment.completed_at)
    starts_on = min(course.starts_on or timezone.localdate(enrollment.enrolled_at), ends_on)
    form = FORM_OF_PROGRAMME.get(course.programme, LearningForm.TRAINING)
    return LedgerEntry.objects.create(
        user=user,
        **_snapshot(user),
        starts_on=starts_on,
        ends_on=ends_on,
        jp=jp,
        route=ROUTE_OF_FORM[form],
        form=form,
        title=course.title[:255],
        organiser=settings.SIGER_CERTIFICATE_ISSUER[:255],
        source=EntrySource.COURSE_COMPLETION,
        certificate_number=certificate.number if certificate else "",
        status=EntryStatus.RECORDED,
        enrollment=enrollment,
        certificate=certificate,
    )


# A session attended on its own is recorded as the form of learning it was.
FORM_OF_SESSION_KIND: dict[str, str] = {
    SessionKind.WEBINAR: LearningForm.WEBINAR,
    SessionKind.CLASSROOM: LearningForm.SEMINAR,
}


def _attendance_entry(*, enrollment: Enrollment, session: LiveSessionPage) -> LedgerEntry | None:
    """The attendance entry of a session that still counts (recorded, not cancelled by a counter-entry)."""
    return (
        LedgerEntry.objects.filter(
            enrollment=enrollment, session=session, source=EntrySource.SESSION_ATTENDANCE, status=EntryStatus.RECORDED
        )
        .filter(reversed_by__isnull=True)
        .first()
    )


@transaction.atomic
def ledger_record_attendance(*, enrollment: Enrollment, session: LiveSessionPage) -> LedgerEntry | None:
    """Record the JP of a live session attended on its own: only a session with JP of its own, in a course that
    gives none for completion (otherwise the course's JP count it, once). Idempotent while it counts."""
    course = enrollment.course
    if session.jp_credit <= 0 or course.jp_credit > 0:
        return None
    existing = _attendance_entry(enrollment=enrollment, session=session)
    if existing is not None:
        return existing
    user = enrollment.user
    day = timezone.localdate(session.starts_at)
    form = FORM_OF_SESSION_KIND.get(session.kind, LearningForm.WEBINAR)
    return LedgerEntry.objects.create(
        user=user,
        **_snapshot(user),
        starts_on=day,
        ends_on=max(day, timezone.localdate(session.ends_at)),
        jp=Decimal(session.jp_credit),
        route=ROUTE_OF_FORM[form],
        form=form,
        title=session.title[:255],
        organiser=settings.SIGER_CERTIFICATE_ISSUER[:255],
        source=EntrySource.SESSION_ATTENDANCE,
        status=EntryStatus.RECORDED,
        enrollment=enrollment,
        session=session,
    )


def ledger_reverse_attendance(
    *, enrollment: Enrollment, session: LiveSessionPage, by: User | None, reason: str
) -> None:
    """Attendance withdrawn by an instructor takes the session's JP back (a counter-entry)."""
    entry = _attendance_entry(enrollment=enrollment, session=session)
    if entry is not None:
        ledger_reverse(entry=entry, by=by, reason=reason)


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, by: User | None, reason: str) -> LedgerEntry | None:
    """Cancel a recorded entry with a counter-entry of the same dates and negative JP (once)."""
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != EntryStatus.RECORDED or entry.source == EntrySource.REVERSAL:
        return None
    if LedgerEntry.objects.filter(reverses=entry).exists():
        return None
    return LedgerEntry.objects.create(
        user_id=entry.user_id,
        nip=entry.nip,
        work_unit_id=entry.work_unit_id,
        employee_type=entry.employee_type,
        # The same dates: the period the JP were counted in is the period they leave.
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        jp=-entry.jp,
        route=entry.route,
        form=entry.form,
        title=entry.title,
        organiser=entry.organiser,
        source=EntrySource.REVERSAL,
        certificate_number=entry.certificate_number,
        status=EntryStatus.RECORDED,
        status_reason=reason[:500],
        enrollment_id=entry.enrollment_id,
        certificate_id=entry.certificate_id,
        reverses=entry,
        created_by=by,
    )


def ledger_reverse_certificate(*, certificate: Certificate, by: User | None, reason: str) -> list[LedgerEntry]:
    """A revoked certificate takes back the JP it recorded."""
    entries = LedgerEntry.objects.filter(
        enrollment_id=certificate.enrollment_id, source=EntrySource.COURSE_COMPLETION, status=EntryStatus.RECORDED
    )
    reversals = [ledger_reverse(entry=entry, by=by, reason=reason) for entry in entries]
    return [r for r in reversals if r is not None]


def ledger_years_computed() -> dict[tuple[int, int], LedgerYear]:
    """LedgerYear rows as the ledger says they should be (one pass over the recorded entries)."""
    years: dict[tuple[int, int], LedgerYear] = {}
    entries = LedgerEntry.objects.recorded().order_by("user_id", "ends_on", "id")
    for user_id, unit_id, day, pk, jp in entries.values_list("user_id", "work_unit_id", "ends_on", "id", "jp").iterator(
        chunk_size=5000
    ):
        row = years.get((user_id, day.year))
        if row is None:
            row = years[(user_id, day.year)] = LedgerYear(user_id=user_id, year=day.year, jp=Decimal(0), entries=0)
        row.jp += jp
        row.entries += 1
        row.work_unit_id, row.last_day, row.last_id = unit_id, day, pk
    return years


def ledger_years_differences() -> list[str]:
    """Where LedgerYear disagrees with the ledger (empty when the triggers kept it right)."""
    expected = ledger_years_computed()
    fields = ("jp", "entries", "work_unit_id", "last_day", "last_id")
    found = {(r.user_id, r.year): r for r in LedgerYear.objects.all()}
    differences = []
    for key in sorted(expected.keys() | found.keys()):
        want, have = expected.get(key), found.get(key)
        if want is None or have is None:
            differences.append(f"user {key[0]}, {key[1]}: {'missing' if have is None else 'not in the ledger'}")
            continue
        wrong = [f for f in fields if getattr(want, f) != getattr(have, f)]
        if wrong:
            detail = ", ".join(f"{f} {getattr(have, f)} != {getattr(want, f)}" for f in wrong)
            differences.append(f"user {key[0]}, {key[1]}: {detail}")
    return differences


@transaction.atomic
def ledger_years_rebuild() -> int:
    """Recompute every LedgerYear from the ledger (after a repair done around the triggers); returns the rows."""
    # Lock the ledger against writes while it is summed, so that no entry lands between the sum and the swap.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {LedgerEntry._meta.db_table} IN SHARE MODE")  # noqa: S608 - a model's name
    rows = ledger_years_computed()
    LedgerYear.objects.all().delete()
    LedgerYear.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)
