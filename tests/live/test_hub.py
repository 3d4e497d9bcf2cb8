"""The hub's member outbox: inline sends, order, the hello first, and slow readers that neither stall the room
nor grow without bound. The server's `send` is the one edge faked here: a coroutine that completes at once, or
one that waits while the socket's buffer is 'full'."""

import asyncio
import json

from live import events
from live.hub import OUTBOX_LIMIT, Member
from tests.live.aio import async_test


class FakeServer:
    def __init__(self):
        self.sent: list[dict] = []
        self.writable = asyncio.Event()
        self.writable.set()

    async def send(self, event: dict) -> None:
        if event["type"] == "websocket.send":
            await self.writable.wait()  # like uvicorn: suspends only while the transport is paused
        self.sent.append(event)

    def texts(self) -> list[str]:
        return [e["text"] for e in self.sent if e["type"] == "websocket.send"]


def _frame(text: str) -> dict:
    return {"type": "websocket.send", "text": text}


@async_test
async def test_when_hello_is_ready_then_it_goes_first_and_later_frames_go_inline():
    server = FakeServer()
    member = Member(send=server.send, user_id=1, connection="c")
    member.push(_frame("while preparing"))
    assert server.sent == []  # frames wait behind the hello
    member.start("hello")
    member.push(_frame("live"))
    # No await in between: the deliveries happened inline, in order.
    assert server.texts() == ["hello", "while preparing", "live"]


@async_test
async def test_when_one_reader_is_slow_then_others_are_not_stalled_and_its_frames_keep_order():
    slow, fast = FakeServer(), FakeServer()
    slow_member = Member(send=slow.send, user_id=1, connection="slow")
    fast_member = Member(send=fast.send, user_id=2, connection="fast")
    slow_member.start("hello")
    fast_member.start("hello")
    slow.writable.clear()
    for n in range(5):
        for member in (slow_member, fast_member):
            member.push(_frame(str(n)))
    assert fast.texts() == ["hello", "0", "1", "2", "3", "4"]
    assert slow.texts() == ["hello"]
    slow.writable.set()
    for _tick in range(50):
        if len(slow.texts()) == 6:
            break
        await asyncio.sleep(0.01)
    assert slow.texts() == ["hello", "0", "1", "2", "3", "4"]
    assert not slow_member.closed


@async_test
async def test_when_a_reader_falls_too_far_behind_then_it_is_disconnected_to_catch_up_later():
    server = FakeServer()
    member = Member(send=server.send, user_id=1, connection="c")
    member.start("hello")
    server.writable.clear()
    for n in range(OUTBOX_LIMIT + 2):
        member.push(_frame(str(n)))
    assert member.closed
    await asyncio.sleep(0.05)
    assert {"type": "websocket.close", "code": events.CLOSE_SLOW_READER} in server.sent
    member.push(_frame("after"))
    assert "after" not in server.texts()


@async_test
async def test_when_the_socket_is_gone_then_member_closes_quietly():
    async def gone(event: dict) -> None:
        raise OSError("client disconnected")

    member = Member(send=gone, user_id=1, connection="c")
    member.start("hello")
    assert member.closed
    member.push(_frame("ignored"))


def test_hello_carries_the_room_presence_encoded_once():
    text = events.hello(fields={"me": {"id": 1}}, presence_json='[{"id":1,"name":"A"}]')
    assert json.loads(text) == {"type": "hello", "me": {"id": 1}, "presence": [{"id": 1, "name": "A"}]}
