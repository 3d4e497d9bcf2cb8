"""Caps on open room sockets per person and per client IP, counted across every server process.

With Redis each cap is a sorted set of connection ids scored by when they expire: a socket's entry is added at
the handshake (check and add in one script, so two processes cannot both take the last place), refreshed by its
process's heartbeat and removed when the socket ends. A process that dies stops refreshing, so its sockets stop
counting after the presence TTL instead of holding their places for ever. In the embedded default (one process)
the counts are plain sets in memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as redis
from django.conf import settings
from django.db import connection as db_connection

from live.selectors import presence_ttl_seconds

logger = logging.getLogger(__name__)

# KEYS: the sets to count in; ARGV: now, expiry of the new entry, the connection, TTL in seconds, then one limit
# per key (0: no cap). Returns 0 when the connection took its places, else the 1-based index of the full set.
_ACQUIRE = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local limit = tonumber(ARGV[4 + i])
  if limit > 0 and redis.call('ZCARD', key) >= limit then
    return i
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('EXPIRE', key, ARGV[4])
end
return 0
"""


@dataclass(frozen=True)
class Slot:
    """A socket's places in the counts: its connection id under its person and its client IP."""

    connection: str
    user_id: int | None
    ip: str | None


def max_sockets_per_user() -> int:
    return getattr(settings, "SIGER_LIVE_MAX_SOCKETS_PER_USER", 5)


def max_sockets_per_ip() -> int:
    return getattr(settings, "SIGER_LIVE_MAX_SOCKETS_PER_IP", 200)


def _keys(slot: Slot) -> list[tuple[str, int, str]]:
    """(key, limit, which cap) for each count the socket takes a place in."""
    # Namespaced by database like the bus channels: one Redis may serve several installs (and test runs).
    prefix = f"siger:{db_connection.settings_dict['NAME']}:live:sockets"
    keys = []
    if slot.user_id is not None:
        keys.append((f"{prefix}:user:{int(slot.user_id)}", max_sockets_per_user(), "user"))
    if slot.ip:
        keys.append((f"{prefix}:ip:{slot.ip}", max_sockets_per_ip(), "ip"))
    return keys


def _refused(slot: Slot, cap: str) -> str:
    """Which cap refused the socket, logged: an address cap that refuses many people usually means every socket
    arrives from the reverse proxy's address (uvicorn trusts X-Forwarded-For only from FORWARDED_ALLOW_IPS)."""
    if cap == "ip":
        logger.warning("room socket refused: %s sockets already open from %s", max_sockets_per_ip(), slot.ip)
    return cap


class LocalLimits:
    """The embedded default: one process, so this process's sockets are all the sockets."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, int], set[str]] = {}

    async def acquire(self, slot: Slot) -> str | None:
        """Take the socket's places; returns None, or the cap that is full ("user" or "ip")."""
        keys = _keys(slot)
        for key, limit, cap in keys:
            if limit > 0 and len(self._open.get(key, ())) >= limit:
                return _refused(slot, cap)
        for key, _limit, _cap in keys:
            self._open.setdefault(key, set()).add(slot.connection)
        return None

    async def release(self, slot: Slot) -> None:
        for key, _limit, _cap in _keys(slot):
            connections = self._open.get(key)
            if connections is not None:
                connections.discard(slot.connection)
                if not connections:
                    del self._open[key]

    async def refresh(self, slots: Iterable[Slot]) -> None:
        return None


class RedisLimits:
    def __init__(self, *, url: str):
        self.client = redis.Redis.from_url(url)
        self._acquire = self.client.register_script(_ACQUIRE)

    async def acquire(self, slot: Slot) -> str | None:
        """Take the socket's places; returns None, or the cap that is full ("user" or "ip")."""
        keys = _keys(slot)
        if not keys:
            return None
        ttl = presence_ttl_seconds()
        now = time.time()
        try:
            full = await self._acquire(
                keys=[key for key, _limit, _cap in keys],
                args=[now, now + ttl, slot.connection, ttl, *[limit for _key, limit, _cap in keys]],
            )
        except Exception:
            # Redis is down: the room's bus is down with it and the join fails there; do not add a second refusal.
            logger.warning("socket limits unavailable", exc_info=True)
            return None
        return _refused(slot, keys[full - 1][2]) if full else None

    async def release(self, slot: Slot) -> None:
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for key, _limit, _cap in _keys(slot):
                    pipe.zrem(key, slot.connection)
                await pipe.execute()
        except Exception:  # the entry expires after the TTL
            logger.warning("releasing a socket's places failed", exc_info=True)

    async def refresh(self, slots: Iterable[Slot]) -> None:
        """The heartbeat: these sockets are still open; their entries live one more TTL."""
        ttl = presence_ttl_seconds()
        expires = time.time() + ttl
        by_key: dict[str, dict[str, float]] = {}
        for slot in slots:
            for key, _limit, _cap in _keys(slot):
                by_key.setdefault(key, {})[slot.connection] = expires
        if not by_key:
            return
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for key, entries in by_key.items():
                    pipe.zadd(key, entries)
                    pipe.expire(key, ttl)
                await pipe.execute()
        except Exception:  # the bus notices a Redis outage on its own; the heartbeat's other work goes on
            logger.warning("refreshing socket places failed", exc_info=True)


def limits_for_url(url: str) -> LocalLimits | RedisLimits:
    return RedisLimits(url=url) if url else LocalLimits()
