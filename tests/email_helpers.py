"""Every kind of email Leeway sends, each made by its real code path (the action a person takes, the job that runs),
read from Django's test outbox. Shared by tests/test_email_rendering.py and the browser test of email widths."""

import datetime
import re
from html.parser import HTMLParser

import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from apps.core.services import account_emails_drain
from apps.digests.services import deliveries_send_pending, edition_build
from apps.org.models import Organisation
from apps.recognition import services as recognition
from apps.setup import services as setup
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    DecisionFactory,
    TeamFactory,
    a_week_to_celebrate,
    admin,
    agent,
    manager,
)

BASE_URL = "https://leeway.acme-support.example"
DIGEST_WEEK = datetime.date(2026, 11, 16)
DIGEST_BUILT = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
DIGEST_SENT = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC)
MONDAY = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def _new(before: int) -> list:
    return list(mail.outbox[before:])


def _one(before: int):
    (message,) = _new(before)
    return message


def every_email(language: str) -> dict[str, object]:
    """{kind: EmailMultiAlternatives} for every email Leeway sends, each to someone whose language is `language`."""
    Organisation.objects.update_or_create(pk=Organisation.current().pk, defaults={"name": "Acme Support"})
    emails: dict[str, object] = {}
    team = TeamFactory(name="Billing")
    boss = manager(team, first_name="Grace", last_name="Okafor", language=language)
    ana = agent(team, first_name="Ana", last_name="García", language=language)
    tom = agent(team, first_name="Tom", last_name="Becker")
    category = CategoryFactory(name="Fee waiver", name_es="Exención de cargos", name_nl="Kwijtschelding")

    def story(**fields):
        return DecisionFactory(author=ana, team=team, category=category, action="I waived the late fee.", **fields)

    # Notifications: each action as a manager or colleague takes it, then the outbox that sends them.
    approved = story()
    recognition.decision_approve(decision=approved, manager=boss)
    recognition.endorsement_create(decision=approved, endorser=tom, comment="Smart and kind.")
    recognition.decision_celebrate(decision=story(), manager=boss, note="Exactly the judgement we hope for.")
    recognition.decision_return(decision=story(), manager=boss, note="Add what it cost, please.")
    review, _created = recognition.review_open(decision=story(), manager=boss, message="What happened?")
    recognition.review_message_create(review=review, author=boss, body="Private: let us talk.")
    recognition.review_close(review=review, manager=boss, lesson="Check the refund limit first.")
    recognition.review_request(decision=story(), author=ana, message="Can we talk about this one?")
    story(approved=True, approved_by=boss, created_at=DIGEST_BUILT - datetime.timedelta(days=30, hours=1))
    recognition.outcome_reminders_send()
    before = len(mail.outbox)
    recognition.outbox_drain()
    for message in _new(before):
        kind = recognition.Notification.objects.get(pk=message.extra_headers["X-Leeway-Notification"]).kind
        emails.setdefault(kind, message)

    # The daily reminder of stories that waited too long, to their manager.
    DecisionFactory(author=tom, team=team, category=category, created_at=DIGEST_BUILT - datetime.timedelta(days=9))
    before = len(mail.outbox)
    recognition.queue_reminders_send()
    emails["queue_reminder"] = next(m for m in _new(before) if m.to == [boss.email])

    # An invitation, as an admin adds someone.
    before = len(mail.outbox)
    setup.person_create(
        email="noor@acme.example",
        first_name="Noor",
        last_name="Haddad",
        language=language,
        time_zone="Europe/Amsterdam",
        team=team,
        role="agent",
        invited_by=admin(first_name="Morgan", last_name="Lee"),
    )
    setup.invitations_send_pending()
    emails["invitation"] = _one(before)

    # The weekly digest, as the weekly job builds and sends it.
    with time_machine.travel(DIGEST_BUILT, tick=False):
        week = a_week_to_celebrate(when=DIGEST_BUILT)
    reader = week["tom"]
    reader.language = language
    reader.save()
    before = len(mail.outbox)
    edition = edition_build(week_start=DIGEST_WEEK, now=DIGEST_SENT)
    deliveries_send_pending(edition_id=edition.pk, now=DIGEST_SENT)
    emails["digest"] = next(m for m in _new(before) if m.to == [reader.email])

    # allauth's emails, through the pages that send them (and the account outbox).
    signup, reset = reverse("account_signup"), reverse("account_reset_password")
    passwords = {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
    for kind, url, data in [
        ("email_confirmation_signup", signup, {"email": "li@acme.example", **passwords}),
        ("account_already_exists", signup, {"email": ana.email, **passwords}),
        ("password_reset_key", reset, {"email": ana.email}),
        ("unknown_account", reset, {"email": "nobody@acme.example"}),
    ]:
        before = len(mail.outbox)
        # A visitor's browser says which language it prefers: what someone without an account reads.
        Client(HTTP_ACCEPT_LANGUAGE=language).post(url, data)
        account_emails_drain()
        emails[kind] = _one(before)

    member = Client()
    member.force_login(ana)
    before = len(mail.outbox)
    member.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    account_emails_drain()
    emails["password_changed"] = _one(before)

    from tests.test_two_factor import totp

    person = Client()
    person.force_login(boss)
    before = len(mail.outbox)
    with time_machine.travel(MONDAY, tick=False):
        response = person.get(reverse("mfa_activate_totp"))
        person.post(response.url, {"password": PASSWORD})
        page = person.get(reverse("mfa_activate_totp")).content.decode()
        secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)
        # allauth tells the person once the activation has committed.
        with TestCase.captureOnCommitCallbacks(execute=True):
            person.post(reverse("mfa_activate_totp"), {"code": totp(secret, MONDAY)})
        account_emails_drain()
    emails["totp_activated"] = _new(before)[0]
    return emails


def html_of(message) -> str:
    [html] = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


class Tags(HTMLParser):
    """The start tags of an HTML document: (tag, {attribute: value})."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
