import asyncio
import contextlib
import datetime
import os
import socket
import subprocess
import threading
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from apps.core.bench import celery_worker_command

from .factories import PASSWORD, TeamFactory, agent, manager

ROOT = Path(__file__).resolve().parent.parent

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The moment every test lives in unless it travels to its own: Wednesday 18 November 2026, 10:00 UTC (ISO week
# 2026-W47). Tests that are about a date, a week or a schedule pin theirs with time_machine.travel.
SUITE_MOMENT = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)
# Chromium, Celery workers and other server subprocesses keep the real clock (a browser would drop a session cookie
# that a frozen server set to expire "two weeks after" a moment long past), so those tests run on the real clock, with
# every date they use derived from it; `make test-clocks` runs the whole suite with the process clock moved to awkward
# moments.
REAL_CLOCK_FIXTURES = {"live_server", "start_celery_worker", "redis_server"}


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
        # Recipients refused, and the answer: {"tom@acme.example": "550 5.1.1 No such user"}; "*" refuses everyone.
        self.refuse: dict[str, str] = {}
        # The nth message (1-based) is received but never answered, like a server that hangs mid-send.
        self.hang_at = 0
        self.hanging = threading.Event()
        self._received = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.refuse.get(address) or self.refuse.get("*")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self._received += 1
        if self._received == self.hang_at:
            self.hanging.set()
            await asyncio.sleep(3600)  # cancelled when the server stops
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
    port = free_port()
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def silent_port():
    """A port where a server accepts connections and then never says a word: a hung SMTP server, a hung Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again (never the shared one)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            # Like the shared Redis, it keeps the machine's real clock (`make test-clocks` moves only ours, and
            # libfaketime cannot run inside redis-server's allocator anyway).
            env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
            celery_worker_command(*worker_args),
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
