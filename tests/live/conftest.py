import datetime

import pytest
from django.utils import timezone

from lms.factories import LiveSessionPageFactory, UserFactory
from lms.models import SessionKind
from lms.services import enrollment_create


@pytest.fixture
def session(course, instructor):
    """A webinar happening now (started a minute ago, two minutes long), led by `instructor`."""
    course.instructors.add(instructor)
    course.save()
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Webinar Uji",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=1),
    )


@pytest.fixture
def classroom(course, instructor):
    course.instructors.add(instructor)
    course.save()
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Kelas Uji",
        kind=SessionKind.CLASSROOM,
        venue="Aula BKPSDM",
        starts_at=now + datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(minutes=65),
    )


@pytest.fixture
def enrolled(course, learner):
    enrollment_create(user=learner, course=course)
    return learner


@pytest.fixture
def second_learner(course):
    user = UserFactory(full_name="Peserta Kedua")
    enrollment_create(user=user, course=course)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(full_name="Bukan Peserta")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache (this run's own Redis database, or local memory), keyed by primary
    keys that a new test database hands out again."""
    from django.core.cache import cache

    cache.clear()
