"""A Redis cache that fails open: Redis down, hung or restarting never fails a request.

Leeway's cache holds only what can be recomputed (the organisation's time zone, rate-limit counters, the insights'
stored figures, which are then worked out on each visit). When Redis does not answer, every read is a miss and every
write is dropped, and the request goes on. After a failure the cache is not asked again for a few seconds, so that an
outage costs each request nothing, not a timeout per cache call.
"""

import hashlib
import logging
import time

import django
from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_finished, request_started
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After Redis failed, requests skip it for this many seconds before trying again.
RETRY_AFTER_SECONDS = 5.0


class FailOpenRedisCacheClient(RedisCacheClient):
    """Each operation answers as if Redis were empty when it is away: a miss for reads, writes that "succeeded" (an
    `add` that answered False would make allauth's rate-limit lock wait a second for nothing)."""

    _down_until = 0.0  # per process: the monotonic time before which Redis is not asked

    def get_client(self, key=None, *, write=False):
        # One client per connection pool, not a new one per call: building a redis.Redis was a tenth of a feed page's
        # time (seven cache reads a page). Clients are thread-safe, and each thread has its own cache object anyway.
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]

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


# What was read from the cache during the current request (generations, what is kept per person): a page asks once
# for each, however many of its parts use it (a feed page used the names' generation three times).
_current = Local()


def _start_reading(**kwargs):
    _current.reads = {}


def _stop_reading(**kwargs):
    _current.reads = None


request_started.connect(_start_reading, dispatch_uid="core.cache.start_reading")
request_finished.connect(_stop_reading, dispatch_uid="core.cache.stop_reading")


def _reads() -> dict:
    """This request's reads; a throwaway dict outside requests (a task, a command), which read afresh each time."""
    reads = getattr(_current, "reads", None)
    return reads if reads is not None else {}


def generations(*keys: str) -> list[int]:
    """The current generations named by `keys`, in one round trip: part of other keys, so that moving one on forgets
    them all at once."""
    reads = _reads()
    missing = [key for key in keys if key not in reads]
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            reads[key] = found[key] if key in found else cache.get_or_set(key, _fresh_generation, None)
    return [reads[key] for key in keys]


def generation(key: str) -> int:
    return generations(key)[0]


def next_generation(key: str) -> None:
    """Moves the generation named by `key` on: every entry keyed by the old one is never read again. Now, and again
    once the write under way is committed: a reader who read the old data in between kept it under the new one."""
    _move_on(key)
    transaction.on_commit(lambda: _move_on(key))


def _move_on(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (evicted or never set): a fresh generation
        cache.set(key, _fresh_generation(), None)
    _reads().pop(key, None)


def _fresh_generation() -> int:
    # Never a number used before: a generation lost to eviction must not bring back what was kept under its old values.
    return time.time_ns()


def kept(key: str, compute, timeout: int):
    """What `key` holds in the cache, else `compute()`, kept there for `timeout` seconds; read once per request."""
    reads = _reads()
    if key not in reads:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout)
        reads[key] = value
    return reads[key]


_release = None


def release() -> str:
    """What the HTML kept in the cache was written with (Leeway's code, templates and translations, and Django's
    version), for the keys of that HTML: after an upgrade nothing written by the code before is served. Worked out
    once per process from the files' contents, so that every web server of one release agrees; in development (DEBUG),
    once per request from their sizes and dates, so that an edited template shows on the next page."""
    global _release
    if not settings.DEBUG:
        _release = _release or _stamp(lambda path: path.read_bytes())
        return _release
    reads = _reads()
    if "release" not in reads:
        reads["release"] = _stamp(lambda path: f"{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    return reads["release"]


def _stamp(content) -> str:
    base = settings.BASE_DIR
    files = sorted(
        path
        for folder in (base / "apps", base / "config", base / "templates", base / "locale")
        for path in folder.rglob("*")
        if path.suffix in (".py", ".html", ".txt", ".mo") and path.is_file()
    )
    stamp = hashlib.sha256(django.get_version().encode())
    for path in files:
        stamp.update(str(path.relative_to(base)).encode())
        stamp.update(content(path))
    return stamp.hexdigest()[:16]


# The names of people, teams, departments, categories and values, as fragments kept in the cache show them (story
# cards, the feed's filters): moved on whenever one is saved (see apps/decisions/signals.py).
NAMES_GENERATION_KEY = "names-generation"


def names_changed() -> None:
    """A name changed: every cached fragment that shows names is written again on its next view."""
    next_generation(NAMES_GENERATION_KEY)


def names_generation() -> int:
    return generation(NAMES_GENERATION_KEY)
