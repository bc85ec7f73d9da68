"""Every email Leeway sends (digest, notifications, reminders, invitations, allauth's account and security emails) is
made by its real code path and comes out the same way: Leeway's layout with the organisation's name, in the
recipient's language, HTML with its CSS inlined plus a plain-text part that says the same, a dark-mode palette, and
links that start with LEEWAY_BASE_URL — never the address the request happened to use."""

import os
import re
import subprocess
import sys

import pytest
from django.core import mail

from apps.recognition.models import Notification
from tests.email_helpers import BASE_URL, Tags, every_email, html_of

pytestmark = pytest.mark.django_db

KINDS = {
    *Notification.Kind.values,
    "queue_reminder",
    "invitation",
    "digest",
    "email_confirmation_signup",
    "account_already_exists",
    "password_reset_key",
    "unknown_account",
    "password_changed",
    "totp_activated",
}
URL = re.compile(r"https?://[^\s<>\"')]+")


@pytest.fixture
def base_url(settings):
    settings.LEEWAY_BASE_URL = BASE_URL
    return BASE_URL


@pytest.fixture
def emails(base_url):
    """Every email, to people who read Leeway in Spanish."""
    return every_email("es")


def test_every_kind_of_email_has_a_plain_text_part_and_an_html_part_with_inlined_css(emails):
    assert set(emails) == KINDS
    for kind, email in emails.items():
        html = html_of(email)
        assert email.subject and "\n" not in email.subject, kind
        assert "Leeway" in email.body and "Acme Support" in email.body, kind
        assert "<p" not in email.body and "{{" not in email.body and "{%" not in email.body, kind
        assert "Acme Support" in html and "{{" not in html, kind
        # The layout's rules are in style attributes; only what cannot be inlined stays in the head.
        styles = re.findall(r"<style[^>]*>", re.sub(r"<!--.*?-->", "", html, flags=re.S))
        assert styles == ['<style data-css-inline="keep">'], kind
        for tag, attributes in Tags(html).tags:
            if attributes.get("class"):
                assert "style" in attributes, f"{kind}: <{tag} class={attributes['class']}> has no inline style"
            if tag == "img":
                assert "alt" in attributes, kind
        assert re.search(r'class="container"[^>]*style="[^"]*max-width: 600px', html), kind
        assert 'role="presentation"' in html, kind


def test_every_email_has_a_dark_palette_and_says_so(emails):
    for kind, email in emails.items():
        html = html_of(email)
        assert '<meta name="color-scheme" content="light dark">' in html, kind
        assert "@media (prefers-color-scheme: dark)" in html, kind


def test_every_link_starts_with_leeway_base_url(emails, base_url):
    for kind, email in emails.items():
        hrefs = [attributes["href"] for tag, attributes in Tags(html_of(email)).tags if tag == "a"]
        assert hrefs, kind
        assert all(href.startswith(f"{base_url}/") for href in hrefs), (kind, hrefs)
        links = URL.findall(email.body)
        assert links, kind
        assert all(link.startswith(base_url) for link in links), (kind, links)
        assert "testserver" not in email.body + html_of(email), kind


def test_allauth_emails_speak_as_leeway_not_as_the_request_host(emails):
    for kind in ("email_confirmation_signup", "account_already_exists", "password_reset_key", "unknown_account"):
        body = emails[kind].body
        assert "Hello from" not in body and "has given your email address" not in body, kind
        assert emails[kind].subject.startswith("[Leeway] "), kind


@pytest.mark.parametrize("language", ["en", "es", "nl"])
def test_every_email_is_in_the_recipients_language(base_url, language):
    emails = every_email(language)
    for kind, email in emails.items():
        assert email.extra_headers["Content-Language"] == language, kind
        assert f'<html lang="{language}">' in html_of(email), kind
    greeting = {"en": "Hi Ana,", "es": "Hola, Ana,", "nl": "Hoi Ana,"}[language]
    assert greeting in emails["celebrated"].body and greeting in html_of(emails["celebrated"])
    if language == "en":
        return
    english = ("Choose a new password", "There is no Leeway account", "Confirm your email address", "Your story")
    for kind, email in emails.items():
        assert not any(words in email.subject for words in english), (kind, email.subject)
    spanish_or_dutch = {
        "es": {
            "password_reset_key": "Elige una contraseña nueva",
            "unknown_account": "No hay ninguna cuenta de Leeway",
            "email_confirmation_signup": "Confirma tu dirección de correo",
            "password_changed": "Se ha cambiado tu contraseña de Leeway",
            "digest": "semana 47",
        },
        "nl": {
            "password_reset_key": "Kies een nieuw wachtwoord",
            "unknown_account": "Er is geen Leeway-account",
            "email_confirmation_signup": "Bevestig je e-mailadres",
            "password_changed": "Je Leeway-wachtwoord is gewijzigd",
            "digest": "week 47",
        },
    }[language]
    for kind, words in spanish_or_dutch.items():
        assert words in emails[kind].subject, (kind, emails[kind].subject)


