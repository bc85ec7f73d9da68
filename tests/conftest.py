import datetime
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from .factories import PASSWORD, TeamFactory, agent, manager

ROOT = Path(__file__).resolve().parent.parent

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The moment every test lives in unless it travels to its own: Wednesday 18 November 2026, 10:00 UTC (ISO week
# 2026-W47). Tests that are about a date, a week or a schedule pin theirs with time_machine.travel.
SUITE_MOMENT = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)
# Chromium and Celery worker subprocesses keep the real clock (a browser would drop a session cookie that a frozen
# server set to expire "two weeks after" a moment long past), so those tests run on the real clock, with every date
# they use derived from it; `make test-clocks` runs the whole suite with the process clock moved to awkward moments.
REAL_CLOCK_FIXTURES = {"live_server", "start_celery_worker"}


def pytest_report_header(config):
    """Says which real clock the suite runs on (`make test-clocks` moves it)."""
    now = datetime.datetime.now(datetime.UTC)
    pinned = f"{SUITE_MOMENT:%Y-%m-%d %H:%M}"
    return f"clock: {now:%Y-%m-%d %H:%M} UTC, machine time zone {time.tzname[0]} (pinned tests live at {pinned} UTC)"


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    if request.node.get_closest_marker("real_clock") or REAL_CLOCK_FIXTURES & set(request.fixturenames):
        yield
        return
    with time_machine.travel(SUITE_MOMENT, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate-limit counters, the organisation's time zone)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def an_agent(team):
    return agent(team, first_name="Ana", last_name="García", email="ana@acme.example")


@pytest.fixture
def a_manager(team):
    return manager(team, first_name="Grace", last_name="Okafor", email="grace@acme.example")


@pytest.fixture
def password():
    return PASSWORD


class SmtpInbox:
    """A real SMTP server on localhost (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_server():
    """Yields (inbox, port): point EMAIL_URL=smtp://127.0.0.1:<port> at it."""
    from aiosmtpd.controller import Controller

    # aiosmtpd checks that it is reachable on the port it was given, so give it a real free one, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def start_celery_worker(transactional_db, tmp_path):
    """Starts real Celery workers (subprocesses, like production) on this test's database and Redis database.

    Usage: `start_celery_worker("--queues", "q1", EMAIL_URL=f"smtp://127.0.0.1:{port}")` returns the Popen; it is
    stopped after the test. Keyword arguments override the worker's environment.
    Data the test writes must be committed (this fixture implies `transactional_db`) for the worker to see it.
    """
    workers = []
    db = connection.settings_dict

    def _start(*worker_args: str, **env_overrides: str) -> subprocess.Popen:
        log = (tmp_path / f"celery-worker-{len(workers)}.log").open("wb")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "PYTEST_XDIST_WORKER": "",
            **env_overrides,
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                *worker_args,
            ],
            cwd=ROOT,
            env=env,
            # A file, not a pipe: a chatty worker must never block on a full pipe nobody reads.
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    for log in sorted(tmp_path.glob("celery-worker-*.log")):
        print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}")  # shown when a test fails
