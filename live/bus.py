"""How a room's messages reach the other server processes: Redis pub/sub, or nothing at all in one process.

The Redis bus talks to Redis itself rather than through the channel layer because the hub must know when the
subscription broke: Redis pub/sub keeps nothing for a disconnected subscriber, and channels-redis reconnects
silently, so a gap would go unnoticed. Here a broken connection disconnects this process's sockets, which
reconnect and catch up from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import redis.asyncio as redis
from django.db import connection

if TYPE_CHECKING:
    from live.hub import Hub

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 10


class BusUnavailable(Exception):
    pass


def room_channel(session_id: int) -> str:
    """The bus channel of a session's room: from its primary key, namespaced by database, because Redis pub/sub
    channels are shared by every database number and every Siger install using the same server."""
    return f"siger:{connection.settings_dict['NAME']}:live:room:{int(session_id)}"


class Bus(Protocol):
    async def subscribe(self, session_id: int) -> None: ...

    async def unsubscribe(self, session_id: int, *, still_wanted: Callable[[], bool]) -> None: ...

    async def publish(self, session_id: int, data: bytes) -> None: ...


class LocalBus:
    """The embedded default: one process, so publishing is delivering."""

    def __init__(self, hub: Hub):
        self.hub = hub

    async def subscribe(self, session_id: int) -> None:
        return None

    async def unsubscribe(self, session_id: int, *, still_wanted: Callable[[], bool]) -> None:
        return None

    async def publish(self, session_id: int, data: bytes) -> None:
        self.hub.deliver(session_id, data)


class RedisBus:
    """One subscriber connection per process; one PUBLISH per room message."""

    def __init__(self, hub: Hub, *, url: str):
        self.hub = hub
        self.client = redis.Redis.from_url(url)
        self._pubsub: redis.client.PubSub | None = None
        self._reader: asyncio.Task | None = None
        self._pending: dict[bytes, asyncio.Future] = {}
        self._channels: dict[bytes, int] = {}
        self._lock = asyncio.Lock()

    async def subscribe(self, session_id: int) -> None:
        channel = room_channel(session_id).encode()
        async with self._lock:
            if channel in self._channels:
                return
            try:
                if self._pubsub is None:
                    self._pubsub = self.client.pubsub()
                confirmed = asyncio.get_running_loop().create_future()
                self._pending[channel] = confirmed
                await self._pubsub.subscribe(channel)
                if self._reader is None or self._reader.done():
                    self._reader = asyncio.ensure_future(self._read(self._pubsub))
                # Only once Redis confirms is nothing published to the room missed by this process.
                await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_SECONDS)
            except Exception as error:
                self._pending.pop(channel, None)
                had_rooms = bool(self._channels)
                self._reset()
                if had_rooms:
                    self.hub.bus_lost()
                raise BusUnavailable(str(error)) from error
            self._channels[channel] = session_id

    async def unsubscribe(self, session_id: int, *, still_wanted: Callable[[], bool]) -> None:
        channel = room_channel(session_id).encode()
        async with self._lock:
            # A socket may have joined the room again while this waited for the lock.
            if still_wanted() or channel not in self._channels or self._pubsub is None:
                return
            del self._channels[channel]
            await self._pubsub.unsubscribe(channel)

    async def publish(self, session_id: int, data: bytes) -> None:
        await self.client.publish(room_channel(session_id), data)

    async def _read(self, pubsub: redis.client.PubSub) -> None:
        try:
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                kind, channel = message["type"], message["channel"]
                if kind == "message":
                    session_id = self._channels.get(channel)
                    if session_id is not None:
                        self.hub.deliver(session_id, message["data"])
                elif kind == "subscribe":
                    future = self._pending.pop(channel, None)
                    if future is not None and not future.done():
                        future.set_result(None)
                        # Messages for a room arrive only once it is in _channels; subscribe() adds it right after.
                        self._channels.setdefault(channel, _session_of(channel))
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("room bus lost its Redis subscription", exc_info=True)
            if self._pubsub is pubsub:
                self._reset()
                self.hub.bus_lost()

    def _reset(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._channels.clear()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(BusUnavailable("subscription lost"))
        self._pending.clear()
        if pubsub is not None:
            with contextlib.suppress(Exception):
                asyncio.ensure_future(pubsub.aclose())


def _session_of(channel: bytes) -> int:
    return int(channel.rsplit(b":", 1)[1])
