from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lms.factories import UserFactory
from lms.programmes.grading import participant_result
from lms.programmes.models import ComponentScore, SeminarScoreSheet
from lms.programmes.seminar import (
    SeminarError,
    seminar_schedule,
    seminar_sheet_save,
    seminar_slot_set,
    sheets_visible_to,
)
from tests.programmes.conftest import add_examiner, enroll

pytestmark = pytest.mark.django_db

FULL = {"substansi": 80, "penyajian": 90, "tanya_jawab": 70}


def test_when_submitted_then_weighted_total_and_criteria_snapshot(run):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)

    sheet = seminar_sheet_save(enrollment=enrollment, examiner=examiner, scores=FULL, comment="", submit=True)

    # (50×80 + 30×90 + 20×70) / 100
    assert sheet.total == Decimal("81.00")
    assert [c["key"] for c in sheet.criteria] == ["substansi", "penyajian", "tanya_jawab"]
    assert sheet.submitted_at is not None


def test_when_submitted_then_sheet_is_final(run):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)
    seminar_sheet_save(enrollment=enrollment, examiner=examiner, scores=FULL, comment="", submit=True)

    with pytest.raises(SeminarError) as error:
        seminar_sheet_save(
            enrollment=enrollment, examiner=examiner, scores={**FULL, "substansi": 100}, comment="", submit=False
        )

    assert error.value.code == "submitted"
    assert SeminarScoreSheet.objects.get().scores["substansi"] == "80.00"


def test_when_score_out_of_range_or_incomplete_then_refused(run):
    enrollment = enroll(run)
    examiner = add_examiner(enrollment)

    with pytest.raises(SeminarError, match="0 dan 100"):
        seminar_sheet_save(
            enrollment=enrollment, examiner=examiner, scores={**FULL, "penyajian": 101}, comment="", submit=False
        )
    with pytest.raises(SeminarError) as error:
        seminar_sheet_save(enrollment=enrollment, examiner=examiner, scores={"substansi": 80}, comment="", submit=True)
    assert error.value.code == "incomplete"
    draft = seminar_sheet_save(
        enrollment=enrollment, examiner=examiner, scores={"substansi": 80}, comment="", submit=False
    )
    assert draft.submitted_at is None and draft.total is None


def test_when_not_an_examiner_then_refused(run):
    enrollment = enroll(run)
    with pytest.raises(SeminarError) as error:
        seminar_sheet_save(enrollment=enrollment, examiner=UserFactory(), scores=FULL, comment="", submit=True)
    assert error.value.code == "not_examiner"


def test_when_own_sheet_not_submitted_then_others_hidden(run):
    enrollment = enroll(run)
    first, second = add_examiner(enrollment), add_examiner(enrollment)
    seminar_sheet_save(enrollment=enrollment, examiner=first, scores=FULL, comment="baik", submit=True)
    seminar_sheet_save(enrollment=enrollment, examiner=second, scores={"substansi": 60}, comment="", submit=False)

    assert [s.examiner for s in sheets_visible_to(examiner=second, enrollment=enrollment)] == [second]
    # The first examiner sees only submitted sheets of others: the second's draft stays hidden.
    assert [s.examiner for s in sheets_visible_to(examiner=first, enrollment=enrollment)] == [first]

    seminar_sheet_save(enrollment=enrollment, examiner=second, scores=FULL, comment="", submit=True)

    assert [s.examiner for s in sheets_visible_to(examiner=second, enrollment=enrollment)] == [second, first]


def test_when_all_examiners_submitted_then_panel_result_is_mean(run, manager):
    enrollment = enroll(run)
    for key in ("sikap", "akademik", "proyek"):
        ComponentScore.objects.create(enrollment=enrollment, key=key, score=80, entered_by=manager)
    first, second = add_examiner(enrollment), add_examiner(enrollment)
    seminar_sheet_save(enrollment=enrollment, examiner=first, scores=FULL, comment="", submit=True)
    assert participant_result(enrollment=enrollment).missing == ["seminar"]

    seminar_sheet_save(
        enrollment=enrollment,
        examiner=second,
        scores={"substansi": 90, "penyajian": 90, "tanya_jawab": 91},
        comment="",
        submit=True,
    )

    seminar = {c.key: c.score for c in participant_result(enrollment=enrollment).components}["seminar"]
    assert seminar == Decimal("85.60")  # (81.00 + 90.20) / 2


def test_when_slot_time_passed_and_sheet_missing_then_late_in_schedule(run, seminar_session, manager):
    past, future = enroll(run), enroll(run)
    late_examiner, done_examiner = add_examiner(past), add_examiner(past)
    add_examiner(future)
    seminar_slot_set(
        session=seminar_session,
        enrollment=past,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        room="A",
        by=manager,
    )
    seminar_slot_set(
        session=seminar_session,
        enrollment=future,
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        room="B",
        by=manager,
    )
    seminar_sheet_save(enrollment=past, examiner=done_examiner, scores=FULL, comment="", submit=True)

    rows = {row.slot.enrollment_id: row for row in seminar_schedule(course=run)}

    panel = {m.examiner: m for m in rows[past.pk].panel}
    assert panel[late_examiner].late and not panel[late_examiner].submitted
    assert panel[done_examiner].submitted and not panel[done_examiner].late
    assert rows[past.pk].late and not rows[past.pk].complete
    assert not rows[future.pk].late


def test_when_slot_set_again_then_moved_not_duplicated(run, seminar_session, manager):
    enrollment = enroll(run)
    when = timezone.now()
    seminar_slot_set(session=seminar_session, enrollment=enrollment, starts_at=when, room="A", by=manager)
    slot = seminar_slot_set(
        session=seminar_session,
        enrollment=enrollment,
        starts_at=when + datetime.timedelta(hours=2),
        room="B",
        by=manager,
    )
    assert slot.room == "B"
    assert seminar_session.seminar_slots.count() == 1
