"""A Redis cache that fails open: Redis down, hung or restarting never fails a request.

Leeway's cache holds only what can be recomputed (the organisation's time zone, rate-limit counters, the insights'
stored figures, which are then worked out on each visit). When Redis does not answer, every read is a miss and every
write is dropped, and the request goes on. After a failure the cache is not asked again for a few seconds, so that an
outage costs each request nothing, not a timeout per cache call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After Redis failed, requests skip it for this many seconds before trying again.
RETRY_AFTER_SECONDS = 5.0


class FailOpenRedisCacheClient(RedisCacheClient):
    """Each operation answers as if Redis were empty when it is away: a miss for reads, writes that "succeeded" (an
    `add` that answered False would make allauth's rate-limit lock wait a second for nothing)."""

    _down_until = 0.0  # per process: the monotonic time before which Redis is not asked

    def _fail_open(self, operation: str, fallback, *args):
        if time.monotonic() < FailOpenRedisCacheClient._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except RedisError as error:
            FailOpenRedisCacheClient._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s: %s); going on without it", type(error).__name__, error)
            return fallback

    def add(self, key, value, timeout):
        return self._fail_open("add", True, key, value, timeout)

    def get(self, key, default):
        return self._fail_open("get", default, key, default)

    def set(self, key, value, timeout):
        return self._fail_open("set", None, key, value, timeout)

    def touch(self, key, timeout):
        return self._fail_open("touch", False, key, timeout)

    def delete(self, key):
        return self._fail_open("delete", False, key)

    def get_many(self, keys):
        return self._fail_open("get_many", {}, keys)

    def has_key(self, key):
        return self._fail_open("has_key", False, key)

    def incr(self, key, delta):
        return self._fail_open("incr", delta, key, delta)

    def set_many(self, data, timeout):
        return self._fail_open("set_many", [], data, timeout)

    def delete_many(self, keys):
        return self._fail_open("delete_many", None, keys)

    def clear(self):
        return self._fail_open("clear", None)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
