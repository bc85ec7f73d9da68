"""Notifications: a bell with an unread count, a list, and an email per notification — sent after the transaction
commits, in the recipient's language, at most once, and not at all to those who turned emails off."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.core import outbox
from apps.recognition import services
from apps.recognition.models import Notification

from .factories import CategoryFactory, DecisionFactory, NotificationFactory, ReviewFactory, TeamFactory, agent

pytestmark = pytest.mark.django_db

PENDING, SENDING, SENT, FAILED, SKIPPED = Notification.EmailStatus.values


@pytest.fixture
def pending(an_agent):
    return NotificationFactory(decision__author=an_agent, email_status=PENDING)


def test_the_bell_shows_the_unread_count_with_an_accessible_label(client, an_agent):
    NotificationFactory.create_batch(2, decision__author=an_agent)
    NotificationFactory(decision__author=an_agent, read_at=timezone.now())
    client.force_login(an_agent)

    page = client.get(reverse("home")).content.decode()

    assert 'aria-label="Notifications: 2 unread"' in page
    assert '<span class="bell__count" aria-hidden="true">2</span>' in page


def test_the_list_shows_my_notifications_and_reading_it_clears_the_bell(client, an_agent, a_manager):
    story = DecisionFactory(author=an_agent, approved=True, approved_by=a_manager, action="I waived the late fee.")
    NotificationFactory(decision=story, actor=a_manager, kind="celebrated")
    NotificationFactory(decision__author=agent(TeamFactory()), kind="endorsed")  # someone else's
    client.force_login(an_agent)

    page = client.get(reverse("recognition:notifications")).content.decode()

    assert "Grace Okafor celebrated your story" in page
    assert "I waived the late fee." in page
    assert "notification--unread" in page
    assert page.count('class="notification ') == 1
    assert not Notification.objects.filter(recipient=an_agent, read_at__isnull=True).exists()
    assert "bell__count" not in client.get(reverse("home")).content.decode()


def test_a_review_notification_leads_to_the_review(client, an_agent):
    story = DecisionFactory(author=an_agent)
    ReviewFactory(decision=story)
    NotificationFactory(decision=story, recipient=an_agent, kind="review_opened", actor=None)
    client.force_login(an_agent)

    page = client.get(reverse("recognition:notifications")).content.decode()

    assert reverse("recognition:review", args=[story.pk]) in page


def test_the_email_is_enqueued_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks, an_agent, a_manager
):
    story = DecisionFactory(author=an_agent)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.decision_approve(decision=story, manager=a_manager)

    assert len(callbacks) == 1
    assert Notification.objects.get().email_status == PENDING


def test_nothing_is_enqueued_for_someone_who_turned_emails_off(django_capture_on_commit_callbacks, an_agent, a_manager):
    an_agent.email_notifications = False
    an_agent.save()

    story = DecisionFactory(author=an_agent)  # (making its category forgets stored insights figures, on commit)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.decision_approve(decision=story, manager=a_manager)

    assert callbacks == []
    assert Notification.objects.get().email_status == SKIPPED


def test_the_email_is_in_the_recipients_language_with_links_to_leeway(settings, an_agent, a_manager):
    settings.LEEWAY_BASE_URL = "https://leeway.acme.example"
    an_agent.language = "es"
    an_agent.save()
    category = CategoryFactory(name="Fee waiver", name_es="Exención de cargo", slug="fee-waiver-es")
    story = DecisionFactory(author=an_agent, category=category)
    services.decision_celebrate(decision=story, manager=a_manager, note="Great call, Ana!")

    assert services.notification_email_send(notification_id=Notification.objects.get().pk)

    (email,) = mail.outbox
    html = email.alternatives[0][0]
    assert email.to == ["ana@acme.example"]
    assert "Grace Okafor" in email.subject
    assert email.extra_headers["Content-Language"] == "es"
    assert '<html lang="es">' in html and "Exención de cargo" in html and "Exención de cargo" in email.body
    assert "Great call, Ana!" in email.body and "Great call, Ana!" in html
    assert f"https://leeway.acme.example/stories/{story.pk}/" in email.body
    assert "https://leeway.acme.example/me/profile/" in email.body


def test_an_endorsement_email_quotes_the_comment(team, an_agent):
    story = DecisionFactory(author=an_agent, approved=True)
    services.endorsement_create(decision=story, endorser=agent(team, first_name="Tom"), comment="Smart and kind.")

    services.notification_email_send(notification_id=Notification.objects.get().pk)

    assert "Smart and kind." in mail.outbox[0].body


def test_review_emails_never_carry_the_private_conversation(an_agent, a_manager):
    story = DecisionFactory(author=an_agent)
    services.review_open(decision=story, manager=a_manager, message="Private: what happened with the refund?")

    services.notification_email_send(notification_id=Notification.objects.get().pk)

    (email,) = mail.outbox
    assert "Private: what happened" not in email.body + email.alternatives[0][0]
    assert "A review never lowers anything" in email.body
    assert f"/recognition/decisions/{story.pk}/review/" in email.body


@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_every_kind_of_notification_has_its_email(an_agent, a_manager, kind):
    notification = NotificationFactory(decision__author=an_agent, actor=a_manager, kind=kind, email_status=PENDING)

    assert services.notification_email_send(notification_id=notification.pk)

    (email,) = mail.outbox
    assert email.subject and "\n" not in email.subject
    assert "{%" not in email.body and "{{" not in email.body
    assert email.alternatives[0][1] == "text/html"


def test_an_email_is_never_sent_twice(pending):
    assert services.notification_email_send(notification_id=pending.pk) is True
    assert services.notification_email_send(notification_id=pending.pk) is False
    assert services.outbox_drain() == 0

    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert (pending.email_status, pending.email_attempts) == (SENT, 1)
    assert pending.email_sent_at is not None


def test_turning_emails_off_stops_what_is_still_waiting(pending):
    pending.recipient.email_notifications = False
    pending.recipient.save()

    assert services.outbox_drain() == 0

    assert mail.outbox == []
    pending.refresh_from_db()
    assert pending.email_status == SKIPPED


def test_a_failed_send_goes_back_to_the_outbox_then_gives_up(monkeypatch, pending):
    def refuse(self):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.notification_email_send(notification_id=pending.pk)
    pending.refresh_from_db()
    assert (pending.email_status, pending.email_attempts) == (PENDING, 1)
    assert "SMTPServerDisconnected" in pending.email_error

    Notification.objects.filter(pk=pending.pk).update(email_attempts=outbox.MAX_EMAIL_ATTEMPTS - 1)
    assert services.notification_email_send(notification_id=pending.pk) is False
    pending.refresh_from_db()
    assert pending.email_status == FAILED


def test_the_outbox_sends_what_is_waiting_and_leaves_recent_retries_alone(pending, an_agent):
    retried_just_now = NotificationFactory(
        decision__author=an_agent, email_status=PENDING, email_attempts=1, email_claimed_at=timezone.now()
    )
    stuck = NotificationFactory(
        decision__author=an_agent,
        email_status=SENDING,
        email_claimed_at=timezone.now() - datetime.timedelta(hours=2),
    )

    assert services.outbox_drain() == 1

    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=pending.pk).email_status == SENT
    assert Notification.objects.get(pk=retried_just_now.pk).email_status == PENDING
    # A worker died while sending it: it might have gone out, so it is not sent again.
    assert Notification.objects.get(pk=stuck.pk).email_status == FAILED


def test_the_beat_schedule_drains_the_outbox_every_minute_and_a_backlog_expires():
    from config.beat import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["recognition-drain-outbox"]
    assert entry["task"] == "recognition.drain_outbox"
    assert entry["options"]["expires"] < entry["schedule"]


def test_the_outbox_waits_longer_after_each_failed_attempt(pending):
    now = timezone.now()
    Notification.objects.filter(pk=pending.pk).update(
        email_attempts=3, email_claimed_at=now - datetime.timedelta(minutes=20)
    )

    assert services.outbox_drain() == 0  # the third failure asks for 32 minutes of patience

    Notification.objects.filter(pk=pending.pk).update(email_claimed_at=now - datetime.timedelta(minutes=33))
    assert services.outbox_drain() == 1
    assert outbox.outbox_retry_after(1) == datetime.timedelta(minutes=2)
    assert outbox.outbox_retry_after(4) == datetime.timedelta(minutes=128)
