"""Teams and Slack channels and outgoing webhooks hear about stories through a real Celery worker, POSTing to real
local HTTP servers: the platforms' documented message structures, retries after errors and timeouts, HMAC
signatures, and a manager's approval that never waits for any of it."""

import hashlib
import hmac
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.tasks import ping
from apps.decisions.models import Decision
from apps.integrations.models import ChatChannel, Delivery, WebhookEndpoint
from apps.integrations.services import channel_ping_record
from config.celery_app import app as celery_app

from .factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    TeamFactory,
    TrustStatementFactory,
    agent,
    manager,
)
from .webhook_receiver import Receiver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]

BASE_URL = "https://leeway.example"
PRIVATE_TRUST = "I trust you, Ana, with refunds up to 120 when a parcel is lost twice."
CUSTOMER_REFERENCE = "CASE-77310"
# Short timeouts and backoff, so that a retried delivery takes seconds (production: 5 s and 30 s, ×4).
WORKER_ENV = {
    "LEEWAY_BASE_URL": BASE_URL,
    "LEEWAY_WEBHOOK_TIMEOUT": "1.5",
    "LEEWAY_WEBHOOK_RETRY_SECONDS": "0.5",
}


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.LEEWAY_BASE_URL = BASE_URL
    celery_app.control.purge()


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def world():
    care = DepartmentFactory(name="Care")
    returns = TeamFactory(name="Returns", department=care)
    billing = TeamFactory(name="Billing", department=care)
    sales = TeamFactory(name="Sales", department=DepartmentFactory(name="Growth"))
    author = agent(returns, first_name="Ana", last_name="García")
    boss = manager(returns, first_name="Grace", last_name="Okafor")
    refunds = CategoryFactory(name="Refund", name_es="Reembolso", slug="refund")
    statement = TrustStatementFactory(
        team=returns, author=boss, agent=author, text=PRIVATE_TRUST, category=refunds, raised_limit=Decimal("120")
    )
    story = DecisionFactory(
        author=author,
        category=refunds,
        action="Waived the late fee after the outage",
        situation="The customer's payment failed during our outage.",
        cost=Decimal("100"),
        customer_reference=CUSTOMER_REFERENCE,
        covered=True,
        coverage="trust",
        limit_in_force=Decimal("120"),
        covering_trust_statement=statement,
    )
    return {"returns": returns, "billing": billing, "sales": sales, "care": care, "boss": boss, "story": story}


def _channel(receiver, path, **fields):
    return ChatChannel.objects.create(name=path.strip("/"), webhook_url=receiver.url(path), **fields)


def _wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def _worker_is_idle():
    assert ping.delay("done").get(timeout=60) == "done"


def _no_private_data(raw: bytes) -> None:
    text = raw.decode()
    for private in (PRIVATE_TRUST, CUSTOMER_REFERENCE, "100.00", "120", "review", "guardrail"):
        assert private not in text


def test_a_celebration_reaches_teams_as_an_adaptive_card_in_the_channels_language(
    client, world, receiver, start_celery_worker
):
    _channel(receiver, "/teams", platform="teams", scope="team", team=world["returns"], language="es")
    start_celery_worker(**WORKER_ENV)
    client.force_login(world["boss"])

    client.post(reverse("recognition:celebrate", args=[world["story"].pk]), {"note": "Exactly the right call."})

    (request,) = receiver.wait_for(1)
    message = request.json
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert all(block["type"] == "TextBlock" and block["text"] for block in card["body"])
    texts = " ".join(block["text"] for block in card["body"])
    assert "Ana García" in texts and "Reembolso" in texts  # Spanish, the channel's language
    assert "Waived the late fee after the outage" in texts
    assert "Exactly the right call." in texts
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl"
    assert action["url"] == f"{BASE_URL}/stories/{world['story'].pk}/"
    _no_private_data(request.body)
    assert _wait_until(lambda: Delivery.objects.get().status == Delivery.Status.SENT)


def test_an_approved_story_reaches_slack_in_block_kit_with_a_text_fallback(
    client, world, receiver, start_celery_worker
):
    _channel(receiver, "/slack", platform="slack", send_approved=True, send_celebrations=False)
    start_celery_worker(**WORKER_ENV)
    client.force_login(world["boss"])

    client.post(reverse("recognition:approve", args=[world["story"].pk]))

    (request,) = receiver.wait_for(1)
    message = request.json
    assert "Ana García" in message["text"]  # the notification's fallback
    assert [block["type"] for block in message["blocks"]] == ["header", "section", "context", "actions"]
    header, section, context, actions = message["blocks"]
    assert header["text"]["type"] == "plain_text" and len(header["text"]["text"]) <= 150
    assert section["text"]["type"] == "mrkdwn" and "Waived the late fee" in section["text"]["text"]
    assert "&#x27;" not in section["text"]["text"] and "customer&#" not in section["text"]["text"]
    assert context["elements"][0]["text"].startswith("Returns")
    (button,) = actions["elements"]
    assert button["type"] == "button" and button["url"] == f"{BASE_URL}/stories/{world['story'].pk}/"
    _no_private_data(request.body)


