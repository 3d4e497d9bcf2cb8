"""The per-process room hub: fans a room's frames out to this process's sockets.

Why not `group_send` per member: on this machine a Channels group broadcast to 2,000 sockets costs 9–42× the CPU
of a raw websocket broadcast and falls seconds behind (see FIELD-NOTES, Channels). Here a frame is JSON-encoded
once by the process that publishes it, crosses processes as one bus message per room (one Redis PUBLISH, or a
function call in the embedded default), and each process writes the same ASGI `websocket.send` event into each
local member's outbox. Each member has its own bounded outbox and writer task, so one slow reader cannot stall
the room; a reader that falls too far behind is disconnected and catches up from its last id when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from live import events
from live.bus import Bus, BusUnavailable, LocalBus, RedisBus, room_channel
from live.limits import LocalLimits, RedisLimits, Slot, limits_for_url
from live.selectors import (
    access_recheck_seconds,
    heartbeat_seconds,
    presence_list,
    presence_ttl_seconds,
    room_members_refused,
)
from live.services import presence_close, presence_expire, presence_heartbeat

logger = logging.getLogger(__name__)

# Frames a member may have waiting before it counts as gone: ~4 minutes of a busy room at 2 msg/s.
OUTBOX_LIMIT = 500
# Joins and leaves within this time reach the room as one presence frame.
PRESENCE_COALESCE_SECONDS = 0.5

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Member:
    """One socket in a room. Frames are written through the ASGI server's `send` inline: uvicorn's send finishes
    without suspending unless the socket's buffer is full, so a delivery costs no task switch. Only when it does
    suspend does a task finish that send, while later frames wait in the member's bounded outbox (one slow reader
    never stalls the room's loop)."""

    __slots__ = ("user_id", "connection", "slot", "task", "_send", "_outbox", "_busy", "_writer", "closed")

    def __init__(
        self,
        *,
        send: Send,
        user_id: int,
        connection: str,
        slot: Slot | None = None,
        task: asyncio.Task | None = None,
    ):
        self.user_id = user_id
        self.connection = connection
        # Read by the heartbeat only: its places in the socket caps, and the consumer's task (a member whose
        # task has ended without leaving is a ghost, dropped instead of kept alive).
        self.slot = slot
        self.task = task
        self._send = send
        self._outbox: deque[dict[str, Any]] = deque()
        self._busy = True  # until start(): frames wait behind the hello
        self._writer: asyncio.Task | None = None
        self.closed = False

    def push(self, event: dict[str, Any]) -> None:
        if self.closed:
            return
        if not self._busy:
            self._send_inline(event)
            return
        self._outbox.append(event)
        if len(self._outbox) > OUTBOX_LIMIT:
            self.kick(events.CLOSE_SLOW_READER)

    def push_frame(self, frame: dict[str, Any]) -> None:
        self.push({"type": "websocket.send", "text": events.encode(frame)})

    def start(self, first: str) -> None:
        """Send `first` (the hello, encoded), then everything that arrived while it was being prepared."""
        self._outbox.appendleft({"type": "websocket.send", "text": first})
        self._busy = False
        self._drain()

    def _drain(self) -> None:
        while self._outbox and not self._busy and not self.closed:
            self._send_inline(self._outbox.popleft())

    def _send_inline(self, event: dict[str, Any]) -> None:
        sending = self._send(event)
        try:
            waiting = sending.send(None)
        except StopIteration:
            return
        except Exception:  # the socket went away under us; the consumer's disconnect cleans up
            self.closed = True
            return
        self._busy = True
        self._writer = asyncio.ensure_future(self._finish(sending, waiting))

    async def _finish(self, sending, waiting) -> None:
        """Drive a send that suspended (on the future it yielded) to its end, then catch up on the outbox."""
        try:
            while True:
                await (waiting if waiting is not None else asyncio.sleep(0))
                try:
                    waiting = sending.send(None)
                except StopIteration:
                    break
        except asyncio.CancelledError:
            sending.close()
            raise
        except Exception:
            sending.close()
            self.closed = True
            return
        self._busy = False
        self._drain()

    def kick(self, code: int) -> None:
        """Close the socket from the server side; the client reconnects and catches up."""
        if self.closed:
            return
        self.closed = True
        self._outbox.clear()
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        asyncio.ensure_future(self._close(code))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": code})

    def stop(self) -> None:
        self.closed = True
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()


