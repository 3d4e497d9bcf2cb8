"""The room's opening rule: "belum dimulai" until SIGER_LIVE_ROOM_OPENS_MINUTES before the start (the socket is
refused before then, instructors excepted), "sudah selesai" after the end."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from live import events
from live.models import PresenceInterval
from live.opening import RoomState, room_may_enter, room_opens_at, room_state
from lms.factories import LiveSessionPageFactory
from lms.models import SessionKind
from lms.services import enrollment_create
from tests.live.aio import async_test
from tests.live.sockets import communicator_for, join

T0 = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)  # 09:00 WIB


def _session(course, *, starts_in: datetime.timedelta, minutes: int = 60):
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Webinar Jadwal",
        kind=SessionKind.WEBINAR,
        starts_at=now + starts_in,
        ends_at=now + starts_in + datetime.timedelta(minutes=minutes),
    )


@pytest.fixture
def enrolled(course, learner):
    enrollment_create(user=learner, course=course)
    return learner


@pytest.fixture
def teaching(course, instructor):
    course.instructors.add(instructor)
    course.save()  # a ParentalManyToManyField: kept only on save
    return instructor


class _Session:
    starts_at = T0
    ends_at = T0 + datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (T0 - datetime.timedelta(days=2), RoomState.NOT_OPEN),
        (T0 - datetime.timedelta(minutes=31), RoomState.NOT_OPEN),
        (T0 - datetime.timedelta(minutes=30), RoomState.OPEN),
        (T0 + datetime.timedelta(minutes=119), RoomState.OPEN),
        (T0 + datetime.timedelta(hours=2), RoomState.ENDED),
    ],
)
def test_room_state_follows_opening_time(now, state):
    assert room_state(session=_Session(), now=now) == state


@override_settings(SIGER_LIVE_ROOM_OPENS_MINUTES=10)
def test_opening_minutes_come_from_settings():
    assert room_opens_at(session=_Session()) == T0 - datetime.timedelta(minutes=10)
    assert room_state(session=_Session(), now=T0 - datetime.timedelta(minutes=11)) == RoomState.NOT_OPEN


def test_when_room_not_open_then_only_moderator_may_enter():
    early = T0 - datetime.timedelta(days=1)
    assert not room_may_enter(session=_Session(), is_moderator=False, now=early)
    assert room_may_enter(session=_Session(), is_moderator=True, now=early)
    late = T0 + datetime.timedelta(hours=3)
    assert room_may_enter(session=_Session(), is_moderator=False, now=late)


@pytest.mark.django_db
def test_when_learner_opens_room_two_days_early_then_page_says_not_started(client, course, enrolled):
    session = _session(course, starts_in=datetime.timedelta(days=2))
    client.force_login(enrolled)
    response = client.get(reverse("live:room", args=[session.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="room-not-open"' in html and "room-countdown" in html
    assert "room.js" not in html and "room-config" not in html  # no socket before the opening


@pytest.mark.django_db
def test_when_instructor_opens_room_early_then_room_loads(client, course, teaching):
    session = _session(course, starts_in=datetime.timedelta(days=2))
    client.force_login(teaching)
    html = client.get(reverse("live:room", args=[session.pk])).content.decode()
    assert "room.js" in html and 'id="room-not-open"' not in html


@pytest.mark.django_db
def test_when_session_ended_then_page_says_finished(client, course, enrolled):
    session = _session(course, starts_in=-datetime.timedelta(hours=3))
    client.force_login(enrolled)
    html = client.get(reverse("live:room", args=[session.pk])).content.decode()
    assert 'id="room-ended"' in html and "room.js" in html


@pytest.mark.django_db(transaction=True)
@async_test
async def test_when_learner_connects_before_opening_then_socket_closed_with_not_open_code(course, enrolled):
    from channels.db import database_sync_to_async

    session = await database_sync_to_async(_session)(course, starts_in=datetime.timedelta(hours=1))
    communicator = await communicator_for(user=enrolled, session_id=session.pk)
    connected, _code = await communicator.connect(timeout=5)
    assert connected
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": events.CLOSE_NOT_OPEN}
    assert not await database_sync_to_async(PresenceInterval.objects.exists)()


@pytest.mark.django_db(transaction=True)
@async_test
async def test_when_instructor_connects_before_opening_then_joins(course, teaching):
    from channels.db import database_sync_to_async

    session = await database_sync_to_async(_session)(course, starts_in=datetime.timedelta(hours=1))
    socket, hello = await join(user=teaching, session_id=session.pk)
    assert hello["me"]["moderator"] is True
    await socket.close()


@pytest.mark.django_db
def test_session_page_says_which_link_counts_for_attendance(client, course, enrolled):
    client.force_login(enrolled)
    webinar = _session(course, starts_in=datetime.timedelta(days=1))
    webinar.conference_url = "https://meet.example.org/abc"
    webinar.save_revision().publish()
    html = client.get(webinar.url).content.decode()
    rule = html[html.index('id="attendance-rule"') : html.index("</div>", html.index('id="attendance-rule"'))]
    assert "ruang sesi Siger" in rule and "membukanya tidak mencatat kehadiran" in rule
    classroom = LiveSessionPageFactory(parent=course, title="Kelas", kind=SessionKind.CLASSROOM, venue="Aula")
    html = client.get(classroom.url).content.decode()
    rule = html[html.index('id="attendance-rule"') : html.index("</div>", html.index('id="attendance-rule"'))]
    assert "kode presensi" in rule and "tautan konferensi" not in rule.lower()