def test_a_channel_hears_only_about_the_stories_its_audience_reads(client, world, receiver, start_celery_worker):
    for scope, subject, path in (
        ("team", {"team": world["returns"]}, "/returns"),
        ("team", {"team": world["billing"]}, "/billing"),
        ("department", {"department": world["care"]}, "/care"),
        ("department", {"department": world["sales"].department}, "/growth"),
        ("organisation", {}, "/everyone"),
    ):
        _channel(receiver, path, platform="slack", scope=scope, send_approved=True, **subject)
    start_celery_worker(**WORKER_ENV)
    client.force_login(world["boss"])

    client.post(reverse("recognition:approve", args=[world["story"].pk]))

    receiver.wait_for(3)
    _worker_is_idle()
    assert sorted(r.path for r in receiver.received) == ["/care", "/everyone", "/returns"]


def test_a_server_error_is_retried_and_the_message_delivered(client, world, receiver, start_celery_worker):
    receiver.script = [500]
    _channel(receiver, "/teams", platform="teams")
    start_celery_worker(**WORKER_ENV)
    client.force_login(world["boss"])

    client.post(reverse("recognition:celebrate", args=[world["story"].pk]), {"note": "Great call."})

    first, second = receiver.wait_for(2)
    assert first.body == second.body
    assert second.at - first.at >= 0.4  # waited (backoff) before trying again
    assert _wait_until(lambda: Delivery.objects.get().status == Delivery.Status.SENT)
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert "500" in delivery.last_error


def test_a_hanging_endpoint_times_out_and_is_retried_while_the_approval_returns_at_once(
    client, world, receiver, start_celery_worker
):
    receiver.script = [("hang", 5)]
    _channel(receiver, "/slack", platform="slack", send_approved=True)
    start_celery_worker(**WORKER_ENV)
    _worker_is_idle()
    client.force_login(world["boss"])

    started = time.monotonic()
    response = client.post(reverse("recognition:approve", args=[world["story"].pk]))
    took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 1.0  # the read timeout alone is 1.5 s: the request did not wait for the webhook
    first, second = receiver.wait_for(2, timeout=30)
    assert second.at - first.at >= 1.5  # the first attempt waited its full read timeout
    assert _wait_until(lambda: Delivery.objects.get().status == Delivery.Status.SENT)
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert "Timeout" in delivery.last_error or "timed out" in delivery.last_error
    assert Decision.objects.get().status == Decision.Status.APPROVED


def test_a_webhook_event_is_signed_so_that_a_receiver_can_verify_it(client, world, receiver, start_celery_worker):
    endpoint = WebhookEndpoint.objects.create(
        name="CRM", url=receiver.url("/crm"), events=[WebhookEndpoint.Event.CELEBRATED]
    )
    start_celery_worker(**WORKER_ENV)
    client.force_login(world["boss"])

    client.post(reverse("recognition:celebrate", args=[world["story"].pk]), {"note": "Great call."})

    (request,) = receiver.wait_for(1)  # celebrated only: the endpoint did not ask for approvals
    timestamp, signature = (part.split("=", 1)[1] for part in request.headers["Leeway-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())
    assert abs(int(timestamp) - time.time()) < 60
    forged = hmac.new(b"not-the-secret", f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert not hmac.compare_digest(signature, forged.hexdigest())
    event = request.json
    assert request.headers["Leeway-Event"] == event["event"] == "story.celebrated"
    assert event["story"]["id"] == world["story"].pk
    assert event["story"]["url"] == f"{BASE_URL}/stories/{world['story'].pk}/"
    assert event["story"]["customer_reference"] == CUSTOMER_REFERENCE  # admins may read it
    assert PRIVATE_TRUST not in request.body.decode()  # a private trust statement never leaves
    _worker_is_idle()
    assert len(receiver.received) == 1


def test_a_refused_address_fails_at_once_and_shows_its_error(client, world, receiver, start_celery_worker):
    receiver.script = [404]
    channel = _channel(receiver, "/gone", platform="slack")
    start_celery_worker(**WORKER_ENV)

    channel_ping_record(channel=channel)  # in autocommit: handed to the worker at once

    assert _wait_until(lambda: Delivery.objects.get().status == Delivery.Status.FAILED)
    _worker_is_idle()
    assert len(receiver.received) == 1  # a 404 is not retried: the webhook was removed
    assert Delivery.objects.get().last_error.startswith("HTTP 404")