def test_the_plain_text_says_what_the_html_says(emails):
    """Not an HTML dump: the same sentences and the same main link, as text."""
    for kind in ("celebrated", "returned", "invitation", "password_reset_key", "queue_reminder"):
        email = emails[kind]
        html = html_of(email)
        [button] = [a["href"] for tag, a in Tags(html).tags if tag == "a" and a.get("class") == "button"]
        assert button in email.body, kind
    assert "Smart and kind." in emails["endorsed"].body and "Smart and kind." in html_of(emails["endorsed"])


def test_the_footer_says_why_and_links_to_the_settings_where_there_are_some(emails, base_url):
    profile = f"{base_url}/me/profile/"
    for kind in (*Notification.Kind.values, "queue_reminder", "digest"):
        assert profile in emails[kind].body and profile in html_of(emails[kind]), kind
    for kind in ("invitation", "unknown_account", "password_reset_key", "password_changed"):
        assert profile not in emails[kind].body, kind  # nothing to turn off there


def test_make_run_serves_and_links_to_leeway_host_and_port():
    """`LEEWAY_PORT=8002 make run` serves on 8002, says so, and links in emails point there."""
    env = {k: v for k, v in os.environ.items() if k != "LEEWAY_BASE_URL"}
    env.update(LEEWAY_PORT="8002", DJANGO_SETTINGS_MODULE="config.settings.base")
    base = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.LEEWAY_BASE_URL)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert base == "http://127.0.0.1:8002"
    dry_run = subprocess.run(["make", "-n", "run"], env=env, capture_output=True, text=True, check=True).stdout
    [announce] = [line for line in dry_run.splitlines() if "Leeway is starting at" in line]
    said = subprocess.run(["sh", "-c", announce], env=env, capture_output=True, text=True, check=True).stdout
    assert "http://127.0.0.1:8002 " in said
    with open("Procfile") as procfile:
        assert "${LEEWAY_PORT:-8000}" in procfile.read()


def test_the_digest_speaks_to_each_reader_where_they_stand(base_url):
    """Only someone who writes stories is asked to log the next one: not an admin, not a manager, and not someone
    whose story has waited 20 days for a manager (they hear it is not forgotten)."""
    import datetime

    import time_machine

    from apps.digests.services import deliveries_send_pending, edition_build
    from tests.email_helpers import DIGEST_BUILT, DIGEST_SENT, DIGEST_WEEK
    from tests.factories import DecisionFactory, TeamFactory, a_week_to_celebrate, admin, agent, manager

    with time_machine.travel(DIGEST_BUILT, tick=False):
        week = a_week_to_celebrate(when=DIGEST_BUILT)
    quiet = TeamFactory(name="Returns")
    waiting = agent(quiet, first_name="Wim")
    DecisionFactory(author=waiting, team=quiet, created_at=DIGEST_BUILT - datetime.timedelta(days=20))
    lola = agent(quiet, first_name="Lola", language="es")
    DecisionFactory(author=lola, team=quiet, created_at=DIGEST_BUILT - datetime.timedelta(days=20))
    newcomer = agent(quiet, first_name="Nia")
    boss = manager(quiet, first_name="Omar")
    director = admin(first_name="Morgan")

    edition = edition_build(week_start=DIGEST_WEEK, now=DIGEST_SENT)
    deliveries_send_pending(edition_id=edition.pk, now=DIGEST_SENT)
    people = (waiting, newcomer, boss, director)
    body = {person: next(m.body for m in mail.outbox if m.to == [person.email]) for person in people}

    log_next_time = "The next time you decide something for a customer on your own, log the story"
    assert log_next_time in body[newcomer]
    assert not any(log_next_time in body[person] for person in (waiting, boss, director))
    assert "Your story of 29 October is still waiting for a manager. It has not been forgotten" in body[waiting]
    # The day and month as Spanish writes them ("29 de octubre").
    assert "Tu historia del 29 de octubre sigue esperando a un responsable" in next(
        m.body for m in mail.outbox if m.to == [lola.email]
    )
    assert "2 stories from your teams are waiting for you to approve them" in body[boss]  # Wim's and Lola's
    assert "Here are the good calls people made for customers this week." in body[director]
    assert "Hi Tom," in next(m.body for m in mail.outbox if m.to == [week["tom"].email])
