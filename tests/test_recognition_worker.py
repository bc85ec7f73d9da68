"""Notification emails through a real Celery worker on Redis, delivered to a real SMTP server — and what happens
when the broker is down while a manager approves."""

import contextlib
import time

import pytest
from django.urls import reverse

from apps.core.tasks import ping
from apps.decisions.models import Decision
from apps.recognition.models import Notification
from apps.recognition.tasks import drain_outbox, send_notification_email
from config.celery_app import app as celery_app

from .conftest import free_port
from .factories import DecisionFactory, TeamFactory, agent, manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # Forget pooled connections to the previous address.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_down(port: int | None = None):
    """Nothing listens on the broker's port, or (given a silent server's port) it accepts and never answers."""
    working = celery_app.conf.broker_url
    _use_broker(f"redis://127.0.0.1:{port or free_port()}/0")
    try:
        yield
    finally:
        _use_broker(working)


def _wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def _worker_is_idle():
    """The worker takes one task at a time, in order: once it answers a ping, it has run what was sent before."""
    assert ping.delay("done").get(timeout=60) == "done"


@pytest.fixture
def people():
    team = TeamFactory()
    author = agent(team, first_name="Ana", last_name="García", email="ana@acme.example", language="es")
    boss = manager(team, first_name="Grace", last_name="Okafor", email="grace@acme.example")
    return author, boss


@pytest.fixture(autouse=True)
def _empty_queue():
    celery_app.control.purge()  # tasks left by other tests on this Redis database


def test_a_real_worker_emails_the_author_when_a_manager_approves(client, people, start_celery_worker, smtp_server):
    inbox, port = smtp_server
    author, boss = people
    story = DecisionFactory(author=author)
    start_celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    client.force_login(boss)

    response = client.post(reverse("recognition:approve", args=[story.pk]))

    assert response.status_code == 302
    (message,) = inbox.wait_for(1, timeout=60)
    assert message["X-Envelope-To"] == "ana@acme.example"
    assert "Grace Okafor" in message["Subject"]
    assert message["Content-Language"] == "es"
    notification = Notification.objects.get()
    assert _wait_until(lambda: Notification.objects.get().email_status == Notification.EmailStatus.SENT)
    # Sending the same notification again (a retry, a redelivery) sends nothing.
    send_notification_email.delay(notification.pk)
    _worker_is_idle()
    assert len(inbox.messages) == 1


def test_with_the_broker_hanging_the_approval_commits_within_seconds(client, people, silent_port):
    author, boss = people
    story = DecisionFactory(author=author)
    client.force_login(boss)

    with broker_down(silent_port):
        started = time.monotonic()
        response = client.post(reverse("recognition:approve", args=[story.pk]))
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 3, "a hung broker must not keep the manager waiting"
    assert Decision.objects.get(pk=story.pk).status == Decision.Status.APPROVED
    assert Notification.objects.get().email_status == Notification.EmailStatus.PENDING


def test_with_the_broker_down_the_approval_commits_and_the_email_goes_out_when_it_is_back(
    client, people, start_celery_worker, smtp_server
):
    inbox, port = smtp_server
    author, boss = people
    story = DecisionFactory(author=author)
    client.force_login(boss)

    with broker_down():
        started = time.monotonic()
        response = client.post(reverse("recognition:approve", args=[story.pk]), follow=True)
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert "Approved: the story is now visible to the whole organisation." in response.content.decode()
    assert elapsed < 3, "a broker outage must not keep the manager waiting"
    assert Decision.objects.get(pk=story.pk).status == Decision.Status.APPROVED
    assert Notification.objects.get().email_status == Notification.EmailStatus.PENDING

    # The broker is back: a worker starts and the periodic outbox task runs.
    start_celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    drain_outbox.delay()

    (message,) = inbox.wait_for(1, timeout=60)
    assert message["X-Envelope-To"] == "ana@acme.example"
    # The server has the message a moment before the worker records it as sent.
    assert _wait_until(lambda: Notification.objects.get().email_status == Notification.EmailStatus.SENT)

    # Never twice: the next outbox runs and a late task for the same notification send nothing.
    drain_outbox.delay()
    send_notification_email.delay(Notification.objects.get().pk)
    _worker_is_idle()
    assert len(inbox.messages) == 1