class Room:
    """This process's members of one session's room and the presence it last told them."""

    def __init__(self, session_id: int):
        self.session_id = session_id
        self.members: set[Member] = set()
        self.presence: dict[int, dict[str, Any]] = {}
        self._presence_json: str | None = None
        self.ready: asyncio.Future | None = None
        self._presence_task: asyncio.Task | None = None
        self.access_checked_at = time.monotonic()

    def deliver(self, event: dict[str, Any]) -> None:
        for member in self.members:
            member.push(event)

    @property
    def presence_json(self) -> str:
        """The present list as JSON, encoded once per change rather than once per joining socket."""
        if self._presence_json is None:
            self._presence_json = events.encode(list(self.presence.values()))
        return self._presence_json

    def presence_set(self, presence: dict[int, dict[str, Any]]) -> None:
        self.presence, self._presence_json = presence, None

    def presence_changed(self) -> None:
        if self._presence_task is None or self._presence_task.done():
            self._presence_task = asyncio.ensure_future(self._presence_refresh())

    async def _presence_refresh(self) -> None:
        await asyncio.sleep(PRESENCE_COALESCE_SECONDS)
        try:
            now = await database_sync_to_async(presence_list)(
                session_id=self.session_id, ttl_seconds=presence_ttl_seconds()
            )
        except Exception:
            logger.exception("presence refresh failed for room %s", self.session_id)
            return
        joined = [p for user_id, p in now.items() if self.presence.get(user_id) != p]
        left = [user_id for user_id in self.presence if user_id not in now]
        self.presence_set(now)
        if joined or left:
            self.deliver({"type": "websocket.send", "text": events.encode(events.presence(joined=joined, left=left))})

    def close(self) -> None:
        if self._presence_task is not None:
            self._presence_task.cancel()


