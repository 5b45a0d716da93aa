"""Fixed-window attempt counters in the shared cache, for our own forms."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def attempt_allowed(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once more than ``limit`` were made in the window."""
    cache_key = "kp-rl:" + hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
