"""Redis down or restarted: the cache fails open (no request fails), and workers keep consuming once it is back.

Each test starts its own redis-server on a free port and stops it; the shared Redis is never touched."""

import time
import uuid

import pytest
import time_machine
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.test import override_settings
from django.urls import reverse

from apps.core.cache import FailOpenRedisCacheClient
from apps.decisions.models import Decision
from apps.org.models import Organisation

from .factories import DecisionFactory

A_MOMENT = "2026-11-25 10:00 +00:00"


@pytest.fixture
def redis_cache(redis_server):
    """Leeway's production cache, on a private Redis."""
    FailOpenRedisCacheClient._down_until = 0.0
    cache = {
        "BACKEND": "apps.core.cache.FailOpenRedisCache",
        "LOCATION": redis_server.url(),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={"default": cache}):
        yield redis_server
    FailOpenRedisCacheClient._down_until = 0.0


@pytest.mark.django_db
@time_machine.travel(A_MOMENT, tick=False)
def test_with_redis_down_every_page_renders_and_an_approval_commits(client, redis_cache, an_agent, a_manager, password):
    story = DecisionFactory(author=an_agent)
    org = Organisation.current()
    org.time_zone = "Europe/Madrid"
    org.save()
    client.force_login(an_agent)
    assert client.get(reverse("home")).status_code == 200  # the time zone is now cached in Redis

    redis_cache.stop()
    started = time.monotonic()
    pages = {
        url: client.get(url).status_code
        for url in (
            reverse("home"),
            reverse("decisions:detail", args=[story.pk]),
            reverse("decisions:mine"),
            reverse("decisions:playbook"),
            reverse("leaderboards:index"),
            reverse("digests:list"),
            reverse("accounts:profile"),
            reverse("recognition:notifications"),
        )
    }
    client.logout()
    sign_in = client.post(reverse("account_login"), {"login": a_manager.email, "password": password})
    approval = client.post(reverse("recognition:approve", args=[story.pk]))
    elapsed = time.monotonic() - started

    assert pages == dict.fromkeys(pages, 200)
    assert sign_in.status_code == 302
    assert approval.status_code == 302
    assert Decision.objects.get(pk=story.pk).status == Decision.Status.APPROVED
    assert elapsed < 5, "an outage must not add a timeout to every request"


@pytest.mark.django_db
@time_machine.travel(A_MOMENT, tick=False)
def test_the_organisation_time_zone_is_still_applied_with_redis_down(client, redis_cache, an_agent):
    org = Organisation.current()
    org.time_zone = "Asia/Tokyo"
    org.save()
    redis_cache.stop()
    client.force_login(an_agent)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["TIME_ZONE"] == "Asia/Tokyo"


@pytest.mark.django_db
def test_the_cache_is_used_again_once_redis_is_back(redis_cache):
    from django.core.cache import cache

    redis_cache.stop()
    cache.set("leeway:probe", "lost")
    assert cache.get("leeway:probe") is None

    redis_cache.start()
    FailOpenRedisCacheClient._down_until = 0.0  # the few seconds' pause after a failure are over
    cache.set("leeway:probe", "kept")

    assert cache.get("leeway:probe") == "kept"


@pytest.mark.xdist_group("celery-worker")
def test_a_worker_keeps_consuming_after_redis_restarts(redis_server, start_celery_worker):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_celery_worker("--queues", queue, REDIS_URL=redis_server.url())

    def send(value: str):
        # A client of its own each time: this test is about the worker's reconnection, not the client's.
        client = Celery(set_as_current=False, broker=redis_server.url(), backend=redis_server.url())
        return client.send_task("core.ping", args=[value], queue=queue)

    assert send("before").get(timeout=90) == "before"

    redis_server.stop()
    time.sleep(3)  # the worker notices and starts reconnecting
    redis_server.start()

    after = send("after")
    try:
        assert after.get(timeout=30) == "after"
    except CeleryTimeoutError:
        # Now and then kombu itself fails while closing the lost connection (AttributeError in `_connparams`) and the
        # worker exits instead of reconnecting: what production's process supervisor restarts (README, "Running it
        # in production"). A worker that is still running but not consuming fails the test.
        assert worker.wait(timeout=30) is not None, "the worker neither consumed nor exited after Redis came back"
        start_celery_worker("--queues", queue, REDIS_URL=redis_server.url())
        assert after.get(timeout=90) == "after"  # the message waited in Redis: nothing was lost


@pytest.mark.django_db
def test_with_redis_hanging_a_page_waits_at_most_half_a_second_once(client, an_agent, silent_port):
    FailOpenRedisCacheClient._down_until = 0.0
    hung = {
        "BACKEND": "apps.core.cache.FailOpenRedisCache",
        "LOCATION": f"redis://127.0.0.1:{silent_port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    client.force_login(an_agent)
    with override_settings(CACHES={"default": hung}):
        first = client.get(reverse("home"))
        started = time.monotonic()
        second = client.get(reverse("home"))
        second_took = time.monotonic() - started
    FailOpenRedisCacheClient._down_until = 0.0

    assert (first.status_code, second.status_code) == (200, 200)
    assert second_took < 0.5, "after one timeout, the cache is skipped for a few seconds"
