"""A programme run's phases on its course path: a step opens when its phase starts (for learners; those who manage
the course open everything), the path shows one heading per phase, and its queries stay flat."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.factories import CoursePageFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import Programme
from lms.programmes.models import CoursePhase, PhaseKind
from lms.programmes.phases import phase_dates, phase_is_open
from lms.selectors import course_path
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _phase(course, n: int, name: str, starts_on: datetime.date, days: int = 7) -> CoursePhase:
    return CoursePhase.objects.create(
        course=course,
        sort_order=n,
        name=name,
        kind=PhaseKind.SELF_STUDY,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days - 1),
    )


@pytest.fixture
def phased(catalogue, instructor):
    """A run with a phase that has started (one module) and one that starts in five days (a module, a session)."""
    today = timezone.localdate()
    course = CoursePageFactory(parent=catalogue, programme=Programme.PKA, batch="Angkatan I", sequential=False)
    course.instructors.set([instructor])
    course.save_revision().publish()
    started = _phase(course, 0, "Pembelajaran mandiri", today - datetime.timedelta(days=3))
    later = _phase(course, 1, "Aksi perubahan (tempat kerja)", today + datetime.timedelta(days=5))
    first = ModulePageFactory(parent=course, title="Kepemimpinan Pancasila", phase=started)
    second = ModulePageFactory(parent=course, title="Laporan aksi perubahan", phase=later)
    session = LiveSessionPageFactory(parent=course, title="Seminar", phase=later)
    return {"course": course, "started": started, "later": later, "first": first, "second": second, "session": session}


def test_when_phase_dates_computed_then_both_first_and_last_day_count():
    start, end = phase_dates(starts_on=datetime.date(2027, 3, 1), offset_days=42, duration_days=60)
    assert (start, end) == (datetime.date(2027, 4, 12), datetime.date(2027, 6, 10))
    assert phase_dates(starts_on=datetime.date(2027, 3, 1), offset_days=0, duration_days=1) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 3, 1),
    )


def test_when_phase_has_no_start_then_it_is_open():
    assert phase_is_open(None, datetime.date(2027, 1, 1))
    assert phase_is_open(CoursePhase(name="x", kind=PhaseKind.SEMINAR), datetime.date(2027, 1, 1))
    assert not phase_is_open(
        CoursePhase(name="x", kind=PhaseKind.SEMINAR, starts_on=datetime.date(2027, 1, 2)), datetime.date(2027, 1, 1)
    )


def test_when_phase_starts_later_then_learner_sees_its_steps_locked_until_that_day(phased, learner):
    enrollment = enrollment_create(user=learner, course=phased["course"])
    path = course_path(course=phased["course"], enrollment=enrollment)
    by_title = {step.page.title: step for step in path.steps}
    assert not by_title["Kepemimpinan Pancasila"].locked
    for title in ("Laporan aksi perubahan", "Seminar"):  # a live session too: the phase gates its whole section
        assert by_title[title].locked
        assert by_title[title].opens_on == phased["later"].starts_on
    client = client_for(learner)
    assert client.get(phased["first"].url).status_code == 200
    refused = client.get(phased["second"].url)
    assert refused.status_code == 403
    assert f"Dibuka {date_filter(phased['later'].starts_on, 'j F Y')}" in refused.content.decode()
    page = client.get(phased["course"].url).content.decode()
    assert "Pembelajaran mandiri" in page and "Aksi perubahan (tempat kerja)" in page
    assert f"Dibuka {date_filter(phased['later'].starts_on, 'j M Y')}" in page


def test_when_phase_has_started_then_its_steps_open(phased, learner):
    enrollment = enrollment_create(user=learner, course=phased["course"])
    CoursePhase.objects.filter(pk=phased["later"].pk).update(starts_on=timezone.localdate())
    path = course_path(course=phased["course"], enrollment=enrollment)
    assert not any(step.locked for step in path.steps)
    assert client_for(learner).get(phased["second"].url).status_code == 200


def test_when_sequential_course_then_phase_and_order_both_gate(phased, learner):
    course = phased["course"]
    course.sequential = True
    course.save_revision().publish()
    enrollment = enrollment_create(user=learner, course=course)
    CoursePhase.objects.filter(pk=phased["later"].pk).update(starts_on=timezone.localdate())
    path = course_path(course=course, enrollment=enrollment)
    # The phase is open but the module before it is not done: locked by order, with no opening date.
    second = path.step_for(phased["second"].pk)
    assert second.locked and second.opens_on is None
    progress_complete(enrollment=enrollment, item=phased["first"], source="marked_done")
    assert not course_path(course=course, enrollment=enrollment).step_for(phased["second"].pk).locked


def test_when_manager_opens_the_path_then_steps_of_a_later_phase_are_open(phased, instructor):
    path = course_path(course=phased["course"], enrollment=None, unlocked=True)
    assert not any(step.locked for step in path.steps)
    assert client_for(instructor).get(phased["second"].url).status_code == 200


def test_when_phase_dates_change_then_the_rendered_path_follows(phased, learner):
    enrollment_create(user=learner, course=phased["course"])
    client = client_for(learner)
    before = client.get(phased["course"].url).content.decode()
    assert "Dibuka" in before
    moved = timezone.localdate() + datetime.timedelta(days=9)
    CoursePhase.objects.filter(pk=phased["later"].pk).update(starts_on=moved)
    after = client.get(phased["course"].url).content.decode()
    assert f"Dibuka {date_filter(moved, 'j M Y')}" in after


def test_when_course_has_no_phases_then_path_has_one_section_without_heading(course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    path = course_path(course=course, enrollment=enrollment)
    assert [section.phase for section in path.sections] == [None]
    assert len(path.sections[0].steps) == 3
    assert 'class="phase"' not in client_for(learner).get(course.url).content.decode()


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches (site root, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_when_a_run_grows_then_its_course_page_queries_stay_equal(catalogue):
    today = timezone.localdate()
    counts = []
    for size in (2, 12):
        course = CoursePageFactory(parent=catalogue, programme=Programme.PKA, sequential=False)
        phases = [
            _phase(course, n, f"Fase {n}", today + datetime.timedelta(days=7 * (n - 1)), days=7) for n in range(3)
        ]
        for n in range(size):
            ModulePageFactory(parent=course, phase=phases[n % 3])
        learner = UserFactory()
        enrollment_create(user=learner, course=course)
        counts.append(_queries(client_for(learner), course.url))
    assert counts[0] == counts[1]
