"""Sending the weekly emails: exactly once in effect, retried with backoff when SMTP fails, in each person's language,
with a one-click unsubscribe."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from apps.digests import services
from apps.digests.models import Delivery, Edition
from apps.digests.services import deliveries_send_pending, digests_dispatch_due, edition_build
from tests.factories import a_week_to_celebrate, agent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest of week 47 goes out on Monday at 08:00


class DownBackend(EmailBackend):
    """An SMTP server that refuses connections."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")


class FlakyBackend(EmailBackend):
    """The test outbox, except that the addresses in `refuse` are refused (as by a real server), and connections
    are counted."""

    refuse: dict[str, int] = {}
    opened = 0

    def open(self):
        FlakyBackend.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if FlakyBackend.refuse.get(address, 0) > 0:
                    FlakyBackend.refuse[address] -= 1
                    raise smtplib.SMTPRecipientsRefused({address: (450, b"Mailbox busy, try later")})
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.test_digest_sending.FlakyBackend"
    FlakyBackend.refuse, FlakyBackend.opened = {}, 0
    return FlakyBackend


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        return a_week_to_celebrate(when=WHEN)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_running_the_weekly_job_twice_sends_each_person_one_email(week):
    with time_machine.travel(AFTER, tick=False):
        for _ in range(2):
            for edition_id in digests_dispatch_due():
                deliveries_send_pending(edition_id=edition_id)

    people = [week[name].email for name in ("ana", "tom", "mei", "manager")]
    assert recipients() == sorted(people)
    assert Edition.objects.count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_crash_in_the_middle_never_sends_twice_and_a_later_run_sends_what_is_missing(week):
    edition = edition_build(week_start=WEEK, now=AFTER)
    ana, tom, mei = (Delivery.objects.get(recipient=week[name]) for name in ("ana", "tom", "mei"))
    # A worker died: Ana's email was sent, Tom's was on the wire, Mei's was claimed but not started.
    Delivery.objects.filter(pk=ana.pk).update(status="sent", sent_at=AFTER)
    Delivery.objects.filter(pk=tom.pk).update(status="sending", claimed_at=AFTER, attempts=1)
    Delivery.objects.filter(pk=mei.pk).update(status="claimed", claimed_at=AFTER)

    with time_machine.travel(AFTER + datetime.timedelta(minutes=20), tick=False):
        for edition_id in digests_dispatch_due():
            deliveries_send_pending(edition_id=edition_id)

    assert recipients() == sorted([week["mei"].email, week["manager"].email])
    tom.refresh_from_db()
    assert tom.status == "failed" and "not sent again" in tom.last_error
    assert edition.deliveries.filter(status="sent").count() == 3


def test_a_failed_send_is_retried_later_and_the_others_are_not_sent_again(week, flaky):
    flaky.refuse = {week["tom"].email: 1}
    edition = edition_build(week_start=WEEK, now=AFTER)

    with time_machine.travel(AFTER, tick=False):
        first = deliveries_send_pending(edition_id=edition.pk)
        waiting = services.next_retry_in(edition_id=edition.pk)
    with time_machine.travel(AFTER + datetime.timedelta(seconds=30), tick=False):
        too_early = deliveries_send_pending(edition_id=edition.pk)
    with time_machine.travel(AFTER + datetime.timedelta(seconds=61), tick=False):
        second = deliveries_send_pending(edition_id=edition.pk)

    assert (first.sent, first.failed, too_early.claimed, second.sent) == (3, 1, 0, 1)
    assert waiting == services.RETRY_BASE_SECONDS
    assert recipients().count(week["tom"].email) == 1
    assert len(mail.outbox) == 4
    tom = Delivery.objects.get(recipient=week["tom"])
    assert (tom.status, tom.attempts) == ("sent", 2)


