"""`seed_demo` gives the insights something to show: a manager who lets stories wait, a manager whose trust
statements lapsed, a category whose limit is too low, a quiet agent, and outcomes followed up a month on."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.decisions.models import Decision, OutcomeChange
from apps.insights.filters import Window
from apps.insights.selectors import calibration, courage_and_reach, earned_autonomy, managers_on_board
from apps.org.models import Organisation, Team
from apps.recognition.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The rows are read in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


def test_the_demo_has_something_for_every_insights_page():
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115 (safe to run twice)
    now, today = timezone.now(), timezone.localdate()
    org, teams = Organisation.current(), list(Team.objects.values_list("pk", flat=True))
    window = Window("quarter", today - datetime.timedelta(days=80), today + datetime.timedelta(days=1))

    attention = managers_on_board(org=org, team_ids=teams, window=window, now=now).attention.rows
    assert sum(1 for what, where, _ in attention if "waited" in what and where.startswith("Orders & Returns")) >= 3
    assert ["Every trust statement has lapsed", "Priya Raman", ""] in attention

    replacement = next(
        c for c in calibration(org=org, team_ids=teams, window=window, team_id=None).categories
        if c.category.slug == "replacement"
    )  # fmt: skip
    assert replacement.suggested > replacement.limit

    grace = User.objects.get(first_name="Grace")
    offers = earned_autonomy(org=org, team_ids=teams, now=now).seen_by(grace).offers
    assert ("Tom", "fee-waiver") in {
        (o.agent_name.split()[0], "fee-waiver") for o in offers if o.category == "Fee waiver"
    }
    sanne = User.objects.get(first_name="Sanne")
    quiet = courage_and_reach(org=org, team_ids=teams, window=window, now=now).seen_by(sanne).quiet
    assert any(person.name == "Ravi Patel" and person.not_logged for person in quiet)

    ravi = User.objects.get(first_name="Ravi")
    assert not Decision.objects.filter(author=ravi).exists()
    assert OutcomeChange.objects.filter(outcome="lost").exists()
    assert Notification.objects.filter(kind=Notification.Kind.OUTCOME_REMINDER, recipient__first_name="Ana").exists()
