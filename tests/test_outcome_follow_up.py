"""Outcome follow-up: after approval the author or their manager confirms or corrects what became of the customer;
the story keeps the latest outcome and its history, and 30 days on the author is reminded once."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from apps.decisions.models import Decision, Outcome, OutcomeChange
from apps.insights.filters import Window
from apps.insights.selectors import ledger
from apps.org.models import Organisation
from apps.recognition import services
from apps.recognition.models import Notification
from tests.factories import DecisionFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def story(team, an_agent, a_manager):
    with time_machine.travel(NOW - datetime.timedelta(days=30, hours=1), tick=False):
        return DecisionFactory(author=an_agent, approved=True, approved_by=a_manager, outcome=Outcome.TOO_EARLY)


def record(client, user, decision, outcome):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("decisions:outcome", args=[decision.pk]), {"outcome": outcome}, follow=True)


def test_the_author_confirms_and_the_manager_corrects_and_the_story_keeps_both(client, story, an_agent, a_manager):
    page = record(client, an_agent, story, Outcome.RETAINED).content.decode()
    assert "Thanks: the outcome is corrected" in page
    assert "Ana García corrected Too early to tell to Customer retained" in page

    page = record(client, a_manager, story, Outcome.RETAINED).content.decode()
    assert "Thanks: the outcome is confirmed." in page
    assert "Grace Okafor confirmed: Customer retained" in page

    story.refresh_from_db()
    assert story.outcome == Outcome.RETAINED
    assert [(c.previous, c.outcome) for c in OutcomeChange.objects.filter(decision=story)] == [
        ("too_early", "retained"),
        ("retained", "retained"),
    ]


def test_the_ledger_counts_the_latest_outcome(client, story, a_manager, team):
    org = Organisation.current()
    window = Window("month", datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
    assert ledger(org=org, team_ids=[team.pk], window=window).totals.retained == 0

    record(client, a_manager, story, Outcome.DELIGHTED)

    assert ledger(org=org, team_ids=[team.pk], window=window).totals.retained == 1


def test_nobody_else_records_an_outcome_and_nobody_before_approval(client, story, team, an_agent):
    colleague, other_manager = agent(team), manager(TeamFactory())
    assert record(client, colleague, story, Outcome.LOST).status_code == 403
    assert record(client, other_manager, story, Outcome.LOST).status_code == 403

    waiting = DecisionFactory(author=an_agent)
    assert record(client, an_agent, waiting, Outcome.LOST).status_code == 403
    client.force_login(an_agent)
    assert (
        "What became of the customer?"
        not in client.get(reverse("decisions:detail", args=[waiting.pk])).content.decode()
    )
    assert Decision.objects.get(pk=story.pk).outcome == Outcome.TOO_EARLY


def test_a_made_up_outcome_is_refused_next_to_the_field(client, story, an_agent):
    page = record(client, an_agent, story, "bankrupt").content.decode()

    assert "Select a valid choice." in page
    assert not OutcomeChange.objects.exists()


def test_thirty_days_on_the_author_is_reminded_once_in_the_app_and_by_email(client, story, an_agent):
    with time_machine.travel(NOW, tick=False):
        assert services.outcome_reminders_send() == 1
        assert services.outcome_reminders_send() == 0
        services.outbox_drain()

    (notification,) = Notification.objects.filter(recipient=an_agent)
    assert notification.kind == Notification.Kind.OUTCOME_REMINDER
    (email,) = mail.outbox
    assert email.subject == "A month on: did the customer stay?"
    assert reverse("decisions:detail", args=[story.pk]) in email.body
    client.force_login(an_agent)
    assert "A month on: did the customer stay?" in client.get(reverse("recognition:notifications")).content.decode()


def test_no_reminder_when_the_outcome_is_final_too_young_or_switched_off(client, story, an_agent, a_manager):
    young = DecisionFactory(author=an_agent, approved=True, approved_by=a_manager, created_at=NOW)
    with time_machine.travel(NOW, tick=False):
        services.outcome_reminders_send(now=NOW - datetime.timedelta(hours=2))  # 29 days and 23 hours
        assert not Notification.objects.exists()

    record(client, an_agent, story, Outcome.LOST)
    assert services.outcome_reminders_send(now=NOW) == 0

    an_agent.outcome_reminders = False
    an_agent.save()
    OutcomeChange.objects.all().delete()
    assert services.outcome_reminders_send(now=NOW) == 0
    assert young.outcome_reminded_at is None


def test_a_story_confirmed_as_too_early_is_still_followed_up(client, story, an_agent):
    record(client, an_agent, story, Outcome.TOO_EARLY)

    assert services.outcome_reminders_send(now=NOW) == 1


def test_reminders_can_be_switched_off_in_the_profile(client, an_agent):
    client.force_login(an_agent)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Remind me, 30 days after a story, to say whether the customer stayed" in page
