"""Rate limits kept in the cache (Redis in production, shared by every process): a fixed window for floods, a
failure counter with an increasing lock for guessing one account's password, and the client IP they count by."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _cache_key(prefix: str, key: str) -> str:
    # Hashed: keys hold user input (spaces, long strings) that some cache backends refuse.
    return f"{prefix}:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def rate_limit_exceeded(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit against `key`; True once more than `limit` hits fell in the current window."""
    cache_key = _cache_key("rl", key)
    if cache.add(cache_key, 1, timeout=window_seconds):
        return False
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return False


# --- Client IP --------------------------------------------------------------------------------------------------------


def _trusted_proxy_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.SIGER_TRUSTED_PROXIES]


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str:
    """The address of the person making the request.

    Behind a reverse proxy (DJANGO_BEHIND_PROXY) every request comes from the proxy, so the client is the
    rightmost X-Forwarded-For entry that is not one of our own proxies (SIGER_TRUSTED_PROXIES): entries further
    left were written by the client and can be anything. Without a proxy the header is the client's own words
    and is ignored."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.SIGER_BEHIND_PROXY:
        return remote
    trusted = _trusted_proxy_networks()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _parse_ip(entry)
        if address is None:
            break  # garbage our proxy would not write: stop trusting the header here
        if not any(address in network for network in trusted):
            return str(address)
    return remote


# --- Attempts with a growing lock -------------------------------------------------------------------------------------


def _now() -> float:
    return time.time()


def failure_lock_remaining(key: str) -> int:
    """Seconds until `key` may try again (0: now)."""
    locked_until = cache.get(_cache_key("lock", key))
    if not locked_until:
        return 0
    return max(0, math.ceil(locked_until - _now()))


def attempt_reserve(key: str, *, free_attempts: int, base_lock_seconds: int, max_lock_seconds: int) -> int:
    """Take one attempt for `key` before it is made; seconds to wait if there is none to take (0: go ahead).

    The first `free_attempts - 1` go ahead at once. From then on each attempt must take the lock itself (an atomic
    add: of parallel attempts exactly one wins) and so makes the next one wait: 1x, 2x, 4x... `base_lock_seconds`,
    capped at `max_lock_seconds`. Counting before the password is checked keeps a burst of parallel guesses from
    slipping past the count; a success calls failure_reset(). Refused attempts are not counted, so hammering a
    locked key does not extend its lock, and the cap is what keeps the owner in: an attacker who stops leaves at
    most one cap of waiting behind, one who goes on gets one guess per cap."""
    count_key, lock_key = _cache_key("fail", key), _cache_key("lock", key)
    memory = max_lock_seconds + 24 * 3600  # forgotten a day after the last lock would have ended
    if cache.add(count_key, 1, timeout=memory):
        count = 1
    else:
        try:
            count = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, timeout=memory)
            count = 1
        cache.touch(count_key, memory)
    if count < free_attempts:
        return 0
    lock_seconds = min(max_lock_seconds, base_lock_seconds * 2 ** (count - free_attempts))
    if cache.add(lock_key, _now() + lock_seconds, timeout=lock_seconds):
        return 0
    try:
        cache.decr(count_key)
    except ValueError:
        pass
    return max(1, failure_lock_remaining(key))


def failure_reset(key: str) -> None:
    """Forget `key`'s failures (its owner proved who they are)."""
    cache.delete_many([_cache_key("fail", key), _cache_key("lock", key)])


def window_remaining(key: str, *, limit: int, window_seconds: int) -> int:
    """Seconds until the window of `key` ends if it already holds `limit` hits, else 0 (counts nothing)."""
    if (cache.get(_cache_key("win", key)) or 0) < limit:
        return 0
    started = cache.get(_cache_key("win-start", key)) or _now()
    return max(1, math.ceil(started + window_seconds - _now()))


def window_hit(key: str, *, window_seconds: int) -> int:
    """Count one hit in the window of `key`, which opens with its first hit; returns the hits so far."""
    count_key = _cache_key("win", key)
    if cache.add(count_key, 1, timeout=window_seconds):
        cache.set(_cache_key("win-start", key), _now(), timeout=window_seconds)
        return 1
    try:
        return cache.incr(count_key)
    except ValueError:  # expired between add and incr
        return window_hit(key, window_seconds=window_seconds)
