"""Leeway as it runs in production: gunicorn, a Celery worker and beat as separate processes with production settings,
on PostgreSQL, a Redis of the test's own and a local SMTP server. A story goes from submission through approval to
the weekly digest email; every request and task writes one log line with its id."""

import datetime
import os
import re
import subprocess
import sys
import time
import zoneinfo

import pytest
import requests
from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.decisions.models import Decision
from apps.digests.models import Delivery
from apps.org.models import Organisation

from .conftest import ROOT, free_port
from .factories import PASSWORD, GuardrailFactory, TeamFactory, agent, manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def wait_until(condition, timeout=90.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.3)
    return condition()


class Browser:
    """Speaks to gunicorn as the TLS proxy would forward a browser: secure cookies kept, X-Forwarded-Proto set."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.base.replace("http://", "https://"),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        response = requests.request(
            method, self.base + path, data=data, headers=headers, allow_redirects=False, timeout=30
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def sign_in(self, email: str) -> None:
        self.request("GET", "/accounts/login/")
        assert self.request("POST", "/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302


def digest_time_zone(now: datetime.datetime) -> zoneinfo.ZoneInfo:
    """A time zone where the next two minutes stay within one day, whatever the real hour is."""
    for name in ("UTC", "Etc/GMT-8", "Etc/GMT+8"):
        local = now.astimezone(zoneinfo.ZoneInfo(name))
        if (local + datetime.timedelta(minutes=2)).date() == local.date():
            return zoneinfo.ZoneInfo(name)
    raise AssertionError("unreachable")


@pytest.fixture
def stack(tmp_path, redis_server, smtp_server):
    inbox, smtp_port = smtp_server
    web_port = free_port()
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "stack-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "LEEWAY_BASE_URL": f"https://leeway.acme.example:{web_port}",
        "LEEWAY_VAR_DIR": str(tmp_path / "var"),
        "LEEWAY_DIGEST_CHECK_SECONDS": "3",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_server.url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    commands = {
        "web": [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "2"],
        "worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "-l", "INFO"],
        "beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO"],
    }
    (tmp_path / "var" / "celery").mkdir(parents=True)
    logs = {name: tmp_path / f"{name}.log" for name in commands}
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name].open("wb"), stderr=subprocess.STDOUT)
        for name, command in commands.items()
    }
    base = f"http://127.0.0.1:{web_port}"

    def web_up():
        try:
            return requests.get(base + "/healthz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert wait_until(web_up, timeout=60), logs["web"].read_text()
        yield base, inbox, logs
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for name, log in logs.items():
            print(f"--- {name} ---\n{log.read_text(errors='replace')[-3000:]}")  # shown when the test fails


def test_a_story_goes_from_submission_through_approval_to_the_digest_email(stack, settings):
    base, inbox, logs = stack
    team = TeamFactory(name="Billing")
    author = agent(team, first_name="Ana", last_name="García", email="ana@acme.example")
    boss = manager(team, first_name="Grace", last_name="Okafor", email="grace@acme.example")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # production's, not the tests'
    for person in (author, boss):
        person.set_password(PASSWORD)
        person.save()
    category = GuardrailFactory().category
    now = timezone.now()
    zone = digest_time_zone(now)
    moment = (now + datetime.timedelta(seconds=40)).astimezone(zone)
    org = Organisation.current()
    org.time_zone, org.digest_weekday, org.digest_time = str(zone), moment.weekday(), moment.time()
    org.save()

    ana = Browser(base)
    ana.sign_in(author.email)
    submitted = ana.request(
        "POST",
        "/stories/new/",
        {
            "situation": "The customer waited 40 minutes on hold.",
            "action": "I gave her a voucher for the wait.",
            "justification": "Forty minutes is not the service we want to give anyone.",
            "category": category.pk,
            "channel": "phone",
            "cost": "15",
            "outcome": "retained",
            "happened_on": moment.date().isoformat(),
        },
    )
    assert submitted.status_code == 302, submitted.text[:2000]
    story = Decision.objects.get()

    grace = Browser(base)
    grace.sign_in(boss.email)
    assert grace.request("POST", f"/recognition/decisions/{story.pk}/approve/", {}).status_code == 302
    # The digest about to go out celebrates last week: the story moves a week back, as if logged and approved then.
    week = datetime.timedelta(days=7)
    Decision.objects.filter(pk=story.pk).update(
        created_at=F("created_at") - week, approved_at=F("approved_at") - week, happened_on=F("happened_on") - week
    )

    # The worker emails Ana that her story was approved, then the beat's tick after the digest moment sends the week.
    assert wait_until(lambda: Delivery.objects.filter(status="sent").count() == 2, timeout=120), list(
        Delivery.objects.values_list("recipient__email", "status", "last_error")
    )
    messages = inbox.wait_for(4, timeout=30)
    to_ana = [m for m in messages if m["X-Envelope-To"] == author.email]
    assert any("Grace Okafor" in m["Subject"] for m in to_ana)  # the approval notification
    (digest,) = [m for m in to_ana if m["List-Unsubscribe"]]
    (body,) = [p.get_payload(decode=True).decode() for p in digest.walk() if p.get_content_type() == "text/plain"]
    assert "I gave her a voucher for the wait." in body
    assert digest["Message-ID"].endswith("@leeway.acme.example>")

    # One line per request (with its id) from gunicorn, one per task from the worker.
    web_log, worker_log = logs["web"].read_text(), logs["worker"].read_text()
    approval = re.search(
        rf"leeway.request request_id=(\w+) method=POST path=/recognition/decisions/{story.pk}/approve/ status=302",
        web_log,
    )
    assert approval, web_log[-3000:]
    # The notification task carries the id of the request that queued it.
    assert re.search(
        rf"leeway.task request_id={approval[1]} task=recognition.send_notification_email .* state=SUCCESS", worker_log
    )
    assert re.search(r"leeway.task request_id=\S+ task=digests.send_pending task_id=\S+ state=SUCCESS", worker_log)
