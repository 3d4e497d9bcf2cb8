"""Class filters in live: the attendance report and the room's participant list (lms.cohorts classes)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from live.selectors import attendance_report, presence_list
from live.services import presence_open
from lms.cohorts.services import class_instructor_add, class_members_assign, course_class_create
from lms.factories import LiveSessionPageFactory, UserFactory
from lms.models import SessionKind
from lms.services import enrollment_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def split(course, administrator, instructor):
    course.instructors.set([instructor])
    course.save()
    a = course_class_create(course=course, name="Kelas A")
    b = course_class_create(course=course, name="Kelas B")
    people = [enrollment_create(user=UserFactory(full_name=f"Hadirin {n}"), course=course) for n in range(4)]
    class_members_assign(course_class=a, enrollments=people[:2], by=administrator)
    class_members_assign(course_class=b, enrollments=people[2:], by=administrator)
    now = timezone.now()
    session = LiveSessionPageFactory(
        parent=course,
        title="Webinar Semua",
        slug="webinar-semua",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=60),
    )
    return a, b, people, session


def test_attendance_report_filters_by_class(split):
    a, b, people, session = split
    everyone = {row.user for row in attendance_report(session=session)}
    assert everyone == {e.user for e in people}
    only_a = {row.user for row in attendance_report(session=session, course_class_ids=[a.pk])}
    assert only_a == {people[0].user, people[1].user}


def test_attendance_report_page_and_csv_filter_and_default_to_the_instructors_class(split, instructor):
    a, b, people, session = split
    client = client_for(instructor)
    url = reverse("live:report", args=[session.pk])
    body = client.get(url).content.decode()
    assert "Hadirin 0" in body and "Hadirin 3" in body and 'id="filter-kelas"' in body
    body = client.get(url + f"?kelas={b.pk}").content.decode()
    assert "Hadirin 3" in body and "Hadirin 0" not in body
    assert client.get(url + "?kelas=zzz").status_code == 200
    class_instructor_add(course_class=a, user=instructor)
    body = client.get(url).content.decode()
    assert "Hadirin 0" in body and "Hadirin 3" not in body  # their class by default
    assert "Hadirin 3" in client.get(url + "?kelas=").content.decode()
    csv_text = client.get(reverse("live:report_csv", args=[session.pk]) + f"?kelas={b.pk}").content.decode("utf-8-sig")
    assert "Hadirin 2" in csv_text and "Hadirin 1" not in csv_text


def test_class_only_session_report_ignores_the_instructors_default(split, course, instructor):
    a, b, people, _session = split
    class_instructor_add(course_class=a, user=instructor)
    only_b = LiveSessionPageFactory(parent=course, title="Webinar B", slug="webinar-b", course_class=b)
    body = client_for(instructor).get(reverse("live:report", args=[only_b.pk])).content.decode()
    assert "Hadirin 2" in body and "Hadirin 0" not in body and 'id="filter-kelas"' not in body


def test_presence_carries_the_class_and_the_moderator_gets_the_filter(split, instructor):
    a, b, people, session = split
    presence_open(session=session, user=people[0].user, connection="c0", is_moderator=False)
    presence_open(session=session, user=people[3].user, connection="c3", is_moderator=False)
    presence_open(session=session, user=instructor, connection="ci", is_moderator=True)
    present = presence_list(session_id=session.pk, ttl_seconds=60)
    assert present[people[0].user_id]["kelas"] == a.pk
    assert present[people[3].user_id]["kelas"] == b.pk
    assert present[instructor.pk]["kelas"] == 0
    room = client_for(instructor).get(reverse("live:room", args=[session.pk])).content.decode()
    assert 'id="people-class"' in room and "Kelas B" in room
    learner_room = client_for(people[0].user).get(reverse("live:room", args=[session.pk])).content.decode()
    assert 'id="people-class"' not in learner_room