class Hub:
    def __init__(self, bus_factory: Callable[[Hub], Bus], limits: LocalLimits | RedisLimits | None = None):
        self.rooms: dict[int, Room] = {}
        self.bus = bus_factory(self)
        self.limits = limits if limits is not None else LocalLimits()
        self._heartbeat: asyncio.Task | None = None

    async def join(self, session_id: int, member: Member) -> str:
        """Add a socket to its room (subscribing this process to the room first); returns the presence list
        (JSON) the socket's hello must carry. Frames for the room queue in the member's outbox from here on."""
        room = self.rooms.get(session_id)
        if room is None:
            room = Room(session_id)
            self.rooms[session_id] = room
            room.ready = asyncio.ensure_future(self._room_setup(room))
        await asyncio.shield(room.ready)
        if self.rooms.get(session_id) is not room:  # the bus was lost while we waited
            raise BusUnavailable("room closed while joining")
        room.members.add(member)
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.ensure_future(self._heartbeat_loop())
        return room.presence_json

    async def _room_setup(self, room: Room) -> None:
        try:
            await self.bus.subscribe(room.session_id)
            room.presence_set(
                await database_sync_to_async(presence_list)(
                    session_id=room.session_id, ttl_seconds=presence_ttl_seconds()
                )
            )
        except Exception:
            if self.rooms.get(room.session_id) is room:
                del self.rooms[room.session_id]
            raise

    def leave(self, session_id: int, member: Member) -> None:
        member.stop()
        room = self.rooms.get(session_id)
        if room is None:
            return
        room.members.discard(member)
        if not room.members and room.ready is not None and room.ready.done():
            room.close()
            del self.rooms[session_id]
            asyncio.ensure_future(self._unsubscribe(session_id))

    async def _unsubscribe(self, session_id: int) -> None:
        with contextlib.suppress(Exception):
            await self.bus.unsubscribe(session_id, still_wanted=lambda: session_id in self.rooms)

    async def publish(self, session_id: int, frame: dict[str, Any]) -> None:
        """Send a frame to everyone in the room, on every server process."""
        await self._publish(session_id, events.BUS_FRAME + events.encode(frame).encode())

    async def publish_presence_changed(self, session_id: int) -> None:
        await self._publish(session_id, events.BUS_PRESENCE_CHANGED)

    async def _publish(self, session_id: int, data: bytes) -> None:
        try:
            await self.bus.publish(session_id, data)
        except Exception:
            # Our members may have missed this; make them reconnect and catch up from the database.
            logger.warning("room bus publish failed; disconnecting this process's sockets", exc_info=True)
            self.bus_lost()

    def deliver(self, session_id: int, data: bytes) -> None:
        """A bus message for a room arrived (from any process, this one included)."""
        room = self.rooms.get(session_id)
        if room is None:
            return
        kind = data[:1]
        if kind == events.BUS_FRAME:
            room.deliver({"type": "websocket.send", "text": data[1:].decode()})
        elif kind == events.BUS_PRESENCE_CHANGED:
            room.presence_changed()
        elif kind == events.BUS_ACCESS_RECHECK:
            asyncio.ensure_future(self._room_access_recheck_logged(session_id, room))

    def bus_lost(self) -> None:
        """Messages may have been lost between processes: every local socket reconnects and catches up."""
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            room.close()
            for member in room.members:
                member.kick(events.CLOSE_BUS_LOST)

    async def _heartbeat_loop(self) -> None:
        """Mark this process's sockets alive, close intervals of dead processes, and resend presence diffs."""
        while self.rooms:
            await asyncio.sleep(heartbeat_seconds())
            try:
                await self._ghosts_drop()
                members = [m for room in self.rooms.values() for m in room.members]
                await database_sync_to_async(presence_heartbeat)(connections=[m.connection for m in members])
                await self.limits.refresh(m.slot for m in members if m.slot is not None)
                await self._access_recheck()
                for session_id in list(self.rooms):
                    if await database_sync_to_async(presence_expire)(session_id=session_id):
                        await self.publish_presence_changed(session_id)
                    room = self.rooms.get(session_id)
                    if room is not None:
                        room.presence_changed()
            except Exception:
                logger.exception("room heartbeat failed")

    async def _ghosts_drop(self) -> None:
        """Members whose consumer ended without leaving (it crashed, or its task was cancelled): their sockets
        are gone, so they leave here, and their presence intervals close, rather than being kept alive."""
        for session_id, room in list(self.rooms.items()):
            ghosts = [m for m in room.members if m.task is not None and m.task.done()]
            for member in ghosts:
                logger.warning("room %s: dropping a socket whose consumer ended without leaving", session_id)
                await self._member_remove(session_id, member)

    async def _member_remove(self, session_id: int, member: Member) -> None:
        self.leave(session_id, member)
        await database_sync_to_async(presence_close)(connection=member.connection)
        if member.slot is not None:
            await self.limits.release(member.slot)
        await self.publish_presence_changed(session_id)

    async def _access_recheck(self) -> None:
        """Every SIGER_LIVE_ACCESS_RECHECK_SECONDS, one check per room of who may still be there: a learner
        whose enrollment was withdrawn (or whose account, course role or session went) is disconnected and
        stops gaining attendance."""
        now = time.monotonic()
        for session_id, room in list(self.rooms.items()):
            if now - room.access_checked_at < access_recheck_seconds() or not room.members:
                continue
            await self._room_access_recheck(session_id, room)

    async def _room_access_recheck_logged(self, session_id: int, room: Room) -> None:
        try:
            await self._room_access_recheck(session_id, room)
        except Exception:  # the periodic check tries again
            logger.exception("access re-check failed for room %s", session_id)

    async def _room_access_recheck(self, session_id: int, room: Room) -> None:
        room.access_checked_at = time.monotonic()
        if not room.members:
            return
        refused = await database_sync_to_async(room_members_refused)(
            session_id=session_id, user_ids={m.user_id for m in room.members}
        )
        for member in [m for m in room.members if m.user_id in refused]:
            member.kick(events.CLOSE_ACCESS_REVOKED)
            # Not waiting for the client's closing handshake: the interval ends now.
            await self._member_remove(session_id, member)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def _bus_for(hub: Hub) -> Bus:
    if settings.REDIS_URL:
        return RedisBus(hub, url=settings.REDIS_URL)
    return LocalBus(hub)


def hub_get() -> Hub:
    """This event loop's hub (one per server process; tests run one loop per test)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        for old in [old for old in _hubs if old.is_closed()]:
            del _hubs[old]
        hub = _hubs[loop] = Hub(_bus_for, limits_for_url(settings.REDIS_URL))
    return hub


def rooms_access_recheck(*, course_id: int) -> None:
    """From synchronous code, after a commit that took someone's access away (lms.cohorts: a withdrawal or a
    move): every open room of the course re-checks its members now, on every server process, instead of at the
    next periodic check. The rooms decide from the database, so the message carries no user."""
    from lms.models import CoursePage, LiveSessionPage

    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return
    session_ids = list(LiveSessionPage.objects.child_of(course).values_list("pk", flat=True))
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            for session_id in session_ids:
                client.publish(room_channel(session_id), events.BUS_ACCESS_RECHECK)
        finally:
            client.close()
        return
    # The embedded default: the rooms are in this process, on the event loop(s) serving the sockets. A fresh
    # context: the caller's (a sync view under asgiref) marks its thread as busy, and the re-check's own
    # database call would then refuse to run ("would deadlock").
    for loop, hub in list(_hubs.items()):
        if not loop.is_closed():
            for session_id in session_ids:
                loop.call_soon_threadsafe(
                    hub.deliver, session_id, events.BUS_ACCESS_RECHECK, context=contextvars.Context()
                )
