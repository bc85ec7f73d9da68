"""A mail server that is down, refuses a message for good (550) or hangs: no web request waits on it, every SMTP call
times out, temporary failures are retried later, permanent ones fail at once and show in the admin, nothing goes twice.

Real SMTP servers on free ports: aiosmtpd (`smtp_server`), a port nobody listens on, a socket that never answers."""

import datetime
import time

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.urls import reverse

from apps.core import outbox
from apps.core.models import AccountEmail
from apps.core.services import account_email_send, account_emails_drain
from apps.digests.models import Delivery
from apps.digests.services import deliveries_send_pending, edition_build
from apps.recognition import services as recognition
from apps.recognition.models import Notification

from .conftest import free_port
from .factories import DecisionFactory, a_week_to_celebrate

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-good-passphrase"
SIGN_UP = {"email": "newcomer@acme.example", "password1": PASSPHRASE, "password2": PASSPHRASE}


@pytest.fixture
def smtp_at(settings):
    """Points Django's real SMTP backend at a local port, with a short timeout."""

    def point(port: int, timeout: int = 1) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    return point


def timed(action):
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


# --- account emails: never inside the web request ------------------------------------------------------------------


def test_with_smtp_down_sign_up_succeeds_and_the_confirmation_waits_in_the_outbox(client, smtp_at):
    smtp_at(free_port())

    response = client.post(reverse("account_signup"), SIGN_UP)

    assert response.status_code == 302
    email = AccountEmail.objects.get()
    assert (email.to, email.email_status) == ("newcomer@acme.example", "pending")
    assert "/accounts/confirm-email/" in email.body_text


def test_with_smtp_hanging_sign_up_and_password_reset_answer_at_once(client, smtp_at, silent_port, an_agent):
    smtp_at(silent_port, timeout=30)

    signed_up, sign_up_time = timed(lambda: client.post(reverse("account_signup"), SIGN_UP))
    reset, reset_time = timed(lambda: client.post(reverse("account_reset_password"), {"email": an_agent.email}))

    assert (signed_up.status_code, reset.status_code) == (302, 302)
    assert sign_up_time < 2 and reset_time < 2
    assert AccountEmail.objects.filter(email_status="pending").count() == 2


def test_the_worker_sends_the_confirmation_once_the_server_answers_and_forgets_the_link(
    client, smtp_at, smtp_server, settings
):
    inbox, port = smtp_server
    settings.LEEWAY_BASE_URL = "https://leeway.acme.example"
    client.post(reverse("account_signup"), SIGN_UP)
    smtp_at(port)

    assert account_emails_drain() == 1
    assert account_emails_drain() == 0  # never twice

    (message,) = inbox.wait_for(1)
    assert message["X-Envelope-To"] == "newcomer@acme.example"
    [text] = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    assert "https://leeway.acme.example/accounts/confirm-email/" in text.get_payload(decode=True).decode()
    assert message["Message-ID"].endswith("@leeway.acme.example>")
    email = AccountEmail.objects.get()
    assert email.email_status == "sent" and email.body_text == ""


def test_a_hanging_server_times_out_and_the_email_is_retried_later(client, smtp_at, silent_port):
    client.post(reverse("account_signup"), SIGN_UP)
    smtp_at(silent_port, timeout=1)

    sent, elapsed = timed(account_emails_drain)

    assert sent == 0 and elapsed < 5
    email = AccountEmail.objects.get()
    assert (email.email_status, email.email_attempts) == ("pending", 1)
    assert "timed out" in email.email_error


def test_a_refused_connection_is_retried_with_a_growing_wait(client, smtp_at, smtp_server):
    inbox, port = smtp_server
    client.post(reverse("account_signup"), SIGN_UP)
    smtp_at(free_port())
    now = datetime.datetime.now(datetime.UTC)

    with time_machine.travel(now, tick=False):
        assert account_emails_drain() == 0
    smtp_at(port)
    with time_machine.travel(now + datetime.timedelta(minutes=1), tick=False):
        assert account_emails_drain() == 0  # the first retry waits two minutes
    with time_machine.travel(now + outbox.outbox_retry_after(1) + datetime.timedelta(seconds=1), tick=False):
        assert account_emails_drain() == 1

    assert len(inbox.wait_for(1)) == 1
    assert AccountEmail.objects.get().email_attempts == 2


