"""Two real uvicorn processes sharing a private Redis and the test database, driven by real websocket clients:
chat, presence and attendance across processes; Redis restarted and a server process killed mid-session."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from live.models import Attendance, ChatMessage, PresenceInterval
from tests.live.aio import async_test
from tests.live.servers import AsgiServer, RedisServer, RoomClient
from tests.live.sockets import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(redis_server, transactional_db):
    started = [AsgiServer(redis_url=redis_server.url) for _ in range(2)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def cookies(enrolled, second_learner, instructor):
    return {user.pk: session_cookie(user) for user in (enrolled, second_learner, instructor)}


def _client(name, user, session, cookies, *servers, reconnect=True) -> RoomClient:
    client = RoomClient(
        name=name,
        servers=[s.ws_url for s in servers],
        session_id=session.pk,
        cookie=cookies[user.pk],
        reconnect=reconnect,
    )
    client.start()
    return client


def _sees_everything(client: RoomClient, ids: list[int]) -> bool:
    return set(ids) <= set(client.messages)


async def _stop(*clients: RoomClient) -> None:
    for client in clients:
        await client.stop()


@async_test
async def test_when_participants_are_on_different_processes_then_chat_presence_and_attendance_work(
    servers, session, enrolled, instructor, cookies
):
    one, two = servers
    learner = _client("learner", enrolled, session, cookies, one)
    teacher = _client("teacher", instructor, session, cookies, two)
    everyone = {enrolled.pk, instructor.pk}
    for client in (learner, teacher):
        await client.until(lambda c=client: set(c.present) == everyone)
    asked = await learner.say("Pertanyaan dari proses satu")
    answered = await teacher.say("Jawaban dari proses dua")
    for client in (learner, teacher):
        await client.until(lambda c=client: _sees_everything(c, [asked, answered]))
    assert learner.messages[answered] == "Jawaban dari proses dua"
    await learner.stop()
    await teacher.until(lambda: set(teacher.present) == {instructor.pk})
    attendance = await database_sync_to_async(Attendance.objects.get)(session=session, user=enrolled)
    assert attendance.seconds_present >= 0 and attendance.updated_at is not None
    await teacher.stop()


@async_test
async def test_when_redis_restarts_then_clients_reconnect_and_no_acknowledged_message_is_lost(
    servers, redis_server, session, enrolled, second_learner, instructor, cookies
):
    one, two = servers
    first = _client("first", enrolled, session, cookies, one)
    second = _client("second", second_learner, session, cookies, two)
    teacher = _client("teacher", instructor, session, cookies, one, two)
    clients = (first, second, teacher)
    everyone = {enrolled.pk, second_learner.pk, instructor.pk}
    for client in clients:
        await client.until(lambda c=client: set(c.present) == everyone)
    acked = [await first.say("sebelum Redis mati"), await second.say("juga sebelum")]

    redis_server.stop()
    # Sent while Redis is down: stored, acknowledged once the room is back, and then seen by everyone.
    during = asyncio.ensure_future(second.say("selama Redis mati"))
    await asyncio.sleep(1)
    redis_server.start()
    acked.append(await during)
    acked.append(await teacher.say("sesudah Redis hidup"))

    for client in clients:
        await client.until(lambda c=client: _sees_everything(c, acked) and set(c.present) == everyone, timeout=60)
        assert client.hellos >= 2, f"{client.name} never reconnected"
    # Resends under one client id are stored once.
    assert await database_sync_to_async(ChatMessage.objects.count)() == len(acked)
    await _stop(*clients)


@async_test
async def test_when_a_server_process_is_killed_then_clients_move_and_no_ghost_stays(
    servers, session, enrolled, second_learner, instructor, cookies
):
    doomed, survivor = servers
    # The first learner reconnects to the other process; the second one's laptop went away with the process.
    first = _client("first", enrolled, session, cookies, doomed, survivor)
    gone = _client("gone", second_learner, session, cookies, doomed, reconnect=False)
    teacher = _client("teacher", instructor, session, cookies, survivor)
    everyone = {enrolled.pk, second_learner.pk, instructor.pk}
    for client in (first, gone, teacher):
        await client.until(lambda c=client: set(c.present) == everyone)
    acked = [await first.say("sebelum proses mati"), await teacher.say("dari proses yang hidup")]

    doomed.kill()
    acked.append(await teacher.say("saat peserta pindah proses"))
    acked.append(await first.say("sudah pindah"))
    remaining = {enrolled.pk, instructor.pk}
    for client in (first, teacher):
        # The dead process's sockets stop heartbeating and expire: the room converges with no ghost.
        await client.until(lambda c=client: _sees_everything(c, acked) and set(c.present) == remaining, timeout=60)
    assert first.hellos >= 2
    # The survivor's next heartbeat closes the ghost's interval at its last heartbeat.
    ghost_open = PresenceInterval.objects.open().filter(session=session, user=second_learner).exists
    for _tick in range(100):
        if not await database_sync_to_async(ghost_open)():
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the dead process's interval stayed open")
    await _stop(first, gone, teacher)
