"""`manage.py send_digests --week 2026-W47 [--dry-run]`: backfills and checks."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from apps.digests.models import Delivery, Edition
from apps.leaderboards.models import Snapshot
from tests.factories import a_week_to_celebrate

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
LATER = datetime.datetime(2026, 11, 25, 9, tzinfo=UTC)


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        return a_week_to_celebrate(when=WHEN)


def run(*args) -> str:
    out = io.StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_previews_the_week_and_changes_nothing(week):
    output = run("--week", "2026-W47", "--dry-run")

    assert "2026-W47" in output
    assert "Billing & Accounts" in output and "celebrated 1" in output
    assert "emails: 4 would be sent" in output
    assert "Dry run: nothing was saved or sent." in output
    assert not Edition.objects.exists() and not Snapshot.objects.exists()
    assert mail.outbox == []


def test_it_builds_a_past_week_and_sends_what_is_missing(week):
    output = run("--week", "2026-W47")
    again = run("--week", "2026-W47")

    assert "4 sent" in output and "0 sent" in again
    assert len(mail.outbox) == 4
    assert Delivery.objects.filter(status="sent").count() == 4


@pytest.mark.parametrize("week_name", ["2026-47", "W47", "2026-W54"])
def test_it_refuses_a_week_that_is_not_an_iso_week(db, week_name):
    with pytest.raises(CommandError):
        run("--week", week_name)


def test_it_refuses_to_send_a_week_whose_digest_time_has_not_come(db):
    with pytest.raises(CommandError, match="has not come yet"):
        run("--week", "2026-W49")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_it_refuses_a_week_before_leeway_was_in_use_and_sends_nothing(week, dry_run):
    with pytest.raises(CommandError, match="before Leeway was in use"):
        run("--week", "1900-W01", *dry_run)

    assert not Edition.objects.exists()
    assert mail.outbox == []


def test_a_dry_run_refuses_a_future_week_as_the_real_run_does(week):
    with pytest.raises(CommandError, match="has not come yet"):
        run("--week", "2026-W49", "--dry-run")
