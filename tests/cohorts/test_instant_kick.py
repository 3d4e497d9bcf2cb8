"""A withdrawn or moved learner's room sockets close at once, not at the rooms' next periodic access check."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from live import events
from lms.cohorts.services import enrollment_move, enrollment_withdraw
from lms.factories import CoursePageFactory, LiveSessionPageFactory
from lms.models import Enrollment, EnrollmentStatus, SessionKind
from lms.services import enrollment_create
from tests.live.aio import async_test
from tests.live.sockets import TIMEOUT, join, refused

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def webinar(course, instructor):
    course.instructors.add(instructor)
    course.save()
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Webinar Kohort",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=30),
    )


async def _close_code(communicator, *, timeout: float) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await communicator.receive_output(timeout=max(0.1, deadline - loop.time()))
        if event["type"] == "websocket.close":
            return event.get("code", 1000)


@pytest.mark.parametrize("bus", ["redis", "local"])
@async_test
async def test_when_withdrawn_then_the_room_socket_closes_at_once(
    webinar, course, learner, instructor, administrator, settings, bus
):
    if bus == "local":
        settings.REDIS_URL = ""
    elif not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    # The periodic check would take an hour: only the instant re-check can close the socket in time.
    settings.SIGER_LIVE_ACCESS_RECHECK_SECONDS = 3600
    enrollment = await database_sync_to_async(enrollment_create)(user=learner, course=course)
    teacher, _ = await join(user=instructor, session_id=webinar.pk)
    socket, _ = await join(user=learner, session_id=webinar.pk)
    await database_sync_to_async(enrollment_withdraw)(
        enrollment=enrollment, by=administrator, reason="Mutasi", effective_on=TODAY
    )
    assert await _close_code(socket.communicator, timeout=5) == events.CLOSE_ACCESS_REVOKED
    assert await refused(user=learner, session_id=webinar.pk)
    await teacher.send("chat.send", text="Lanjut", client_id="t")  # the others stay
    assert (await teacher.wait_for("chat.ack", timeout=TIMEOUT))["client_id"] == "t"
    await teacher.close()


@async_test
async def test_when_moved_to_another_cohort_then_the_old_room_socket_closes(
    webinar, catalogue, course, learner, administrator, settings
):
    settings.SIGER_LIVE_ACCESS_RECHECK_SECONDS = 3600
    target = await database_sync_to_async(CoursePageFactory)(parent=catalogue, title="Angkatan II", slug="angk-2")
    enrollment = await database_sync_to_async(enrollment_create)(user=learner, course=course)
    socket, _ = await join(user=learner, session_id=webinar.pk)
    await database_sync_to_async(enrollment_move)(
        enrollment=enrollment, to_course=target, reason="Angkatan berikut", effective_on=TODAY, by=administrator
    )
    assert await _close_code(socket.communicator, timeout=5) == events.CLOSE_ACCESS_REVOKED
    statuses = await database_sync_to_async(
        lambda: dict(Enrollment.objects.filter(user=learner).values_list("course_id", "status"))
    )()
    assert statuses == {course.pk: EnrollmentStatus.WITHDRAWN, target.pk: EnrollmentStatus.ACTIVE}