def test_a_permanent_refusal_fails_at_once_and_admins_can_send_it_again(client, admin_client, smtp_at, smtp_server):
    inbox, port = smtp_server
    inbox.refuse = {"*": "550 5.1.1 No such user here"}
    client.post(reverse("account_signup"), SIGN_UP)
    smtp_at(port)

    assert account_email_send(email_id=AccountEmail.objects.get().pk) is False
    assert account_emails_drain() == 0  # not retried

    email = AccountEmail.objects.get()
    assert (email.email_status, email.email_attempts) == ("failed", 1)
    assert "550" in email.email_error
    failed_list = admin_client.get(reverse("admin:core_accountemail_changelist") + "?email_status__exact=failed")
    assert "newcomer@acme.example" in failed_list.content.decode()
    assert "/accounts/confirm-email/" not in failed_list.content.decode()

    inbox.refuse = {}
    admin_client.post(
        reverse("admin:core_accountemail_changelist"),
        {"action": "retry_email", "_selected_action": [email.pk]},
    )
    assert account_emails_drain() == 1
    assert len(inbox.wait_for(1)) == 1


# --- notifications and digests: the same rules ---------------------------------------------------------------------


def test_a_notification_refused_for_good_is_not_retried(smtp_at, smtp_server, an_agent, a_manager):
    inbox, port = smtp_server
    inbox.refuse = {"*": "550 5.1.1 No such user here"}
    story = DecisionFactory(author=an_agent)
    recognition.decision_approve(decision=story, manager=a_manager)
    smtp_at(port)

    assert recognition.outbox_drain() == 0

    notification = Notification.objects.get()
    assert (notification.email_status, notification.email_attempts) == ("failed", 1)
    assert "550" in notification.email_error


def test_a_notification_to_a_hanging_server_times_out_and_waits_for_its_retry(
    smtp_at, silent_port, an_agent, a_manager
):
    story = DecisionFactory(author=an_agent)
    recognition.decision_approve(decision=story, manager=a_manager)
    smtp_at(silent_port, timeout=1)

    sent, elapsed = timed(recognition.outbox_drain)

    assert sent == 0 and elapsed < 5
    assert Notification.objects.get().email_status == "pending"


def test_a_digest_refused_for_good_fails_at_once_and_the_others_are_sent(smtp_at, smtp_server):
    inbox, port = smtp_server
    when = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=False):
        week = a_week_to_celebrate(when=when)
    after = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC)
    edition = edition_build(week_start=datetime.date(2026, 11, 16), now=after)
    smtp_at(port)
    refused = week["tom"].email

    inbox.refuse = {refused: "550 5.1.1 No such user here"}
    with time_machine.travel(after, tick=False):
        deliveries_send_pending(edition_id=edition.pk)

    tom = Delivery.objects.get(recipient=week["tom"])
    assert (tom.status, tom.attempts, tom.next_attempt_at) == ("failed", 1, None)
    assert "550" in tom.last_error
    assert refused not in [message["X-Envelope-To"] for message in inbox.wait_for(3)]
    assert Delivery.objects.filter(status="sent").count() == 3


# --- tasks stay inside their time limits ---------------------------------------------------------------------------


def test_the_first_failure_ends_an_outbox_run_so_a_hanging_server_holds_up_one_email_not_all(
    client, smtp_at, silent_port, an_agent
):
    client.post(reverse("account_signup"), SIGN_UP)
    client.post(reverse("account_reset_password"), {"email": an_agent.email})
    smtp_at(silent_port, timeout=1)

    sent, elapsed = timed(account_emails_drain)

    assert sent == 0 and elapsed < 3
    assert sorted(AccountEmail.objects.values_list("email_attempts", flat=True)) == [0, 1]


def test_an_email_stopped_by_the_time_limit_mid_send_is_in_doubt_and_never_resent_on_its_own(client, monkeypatch):
    client.post(reverse("account_signup"), SIGN_UP)

    def stopped(self):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", stopped)
    with pytest.raises(SoftTimeLimitExceeded):
        account_email_send(email_id=AccountEmail.objects.get().pk)

    assert AccountEmail.objects.get().email_status == "sending"
    assert account_emails_drain() == 0


def test_a_digest_sender_stops_between_batches_at_its_deadline():
    when = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=False):
        a_week_to_celebrate(when=when)
    after = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC)
    edition = edition_build(week_start=datetime.date(2026, 11, 16), now=after)

    with time_machine.travel(after, tick=False):
        result = deliveries_send_pending(edition_id=edition.pk, batch_size=2, until=time.monotonic())

    assert (result.sent, result.stopped_early) == (2, True)
    assert Delivery.objects.filter(status="pending").count() == 2


def test_notification_message_ids_are_in_leeways_domain(settings, an_agent, a_manager):
    settings.LEEWAY_BASE_URL = "https://leeway.acme.example"
    story = DecisionFactory(author=an_agent)
    recognition.decision_approve(decision=story, manager=a_manager)

    recognition.outbox_drain()

    (message,) = mail.outbox
    assert message.message()["Message-ID"].endswith("@leeway.acme.example>")
