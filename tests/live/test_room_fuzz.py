"""Every room action with a wrong type in every field, binary frames, moderator actions by a learner
and aimed at another room: each gets a refusal with its reason (never "server_error"), nothing crosses rooms, and
the socket still leaves the room when it closes."""

import asyncio
import datetime

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from live import events, services
from live.models import ChatMessage, HandRaise, Mute, PresenceInterval
from lms.factories import LiveSessionPageFactory
from lms.models import SessionKind
from tests.live.aio import async_test
from tests.live.sockets import join

pytestmark = pytest.mark.django_db(transaction=True)

ODD = [None, True, False, 0, -1, 1.5, 2**63, 2**64, -(2**70), 10**30, "", "1", "x" * 8000, [], [1], {}, {"a": 1}]
ACTIONS = [
    events.SEND,
    events.DELETE,
    events.MUTE,
    events.UNMUTE,
    events.PIN,
    events.CLOSE_CHAT,
    events.OPEN_CHAT,
    events.RAISE_HAND,
    events.LOWER_HAND,
]
FIELDS = ["text", "id", "user_id", "client_id"]


@pytest.fixture
def other_session(course, instructor):
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Webinar Lain",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=1),
    )


async def _replies_until_sentinel(socket, n: int) -> list[dict]:
    """Send a frame that always fails with a known client id and return the errors that came before its reply
    (a socket handles its frames in order)."""
    await socket.communicator.send_json_to({"action": events.SEND, "text": " ", "client_id": f"sentinel-{n}"})
    errors = []
    while True:
        frame = await socket.next()
        if frame["type"] != "error":
            continue
        if frame["client_id"] == f"sentinel-{n}":
            return errors
        errors.append(frame)


@async_test
async def test_wrong_types_in_every_field_of_every_action_are_refused_never_a_server_error(
    session, enrolled, instructor, settings
):
    settings.SIGER_LIVE_FRAME_BURST = 10_000  # over a thousand frames, each answered before the next
    for user in (instructor, enrolled):
        socket, _hello = await join(user=user, session_id=session.pk)
        n = 0
        for action in ACTIONS:
            for field in FIELDS:
                for value in ODD:
                    await socket.communicator.send_json_to({"action": action, field: value})
                    n += 1
                    errors = await _replies_until_sentinel(socket, n)
                    assert not [e for e in errors if e["code"] == "server_error"], (user, action, field, value)
        await socket.communicator.send_to(bytes_data=b'{"action": "chat.send", "text": "biner"}')
        assert (await socket.wait_for("error"))["code"] == "invalid"
        await socket.close()
    assert not await database_sync_to_async(lambda: PresenceInterval.objects.open().exists())()


@async_test
async def test_moderation_cannot_reach_another_room(session, other_session, enrolled, instructor, second_learner):
    def setup():
        elsewhere = ChatMessage.objects.create(session=other_session, author=second_learner, text="Di ruang lain")
        HandRaise.objects.create(session=other_session, user=second_learner)
        return elsewhere

    elsewhere = await database_sync_to_async(setup)()
    moderator, _hello = await join(user=instructor, session_id=session.pk)
    await moderator.send(events.DELETE, id=elsewhere.pk)
    assert (await moderator.wait_for("error"))["code"] == "not_found"
    await moderator.send(events.LOWER_HAND, user_id=second_learner.pk)
    await moderator.send(events.MUTE, user_id=second_learner.pk)
    await moderator.wait_for(events.MUTED)
    await moderator.close()

    def after():
        elsewhere.refresh_from_db()
        return (
            elsewhere.deleted_at,
            HandRaise.objects.filter(session=other_session).count(),
            Mute.objects.filter(session=other_session).count(),
        )

    assert await database_sync_to_async(after)() == (None, 1, 0)
    # Resuming from a message id of another room shows nothing of that room.
    learner, hello = await join(user=enrolled, session_id=session.pk, after=elsewhere.pk)
    assert all(m["text"] != "Di ruang lain" for m in hello["messages"])
    await learner.close()


@async_test
async def test_a_learner_cannot_moderate(session, enrolled, second_learner):
    def setup():
        return ChatMessage.objects.create(session=session, author=second_learner, text="Pesan teman")

    message = await database_sync_to_async(setup)()
    learner, _hello = await join(user=enrolled, session_id=session.pk)
    for action, fields in (
        (events.DELETE, {"id": message.pk}),
        (events.MUTE, {"user_id": second_learner.pk}),
        (events.UNMUTE, {"user_id": second_learner.pk}),
        (events.PIN, {"text": "Diambil alih"}),
        (events.CLOSE_CHAT, {}),
        (events.OPEN_CHAT, {}),
        (events.LOWER_HAND, {"user_id": second_learner.pk}),
    ):
        await learner.send(action, **fields)
        assert (await learner.wait_for("error"))["code"] == "forbidden", action
    await learner.close()
    assert await database_sync_to_async(lambda: ChatMessage.objects.get(pk=message.pk).deleted_at)() is None


@async_test
async def test_a_flood_of_frames_is_answered_without_reaching_the_services(session, enrolled, settings, monkeypatch):
    settings.SIGER_LIVE_FRAME_BURST = 30
    settings.SIGER_LIVE_FRAME_RATE = 5
    calls = []
    real = services.room_pin_set

    def counted(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services, "room_pin_set", counted)
    learner, _hello = await join(user=enrolled, session_id=session.pk)
    flood = 300
    for _n in range(flood):  # moderation a learner may not do: each one used to query the database
        await learner.communicator.send_json_to({"action": events.PIN, "text": "Diambil alih"})
    codes = [(await learner.wait_for("error"))["code"] for _n in range(flood)]
    assert set(codes) == {"forbidden", "rate_limited"}
    assert codes.count("forbidden") == len(calls) < 100  # the burst, and the rate for the time the flood took
    await asyncio.sleep(0.5)  # the bucket refills: the socket is still a working member of the room
    await learner.send(events.SEND, text="Masih di sini", client_id="after-flood")
    assert (await learner.wait_for("chat.ack"))["client_id"] == "after-flood"
    await learner.close()
