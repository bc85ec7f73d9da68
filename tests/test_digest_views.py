"""The digest archive and pages in the app, and the admins' preview of anyone's email."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.digests.models import Digest
from apps.digests.services import edition_build
from tests.factories import UserFactory, a_week_to_celebrate

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest of week 47 goes out on Monday at 08:00


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        data = a_week_to_celebrate(when=WHEN)
    data["edition"] = edition_build(week_start=WEEK, now=AFTER)
    data["digest"] = Digest.objects.get(edition=data["edition"], team=data["team"])
    return data


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, email="morgan@acme.example")


def test_the_archive_lists_the_weeks_with_the_readers_own_digest_first(client, week):
    client.force_login(week["tom"])

    page = client.get(reverse("digests:list")).content.decode()

    assert "Week 47 · 16 Nov – 22 Nov 2026" in page
    assert page.index("Billing &amp; Accounts") < page.index("your digest") < page.index("Acme Support")


def test_a_digest_page_shows_the_same_content_as_the_email_and_the_readers_own_line(client, week):
    client.force_login(week["tom"])
    edition_build(week_start=WEEK, now=AFTER)  # deliveries exist

    page = client.get(reverse("digests:detail", args=[week["digest"].pk])).content.decode()

    assert week["celebrated"].action in page
    assert f'href="{reverse("decisions:detail", args=[week["celebrated"].pk])}"' in page
    assert "Exactly the judgement we hope for: the customer stayed." in page
    assert "Tom Becker (Billing &amp; Accounts) shared a first story: welcome!" in page
    assert "I trust you to waive delivery charges." in page
    assert "Your stories were endorsed once by one colleague this week." in page
    assert "review" not in page.lower()


def test_an_unknown_digest_is_not_found(client, week):
    client.force_login(week["tom"])

    assert client.get(reverse("digests:detail", args=[99999])).status_code == 404


def test_an_admin_previews_anyones_email_as_html_and_text(client, week, admin_user):
    client.force_login(admin_user)
    query = {"person": week["ana"].pk, "week": week["edition"].pk}

    page = client.get(reverse("digests:preview"), query)
    html = client.get(reverse("digests:preview_html"), query)

    assert page.status_code == html.status_code == 200
    text = page.content.decode()
    assert "Billing &amp; Accounts, semana 47: 1 historia celebrada" in text  # in Ana's language
    assert "List-Unsubscribe=One-Click" in text
    assert "Hola, Ana," in text  # the plain-text body
    assert '<html lang="es">' in html.content.decode()
    assert (
        "'unsafe-inline'" in html["Content-Security-Policy"] and "script-src 'none'" in html["Content-Security-Policy"]
    )
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["tom", "manager"])
def test_only_admins_may_preview(client, week, who):
    client.force_login(week[who])
    query = {"person": week["ana"].pk, "week": week["edition"].pk}

    assert client.get(reverse("digests:preview"), query).status_code == 403
    assert client.get(reverse("digests:preview_html"), query).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, week):
    response = client.get(reverse("digests:detail", args=[week["digest"].pk]))

    assert response.status_code == 302 and reverse("account_login") in response.url
