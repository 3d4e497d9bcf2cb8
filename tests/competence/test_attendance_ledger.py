"""A live session attended on its own (a webinar of a course that gives no JP for completion) records its JP;
attendance withdrawn takes them back with a counter-entry; a course's own sessions never count twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from live.services import attendance_override
from lms.competence.jp import jp_total, year_bounds
from lms.competence.models import EntrySource, LearningRoute, LedgerEntry
from lms.factories import CoursePageFactory, LiveSessionPageFactory, UserFactory
from lms.models import CompletionRule, Programme, SessionKind
from lms.services import enrollment_create, progress_item_viewed

pytestmark = pytest.mark.django_db


def _webinar(catalogue, instructor, *, course_jp: int, session_jp: int, rule=CompletionRule.ATTENDED):
    course = CoursePageFactory(parent=catalogue, title="Webinar Publik", programme=Programme.SEMINAR)
    course.jp_credit = course_jp
    course.instructors.add(instructor)
    course.save_revision().publish()
    start = timezone.now() - datetime.timedelta(hours=2)
    session = LiveSessionPageFactory(
        parent=course,
        title="Webinar: Manajemen Risiko",
        kind=SessionKind.WEBINAR,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        completion_rule=rule,
        jp_credit=session_jp,
    )
    return course, session


def _year_jp(user) -> Decimal:
    start, end = year_bounds(timezone.localdate().year)
    return jp_total(user_id=user.pk, start=start, end=end)


def test_attended_on_its_own_records_the_sessions_jp_and_withdrawal_reverses_it(catalogue, instructor, learner):
    course, session = _webinar(catalogue, instructor, course_jp=0, session_jp=2)
    enrollment_create(user=learner, course=course)

    attendance_override(session=session, moderator=instructor, user=learner, attended=True, reason="Hadir penuh")
    entry = LedgerEntry.objects.get(user=learner, source=EntrySource.SESSION_ATTENDANCE)
    assert (entry.jp, entry.form, entry.route, entry.session_id) == (
        Decimal("2"),
        "webinar",
        LearningRoute.NON_CLASSICAL,
        session.pk,
    )
    assert _year_jp(learner) == 2

    attendance_override(session=session, moderator=instructor, user=learner, attended=False, reason="Kamera mati")
    reversal = LedgerEntry.objects.get(user=learner, source=EntrySource.REVERSAL)
    assert reversal.reverses == entry and reversal.created_by == instructor and _year_jp(learner) == 0

    attendance_override(session=session, moderator=instructor, user=learner, attended=True, reason="Bukti hadir")
    assert _year_jp(learner) == 2
    assert LedgerEntry.objects.filter(user=learner, source=EntrySource.SESSION_ATTENDANCE).count() == 2


def test_a_session_of_a_course_with_jp_records_nothing_of_its_own(catalogue, instructor, learner):
    course, session = _webinar(catalogue, instructor, course_jp=24, session_jp=2)
    enrollment_create(user=learner, course=course)
    attendance_override(session=session, moderator=instructor, user=learner, attended=True, reason="Hadir")
    # The course's single step is done: its completion records the course's 24 JP, the session adds nothing.
    assert list(LedgerEntry.objects.filter(user=learner).values_list("source", "jp")) == [
        (EntrySource.COURSE_COMPLETION, Decimal("24"))
    ]


def test_opening_a_session_page_is_no_attendance(catalogue, instructor):
    course, session = _webinar(catalogue, instructor, course_jp=0, session_jp=2, rule=CompletionRule.VIEWED)
    viewer = UserFactory()
    enrollment = enrollment_create(user=viewer, course=course)
    progress_item_viewed(enrollment=enrollment, item=session)
    assert not LedgerEntry.objects.filter(user=viewer).exists()
