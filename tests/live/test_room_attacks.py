"""Issue 7, rooms: each way a socket could leave a ghost in a webinar room (present, earning attendance, after its
owner left or lost the right to be there), or take more than its share, tried as an attacker would."""

import asyncio
import contextlib
import json

import pytest
import websockets
from channels.db import database_sync_to_async

from live import events
from live.hub import Member, hub_get
from live.models import PresenceInterval
from live.services import presence_open
from lms.models import Enrollment, EnrollmentStatus
from tests.live.aio import async_test
from tests.live.servers import AsgiServer, RedisServer
from tests.live.sockets import TIMEOUT, communicator_for, join, refused, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _open_intervals(user) -> int:
    return PresenceInterval.objects.open().filter(user=user).count()


async def _until_no_open_interval(user, *, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await database_sync_to_async(_open_intervals)(user):
        assert loop.time() < deadline, "a presence interval stayed open: a ghost in the room"
        await asyncio.sleep(0.1)


async def _closed_with(communicator, *, timeout: float = TIMEOUT) -> int:
    """Read until the server closes the socket; returns the close code."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await communicator.receive_output(timeout=max(0.1, deadline - loop.time()))
        if event["type"] == "websocket.close":
            return event.get("code", 1000)


@async_test
async def test_when_frame_is_two_kilobytes_of_nested_brackets_then_refused_and_the_socket_still_leaves(
    session, enrolled
):
    learner, _hello = await join(user=enrolled, session_id=session.pk)
    for attack in ("[" * 2048, '{"action":' * 700, '{"action":"chat.send","text":' + "[" * 2000 + "]" * 2000 + "}"):
        await learner.communicator.send_to(text_data=attack)
        error = await learner.wait_for("error")
        assert error["code"] == "invalid"
    # The socket is still a working member of the room...
    await learner.send("chat.send", text="Masih di sini", client_id="after-attack")
    assert (await learner.wait_for("chat.ack"))["client_id"] == "after-attack"
    # ...and leaves it when it closes.
    await learner.close()
    await _until_no_open_interval(enrolled)


@pytest.mark.parametrize(
    "query",
    [
        "after=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "after=99999999999999999999999",  # beyond a bigint: the database refuses it
        "after=-1",
        "after=1&after=2",
        "after=%EF%BC%91",  # a full-width "1"
    ],
)
@async_test
async def test_when_resume_parameter_is_not_a_plain_id_then_the_handshake_is_refused_and_nothing_stays_open(
    session, enrolled, query
):
    communicator = await communicator_for(user=enrolled, session_id=session.pk, query=query)
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    if connected:
        await communicator.disconnect()
    assert not connected
    await asyncio.sleep(0.3)
    assert await database_sync_to_async(_open_intervals)(enrolled) == 0


@async_test
async def test_when_a_sixth_socket_of_one_person_opens_then_refused_until_one_closes(session, enrolled, settings):
    settings.SIGER_LIVE_MAX_SOCKETS_PER_USER = 5
    sockets = [(await join(user=enrolled, session_id=session.pk))[0] for _tab in range(5)]
    assert await refused(user=enrolled, session_id=session.pk)
    await sockets.pop().close()
    replacement, _hello = await join(user=enrolled, session_id=session.pk)
    for socket in [*sockets, replacement]:
        await socket.close()
    await _until_no_open_interval(enrolled)


@async_test
async def test_when_one_address_opens_more_sockets_than_its_cap_then_refused(
    session, enrolled, second_learner, settings
):
    settings.SIGER_LIVE_MAX_SOCKETS_PER_IP = 2
    first, _ = await join(user=enrolled, session_id=session.pk, client=("10.0.0.7", 1))
    second, _ = await join(user=second_learner, session_id=session.pk, client=("10.0.0.7", 2))
    assert await refused(user=second_learner, session_id=session.pk, client=("10.0.0.7", 3))
    other, _ = await join(user=second_learner, session_id=session.pk, client=("10.0.0.8", 1))
    for socket in (first, second, other):
        await socket.close()


@async_test
async def test_when_enrollment_is_withdrawn_then_the_learner_is_disconnected_and_stops_attending(
    session, enrolled, instructor, settings
):
    settings.SIGER_LIVE_HEARTBEAT_SECONDS = 1
    settings.SIGER_LIVE_ACCESS_RECHECK_SECONDS = 1
    teacher, _ = await join(user=instructor, session_id=session.pk)
    learner, _ = await join(user=enrolled, session_id=session.pk)
    await database_sync_to_async(Enrollment.objects.filter(user=enrolled, course=session.get_parent()).update)(
        status=EnrollmentStatus.WITHDRAWN
    )
    assert await _closed_with(learner.communicator, timeout=15) == events.CLOSE_ACCESS_REVOKED
    await _until_no_open_interval(enrolled, timeout=5)
    # Coming back is refused; the instructor was never disturbed.
    assert await refused(user=enrolled, session_id=session.pk)
    await teacher.send("chat.send", text="Lanjut", client_id="t")
    assert (await teacher.wait_for("chat.ack"))["client_id"] == "t"
    await teacher.close()


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:8000",  # the H5P player's host in the embedded default: runs uploaded package code
        "https://evil.example",
        "null",  # a sandboxed frame
        None,
    ],
)
@async_test
async def test_when_socket_comes_from_another_origin_than_the_site_then_refused(session, enrolled, origin):
    assert await refused(user=enrolled, session_id=session.pk, origin=origin)


@async_test
async def test_when_allowed_hosts_are_a_wildcard_or_cover_the_player_host_then_only_the_site_may_open_sockets(
    session, enrolled, settings
):
    settings.ALLOWED_HOSTS = ["*", ".siger.example", "testserver"]
    settings.H5P_ORIGIN = "https://h5p.siger.example"
    assert await refused(user=enrolled, session_id=session.pk, origin="https://h5p.siger.example")
    assert await refused(user=enrolled, session_id=session.pk, origin="https://evil.example")
    socket, _hello = await join(user=enrolled, session_id=session.pk, origin="https://siger.example")
    await socket.close()


@async_test
async def test_when_a_consumer_ended_without_leaving_then_the_heartbeat_closes_its_interval(
    session, enrolled, settings
):
    settings.SIGER_LIVE_HEARTBEAT_SECONDS = 1
    await database_sync_to_async(presence_open)(session=session, user=enrolled, connection="ghost", is_moderator=False)

    async def crashed_consumer() -> None:
        return None

    task = asyncio.ensure_future(crashed_consumer())
    await task

    async def send(event) -> None:
        return None

    hub = hub_get()
    member = Member(send=send, user_id=enrolled.pk, connection="ghost", task=task)
    await hub.join(session.pk, member)
    member.start("hello")
    await _until_no_open_interval(enrolled, timeout=10)
    assert member not in hub.rooms.get(session.pk, type("NoRoom", (), {"members": set()})).members


# --- Real servers: uvicorn with the Procfile's options, a private Redis, a real websocket client ---------------


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def _start(redis_server, **env) -> AsgiServer:
    server = AsgiServer(redis_url=redis_server.url, env=env)
    server.start()
    return server


async def _open(server: AsgiServer, session, cookie: str, *, origin: str | None = None):
    """A socket that received its hello."""
    ws = await websockets.connect(
        f"{server.ws_url}/ws/live/{session.pk}/",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": origin or f"http://127.0.0.1:{server.port}"},
        compression=None,
        open_timeout=20,
    )
    while json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["type"] != "hello":
        pass
    return ws


async def _refused(server: AsgiServer, session, cookie: str, *, origin: str | None = None) -> bool:
    try:
        ws = await _open(server, session, cookie, origin=origin)
    except websockets.exceptions.InvalidStatus as error:
        return error.response.status_code == 403
    await ws.close()
    return False


@async_test
async def test_when_a_megabyte_frame_arrives_then_the_server_closes_with_1009_and_the_sender_leaves_the_room(
    redis_server, session, enrolled
):
    server = _start(redis_server)
    try:
        cookie = await database_sync_to_async(session_cookie)(enrolled)
        ws = await _open(server, session, cookie)
        assert await database_sync_to_async(_open_intervals)(enrolled) == 1
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await ws.send("x" * 1024 * 1024)
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        await _until_no_open_interval(enrolled)
        # The H5P player's host (localhost in the embedded default) is refused by the real server too.
        assert await _refused(server, session, cookie, origin=f"http://localhost:{server.port}")
        assert not await _refused(server, session, cookie)
    finally:
        server.stop()


@async_test
async def test_when_sockets_are_on_several_processes_then_the_cap_counts_all_and_a_dead_process_frees_its_places(
    redis_server, session, enrolled
):
    one, two = _start(redis_server, SIGER_LIVE_MAX_SOCKETS_PER_USER="3"), None
    try:
        two = _start(redis_server, SIGER_LIVE_MAX_SOCKETS_PER_USER="3")
        cookie = await database_sync_to_async(session_cookie)(enrolled)
        on_one = [await _open(one, session, cookie), await _open(one, session, cookie)]
        on_two = [await _open(two, session, cookie)]
        assert await _refused(two, session, cookie)
        assert await _refused(one, session, cookie)
        # A process dies with its sockets: their places expire with their heartbeat (3 s under fast settings).
        one.kill()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while await _refused(two, session, cookie):
            assert loop.time() < deadline, "a dead process's sockets kept their places"
            await asyncio.sleep(0.5)
        for ws in [*on_two, *on_one]:
            with contextlib.suppress(Exception):
                await ws.close()
    finally:
        for server in (one, two):
            if server is not None:
                server.stop()
