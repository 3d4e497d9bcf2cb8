"""Seminar: a participant's slot in a seminar session, the examiners' score sheets, and the schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import Enrollment, LiveSessionPage, User
from lms.programmes.grading import round2
from lms.programmes.models import GuideRole, ParticipantGuide, SeminarScoreSheet, SeminarSlot


class SeminarError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def seminar_slot_set(
    *, session: LiveSessionPage, enrollment: Enrollment, starts_at: datetime, room: str, by: User
) -> SeminarSlot:
    """Set (or move) a participant's turn in a seminar session of their course."""
    if not session.is_descendant_of(enrollment.course):
        raise SeminarError("other_course", _("Sesi seminar harus berada dalam pelatihan peserta."))
    slot, _created = SeminarSlot.objects.update_or_create(
        session=session, enrollment=enrollment, defaults={"starts_at": starts_at, "room": room[:100]}
    )
    return slot


def _examiner_ids(enrollment: Enrollment) -> set[int]:
    return set(
        ParticipantGuide.objects.filter(
            enrollment=enrollment, role=GuideRole.EXAMINER, ended_at__isnull=True
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def seminar_sheet_save(
    *, enrollment: Enrollment, examiner: User, scores: dict, comment: str, submit: bool
) -> SeminarScoreSheet:
    """Save an examiner's draft or submit it (final). Total = Σ weight × score / Σ weight over the run's criteria
    as they are at submission (snapshotted on the sheet), rounded half up to 2 decimals."""
    if examiner.pk not in _examiner_ids(enrollment):
        raise SeminarError("not_examiner", _("Anda bukan penguji peserta ini."))
    criteria = list(enrollment.course.seminar_criteria.all())
    if not criteria:
        raise SeminarError("no_criteria", _("Pelatihan ini belum memiliki kriteria penilaian seminar."))
    sheet, _created = SeminarScoreSheet.objects.select_for_update().get_or_create(
        enrollment=enrollment, examiner=examiner
    )
    if sheet.submitted_at is not None:
        raise SeminarError("submitted", _("Lembar nilai sudah dikirim dan tidak dapat diubah lagi."))
    clean: dict[str, str] = {}
    for criterion in criteria:
        raw = scores.get(criterion.key)
        if raw in (None, ""):
            if submit:
                raise SeminarError("incomplete", _("Isi nilai setiap kriteria sebelum mengirim: %s") % criterion.name)
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value > 100:
            raise SeminarError("range", _("Nilai %s harus antara 0 dan 100.") % criterion.name)
        clean[criterion.key] = str(round2(value))
    sheet.scores, sheet.comment, sheet.updated_at = clean, comment, timezone.now()
    if submit:
        sheet.criteria = [{"key": c.key, "name": c.name, "weight": str(c.weight)} for c in criteria]
        sheet.total = round2(sum(c.weight * Decimal(clean[c.key]) for c in criteria) / sum(c.weight for c in criteria))
        sheet.submitted_at = timezone.now()
    sheet.save()
    return sheet


def sheets_visible_to(*, examiner: User, enrollment: Enrollment) -> list[SeminarScoreSheet]:
    """The sheets an examiner may see: their own always, the others' submitted ones only after their own."""
    own = SeminarScoreSheet.objects.filter(enrollment=enrollment, examiner=examiner).first()
    if own is None or own.submitted_at is None:
        return [own] if own else []
    others = SeminarScoreSheet.objects.filter(enrollment=enrollment, submitted_at__isnull=False).exclude(
        examiner=examiner
    )
    return [own, *others.select_related("examiner").order_by("submitted_at", "pk")]


@dataclass
class PanelMember:
    examiner: User
    submitted: bool
    late: bool


@dataclass
class ScheduleRow:
    slot: SeminarSlot
    panel: list[PanelMember] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.panel) and all(m.submitted for m in self.panel)

    @property
    def late(self) -> bool:
        return any(m.late for m in self.panel)


def seminar_schedule(*, course, session: LiveSessionPage | None = None) -> list[ScheduleRow]:
    """The seminar slots of a run (or one session) with each participant's panel: who submitted, who is late
    (the slot's time has passed and their sheet is not submitted)."""
    slots = SeminarSlot.objects.filter(enrollment__course=course).select_related("enrollment__user", "session")
    if session is not None:
        slots = slots.filter(session=session)
    slots = list(slots.order_by("starts_at", "pk"))
    enrollment_ids = [s.enrollment_id for s in slots]
    guides = ParticipantGuide.objects.filter(
        enrollment_id__in=enrollment_ids, role=GuideRole.EXAMINER, ended_at__isnull=True
    ).select_related("user")
    submitted = set(
        SeminarScoreSheet.objects.filter(enrollment_id__in=enrollment_ids, submitted_at__isnull=False).values_list(
            "enrollment_id", "examiner_id"
        )
    )
    panels: dict[int, list[User]] = {}
    for guide in guides.order_by("assigned_at", "pk"):
        panels.setdefault(guide.enrollment_id, []).append(guide.user)
    now = timezone.now()
    rows = []
    for slot in slots:
        row = ScheduleRow(slot=slot)
        for user in panels.get(slot.enrollment_id, []):
            done = (slot.enrollment_id, user.pk) in submitted
            row.panel.append(PanelMember(examiner=user, submitted=done, late=not done and slot.starts_at < now))
        rows.append(row)
    return rows


def seminar_participants_of(*, examiner: User) -> list[tuple[Enrollment, SeminarScoreSheet | None]]:
    """The participants an examiner currently examines, with their sheet if any."""
    enrollments = list(
        Enrollment.objects.filter(
            guides__user=examiner, guides__role=GuideRole.EXAMINER, guides__ended_at__isnull=True
        ).select_related("user", "course")
    )
    sheets = {
        s.enrollment_id: s
        for s in SeminarScoreSheet.objects.filter(examiner=examiner, enrollment__in=[e.pk for e in enrollments])
    }
    return [(e, sheets.get(e.pk)) for e in enrollments]