def test_after_the_last_attempt_a_delivery_stays_failed_with_its_error(week, flaky):
    flaky.refuse = {week["tom"].email: 99}
    edition = edition_build(week_start=WEEK, now=AFTER)

    moment = AFTER
    for _ in range(services.MAX_ATTEMPTS + 2):
        with time_machine.travel(moment, tick=False):
            deliveries_send_pending(edition_id=edition.pk)
        moment += datetime.timedelta(hours=1)

    tom = Delivery.objects.get(recipient=week["tom"])
    assert (tom.status, tom.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert "Mailbox busy" in tom.last_error
    assert services.next_retry_in(edition_id=edition.pk) is None


def test_a_batch_is_sent_over_one_connection(week, flaky):
    for _ in range(6):
        agent(week["team"])
    edition = edition_build(week_start=WEEK, now=AFTER)

    deliveries_send_pending(edition_id=edition.pk, batch_size=5, now=AFTER)

    assert len(mail.outbox) == 10
    assert flaky.opened == 2  # two batches of five


def test_an_opted_out_person_gets_nothing(week):
    week["mei"].email_digest = False
    week["mei"].save()
    edition = edition_build(week_start=WEEK, now=AFTER)
    # Tom opts out after the week was built, before his email went.
    week["tom"].email_digest = False
    week["tom"].save()

    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    assert recipients() == sorted([week["ana"].email, week["manager"].email])
    assert not Delivery.objects.filter(recipient=week["mei"]).exists()
    assert Delivery.objects.get(recipient=week["tom"]).status == "skipped"


def test_a_deactivated_person_gets_nothing(week):
    week["mei"].is_active = False
    week["mei"].save()

    edition = edition_build(week_start=WEEK, now=AFTER)
    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    assert week["mei"].email not in recipients()


def test_a_spanish_speaking_person_gets_the_email_in_spanish(week):
    edition = edition_build(week_start=WEEK, now=AFTER)
    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    [email] = [m for m in mail.outbox if m.to == [week["ana"].email]]
    [html] = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    assert email.extra_headers["Content-Language"] == "es"
    assert email.subject == "Billing & Accounts, semana 47: 1 historia celebrada"
    assert "Hola, Ana," in email.body and "Celebradas esta semana" in html
    assert '<html lang="es">' in html
    # The category is shown with its Spanish name, which the admin typed (no catalogue needed).
    assert "Exención de cargos" in html and "Exención de cargos" in email.body
    [english] = [m for m in mail.outbox if m.to == [week["tom"].email]]
    assert english.extra_headers["Content-Language"] == "en"
    assert english.subject == "Billing & Accounts, week 47: 1 story celebrated"
    assert "Fee waiver" in english.body


def test_every_email_has_html_text_links_into_the_app_and_a_one_click_unsubscribe(week, settings):
    settings.LEEWAY_BASE_URL = "https://leeway.acme.example"
    edition = edition_build(week_start=WEEK, now=AFTER)
    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    [email] = [m for m in mail.outbox if m.to == [week["tom"].email]]
    [html] = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    digest = Delivery.objects.get(recipient=week["tom"]).digest
    assert email.subject == "Billing & Accounts, week 47: 1 story celebrated"
    assert f"https://leeway.acme.example/digests/{digest.pk}/" in email.body
    assert f'href="https://leeway.acme.example/digests/{digest.pk}/"' in html
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://leeway.acme.example/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"][1:-1] in email.body


def test_admins_see_what_finally_failed_and_can_try_it_again(week, flaky, client):
    flaky.refuse = {week["tom"].email: 99}
    edition = edition_build(week_start=WEEK, now=AFTER)
    moment = AFTER
    for _ in range(services.MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            deliveries_send_pending(edition_id=edition.pk)
        moment += datetime.timedelta(hours=1)
    admin = agent(week["team"], is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get("/admin/digests/delivery/", {"status__exact": "failed"}).content.decode()
    tom = Delivery.objects.get(recipient=week["tom"])
    client.post("/admin/digests/delivery/", {"action": "retry", "_selected_action": [tom.pk]})

    assert "Tom Becker" in listing and "Mailbox busy" in listing
    tom.refresh_from_db()
    assert (tom.status, tom.attempts) == ("pending", 0)


def test_an_smtp_server_that_is_down_counts_each_attempt_and_backs_off(week, settings):
    settings.EMAIL_BACKEND = "tests.test_digest_sending.DownBackend"
    edition = edition_build(week_start=WEEK, now=AFTER)

    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    delivery = Delivery.objects.filter(recipient=week["tom"]).get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at > AFTER and "Connection refused" in delivery.last_error


def test_the_situations_read_for_a_whole_batch_are_each_readers_own():
    """The sender reads where every reader of a batch stands at once: each still gets their own words."""
    from apps.digests.selectors import reader_situations
    from tests.factories import DecisionFactory, ReviewFactory, TeamFactory, admin, manager

    billing, returns = TeamFactory(name="Billing"), TeamFactory(name="Returns")
    lead, deputy = manager(billing, returns), manager(billing)
    ana, tom, director = agent(billing), agent(returns), admin()
    with time_machine.travel(WHEN, tick=False):
        DecisionFactory(author=ana, created_at=WHEN - datetime.timedelta(days=3))
        DecisionFactory(author=ana)
        DecisionFactory(author=tom)
        ReviewFactory(decision=DecisionFactory(author=tom))  # in a review: waits for nobody
        DecisionFactory(author=tom, approved=True, approved_by=lead)
        DecisionFactory(author=lead, team=billing)  # the lead's own story is not in the lead's queue
        situations = reader_situations(user_ids=[p.pk for p in (lead, deputy, ana, tom, director)])

    def brief(person):
        situation = situations[person.pk]
        return situation["role"], situation["waiting"], situation["queue"]

    assert brief(lead) == ("manager", 1, 3)
    assert brief(deputy) == ("manager", 0, 3)
    assert brief(ana) == ("agent", 2, 0)
    assert brief(tom) == ("agent", 1, 0)
    assert brief(director) == ("reader", 0, 0)
    assert situations[ana.pk]["waiting_since"] == WHEN - datetime.timedelta(days=3)


def test_an_email_that_cannot_be_written_waits_for_its_next_attempt_and_the_others_go(week, monkeypatch):
    from apps.digests import emails

    edition = edition_build(week_start=WEEK, now=AFTER)
    signed = emails.unsubscribe_url

    def unsubscribe_url(user):
        if user == week["tom"]:
            raise ValueError("No key to sign Tom's link with")
        return signed(user)

    monkeypatch.setattr(emails, "unsubscribe_url", unsubscribe_url)
    result = deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    assert (result.sent, result.failed) == (3, 1)
    assert week["tom"].email not in recipients() and len(mail.outbox) == 3
    tom = Delivery.objects.get(recipient=week["tom"])
    assert (tom.status, tom.attempts) == ("pending", 1)
    assert tom.next_attempt_at > AFTER and "No key to sign" in tom.last_error
    assert set(Delivery.objects.exclude(pk=tom.pk).values_list("status", flat=True)) == {"sent"}


def test_a_digest_whose_readers_span_two_batches_is_written_once_in_each_language(week, monkeypatch):
    from apps.digests import emails

    for _ in range(4):
        agent(week["team"])
    edition = edition_build(week_start=WEEK, now=AFTER)
    written, render = [], emails.render_email

    def render_email(*args, **kwargs):
        written.append(kwargs["recipient"].language)
        return render(*args, **kwargs)

    monkeypatch.setattr(emails, "render_email", render_email)
    deliveries_send_pending(edition_id=edition.pk, batch_size=3, now=AFTER)

    assert len(mail.outbox) == 8  # in three batches, all of one digest
    assert sorted(written) == ["en", "es"]


def test_a_digest_changed_between_two_batches_is_rendered_again_for_the_next(week):
    """A person erased while a week is being sent is taken out of every digest: the emails of the batches after it
    must not be made from a rendering kept from before."""
    import json

    for _ in range(4):
        agent(week["team"])
    edition = edition_build(week_start=WEEK, now=AFTER)
    presented: dict = {}
    services.deliveries_send_batch(edition_id=edition.pk, batch_size=4, now=AFTER, presented=presented)
    digest = Delivery.objects.filter(status="pending").first().digest
    old_text = "I waived the late fee after our payment page failed."
    assert old_text in json.dumps(digest.content)
    digest.content = json.loads(json.dumps(digest.content).replace(old_text, "[removed]"))
    digest.save(update_fields=["content"])

    services.deliveries_send_batch(edition_id=edition.pk, batch_size=4, now=AFTER, presented=presented)

    first, second = mail.outbox[:4], mail.outbox[4:]
    assert len(second) == 4 and all(old_text in email.body for email in first if email.to != [week["ana"].email])
    assert not any(old_text in email.body for email in second)


def test_a_batch_sent_on_its_own_renders_afresh(week):
    edition = edition_build(week_start=WEEK, now=AFTER)

    result = services.deliveries_send_batch(edition_id=edition.pk, now=AFTER)

    assert result.sent == len(mail.outbox) == 4
