"""Setup → Integrations for admins: chat channels whose addresses stay secret, webhooks whose signing secret is shown
once, the help desks that may frame "Can I?", and which events write which deliveries."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.urls import reverse

from apps.digests.services import edition_build
from apps.integrations.models import ChatChannel, Delivery, HelpDeskSettings, WebhookEndpoint
from apps.org.models import Organisation
from apps.recognition.services import decision_approve

from .conftest import ROOT
from .factories import DecisionFactory, TeamFactory, UserFactory, a_week_to_celebrate, agent, manager

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstwxyz"


@pytest.fixture
def an_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def _channel_form(**overrides):
    return {
        "name": "#wins",
        "platform": "slack",
        "webhook_url": SLACK_URL,
        "scope": "organisation",
        "language": "nl",
        "send_celebrations": "on",
        "is_active": "on",
        **overrides,
    }


def test_an_empty_integrations_page_explains_how_to_connect_a_channel(client, an_admin):
    page = client.get(reverse("integrations:index")).content.decode()

    assert "No channel is connected yet" in page
    assert "Workflows" in page and "Incoming Webhooks" in page
    assert "/can-i/" in page


def test_an_admin_connects_a_slack_channel_whose_address_is_then_only_shown_masked(client, an_admin):
    response = client.post(reverse("integrations:channel_create"), _channel_form())

    assert response.status_code == 302
    channel = ChatChannel.objects.get()
    assert channel.webhook_url == SLACK_URL
    assert channel.language == "nl" and channel.send_celebrations and not channel.send_digest
    index = client.get(reverse("integrations:index")).content.decode()
    assert "https://hooks.slack.com/…wxyz" in index
    assert SLACK_URL not in index
    edit = client.get(reverse("integrations:channel_edit", args=[channel.pk])).content.decode()
    assert SLACK_URL not in edit and "…wxyz" in edit


def test_saving_a_channel_without_a_new_address_keeps_the_old_one(client, an_admin):
    channel = ChatChannel.objects.create(name="#wins", platform="slack", webhook_url=SLACK_URL)

    client.post(reverse("integrations:channel_edit", args=[channel.pk]), _channel_form(name="#kudos", webhook_url=""))

    channel.refresh_from_db()
    assert channel.name == "#kudos" and channel.webhook_url == SLACK_URL


def test_a_plain_http_address_or_a_team_channel_without_its_team_is_refused_next_to_the_field(
    client, an_admin, settings
):
    settings.LEEWAY_WEBHOOK_ALLOW_HTTP = False

    page = client.post(
        reverse("integrations:channel_create"),
        _channel_form(webhook_url="http://hooks.example/x", scope="team", name="#returns-wins"),
    ).content.decode()

    assert "Use an https:// address" in page
    assert "Choose the team whose stories this channel hears about." in page
    assert "#returns-wins" in page  # what was typed is kept
    assert not ChatChannel.objects.exists()


def test_a_webhooks_signing_secret_is_shown_once_at_creation(client, an_admin):
    response = client.post(
        reverse("integrations:webhook_create"),
        {"name": "CRM", "url": "https://crm.example/leeway", "events": ["story.approved", "story.logged"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["story.approved", "story.logged"]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(reverse("integrations:index")).content.decode()
    assert endpoint.secret not in client.get(reverse("integrations:webhook_edit", args=[endpoint.pk])).content.decode()


def test_send_a_test_message_writes_a_delivery_shown_on_the_page(client, an_admin, django_capture_on_commit_callbacks):
    channel = ChatChannel.objects.create(name="#wins", platform="teams", webhook_url=SLACK_URL, language="es")

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("integrations:channel_test", args=[channel.pk]))

    delivery = Delivery.objects.get()
    assert delivery.event == "test" and delivery.status == Delivery.Status.PENDING
    # The channel speaks Spanish, so its test message does.
    assert delivery.payload["attachments"][0]["content"]["body"][0]["text"] == "Leeway está conectado"
    assert len(callbacks) == 1  # handed to Celery once the admin's request commits
    Delivery.objects.filter(pk=delivery.pk).update(last_error="HTTP 500: boom")
    assert "HTTP 500: boom" in client.get(reverse("integrations:index")).content.decode()


def test_the_integrations_page_runs_the_same_queries_whatever_the_number_of_channels(
    client, an_admin, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            channel = ChatChannel.objects.create(
                name=f"#c{ChatChannel.objects.count()}", platform="slack", webhook_url=SLACK_URL
            )
            Delivery.objects.create(channel=channel, key=f"k{n}", event="test", status="failed", last_error="x")
            WebhookEndpoint.objects.create(name=f"w{channel.pk}", url="https://crm.example", events=[])

    add(1)
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("integrations:index"))
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("integrations:index"))


def test_help_desk_origins_are_checked_and_kept_one_per_line(client, an_admin):
    page = client.post(reverse("integrations:help_desk"), {"frame_origins": "https://acme.zendesk.com/agent"})
    assert "is not a site" in page.content.decode() and "https://acme.zendesk.com/agent" in page.content.decode()

    client.post(
        reverse("integrations:help_desk"), {"frame_origins": "https://acme.zendesk.com/ https://*.freshdesk.com"}
    )

    settings = HelpDeskSettings.objects.get(organisation=Organisation.current())
    assert settings.origins() == ["https://acme.zendesk.com", "https://*.freshdesk.com"]


# --- which events write deliveries ----------------------------------------------------------------------------------


def test_approving_writes_one_delivery_per_target_that_asked_and_repeats_write_none(team):
    author, boss = agent(team), manager(team)
    other_team = TeamFactory()
    wants = ChatChannel.objects.create(name="a", platform="slack", webhook_url=SLACK_URL, send_approved=True)
    ChatChannel.objects.create(name="b", platform="slack", webhook_url=SLACK_URL)  # celebrations only
    ChatChannel.objects.create(
        name="c", platform="slack", webhook_url=SLACK_URL, send_approved=True, scope="team", team=other_team
    )
    hook = WebhookEndpoint.objects.create(name="crm", url="https://crm.example", events=["story.approved"])
    story = DecisionFactory(author=author)

    decision_approve(decision=story, manager=boss)
    decision_approve(decision=story, manager=boss)  # a double click

    assert {(d.channel_id, d.endpoint_id) for d in Delivery.objects.all()} == {(wants.pk, None), (None, hook.pk)}


def test_a_weeks_digest_summary_goes_once_to_each_channel_that_asked_for_it():
    when = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=False):
        week = a_week_to_celebrate(when=when)
    channel = ChatChannel.objects.create(
        name="d", platform="teams", webhook_url=SLACK_URL, send_digest=True, scope="team", team=week["team"]
    )

    edition = edition_build(week_start=datetime.date(2026, 11, 16), now=when + datetime.timedelta(days=3))
    edition_build(week_start=datetime.date(2026, 11, 16), now=when + datetime.timedelta(days=3))

    (delivery,) = Delivery.objects.filter(channel=channel)
    card = delivery.payload["attachments"][0]["content"]
    digest = edition.digests.get(team=week["team"])
    assert card["actions"][0]["url"].endswith(f"/digests/{digest.pk}/")
    assert week["team"].name in card["body"][0]["text"]


def test_frame_cookies_are_samesite_none_and_secure_only_when_turned_on():
    def read(**env):
        code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE)"
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    assert read() == ["Lax", "False"]
    assert read(LEEWAY_FRAME_COOKIES="true") == ["None", "True"]
