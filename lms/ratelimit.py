"""Fixed-window rate limits kept in the cache (Redis in production, shared by every process)."""

import hashlib

from django.core.cache import cache


def rate_limit_exceeded(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit against `key`; True once more than `limit` hits fell in the current window."""
    # Hashed: keys hold user input (spaces, long strings) that some cache backends refuse.
    cache_key = "rl:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    if cache.add(cache_key, 1, timeout=window_seconds):
        return False
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return False
