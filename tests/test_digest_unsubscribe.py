"""The digest email's unsubscribe link: signed, public, confirmed on GET (mail scanners follow links), done on POST."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from apps.digests.emails import unsubscribe_token, unsubscribe_url
from tests.factories import agent

pytestmark = pytest.mark.django_db


def url(user) -> str:
    return reverse("digest_unsubscribe", args=[unsubscribe_token(user)])


def test_the_link_shows_a_confirmation_and_changes_nothing(client, an_agent):
    response = client.get(url(an_agent))

    assert response.status_code == 200
    assert "Stop the weekly digest email?" in response.content.decode()
    an_agent.refresh_from_db()
    assert an_agent.email_digest


def test_confirming_stops_the_digest_email_without_signing_in(client, an_agent):
    response = client.post(url(an_agent))

    assert response.status_code == 200
    assert "You will not get the weekly digest email any more" in response.content.decode()
    an_agent.refresh_from_db()
    assert not an_agent.email_digest
    assert an_agent.email_notifications  # other emails are not affected


def test_a_mail_clients_one_click_post_works_without_a_csrf_token(an_agent):
    client = Client(enforce_csrf_checks=True)

    response = client.post(url(an_agent), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    an_agent.refresh_from_db()
    assert not an_agent.email_digest


def test_a_tampered_or_foreign_token_does_nothing(client, an_agent):
    other = agent()
    token = unsubscribe_token(other)

    tampered = client.post(reverse("digest_unsubscribe", args=[token[:-2] + "xx"]))
    forged = client.post(reverse("digest_unsubscribe", args=["not-a-token"]))

    assert tampered.status_code == forged.status_code == 400
    other.refresh_from_db()
    assert other.email_digest


def test_a_link_stops_working_when_the_address_changes(client, an_agent):
    link = url(an_agent)
    an_agent.email = "ana.garcia@acme.example"
    an_agent.save()

    assert client.post(link).status_code == 400


def test_the_link_in_emails_is_absolute(settings, an_agent):
    settings.LEEWAY_BASE_URL = "https://leeway.acme.example"

    assert unsubscribe_url(an_agent).startswith("https://leeway.acme.example/unsubscribe/")


def test_the_profile_switch_also_stops_the_digest(client, an_agent):
    client.force_login(an_agent)

    client.post(reverse("accounts:profile"), {"first_name": "Ana", "language": "es", "show_on_leaderboards": "on"})

    an_agent.refresh_from_db()
    assert not an_agent.email_digest


def test_a_link_older_than_sixty_days_has_expired_and_points_to_the_profile(client, an_agent):
    sent = datetime.datetime(2026, 9, 1, 16, tzinfo=datetime.UTC)
    with time_machine.travel(sent, tick=False):
        link = url(an_agent)

    with time_machine.travel(sent + datetime.timedelta(days=59), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(sent + datetime.timedelta(days=61), tick=False):
        response = client.post(link)

    page = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in page and reverse("accounts:profile") in page
    an_agent.refresh_from_db()
    assert an_agent.email_digest
