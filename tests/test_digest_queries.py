"""Building and sending the week's digests and the leaderboards cost a fixed number of queries, however many people
there are (sending: one statement per email)."""

import datetime

import pytest
import time_machine
from django.core import mail

from apps.digests.services import deliveries_send_pending, edition_build
from apps.leaderboards.services import leaderboards_refresh
from tests.factories import DecisionFactory, EndorsementFactory, TeamFactory, TrustStatementFactory, agent, manager

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest of week 47 goes out on Monday at 08:00
# Pinned: a change here means building now depends on the data's size, or a query was added on purpose.
# (Django skips a query whose IN list is empty, so a week with no badge at all runs one query fewer.)
BUILD_QUERIES = 48  # three of them tell managers how many of their agents earned a raised limit; one asks which
# chat channels want the summary (apps/integrations); one reads the score source version
# (apps.leaderboards.models.ScoreSource); two write the week's standings (people's and teams', each overall, per
# category and per channel at once)
REFRESH_QUERIES = 144  # one score source version read per snapshot (badges are awarded apart, hourly);
# this first refresh also computes, once, every month since the first story (quarters and all time add up months),
# and writes each snapshot's standings (two statements). A month adds a fixed number; people add none.
# Sending: per batch, claim it (a savepoint, the locking SELECT, the UPDATE, the release), read it, the readers'
# situations (three), the organisation's name and the statement recording the last email as sent (10); then one
# claim that finds nothing left (3). Plus one statement per email, which starts it, records the one before as sent
# and renews the batch's lease (before: three statements, the reader's situation and the organisation, ~6 per email).
SEND_BATCH_QUERIES = 13
# A page of the board: the session, the reader, the board's reads and the bell (the reader's roles come from the
# cache once read).
PAGE_QUERIES = 11


def an_organisation_with(people_per_team: int) -> None:
    with time_machine.travel(WHEN, tick=False):
        for name in ("Billing", "Returns"):
            team = TeamFactory(name=name)
            boss = manager(team)
            people = [agent(team) for _ in range(people_per_team)]
            TrustStatementFactory(team=team, author=boss)
            for i, person in enumerate(people):
                story = DecisionFactory(
                    author=person, celebrated=i % 2 == 0, approved=i % 2 == 1, approved_by=boss, approved_at=WHEN
                )
                for colleague in (people[i - 1], people[i - 2]):
                    EndorsementFactory(decision=story, endorser=colleague, created_at=WHEN)


@pytest.mark.parametrize("people_per_team", [3, 12])
def test_building_a_week_runs_a_fixed_number_of_queries(people_per_team, django_assert_num_queries):
    an_organisation_with(people_per_team)

    with django_assert_num_queries(BUILD_QUERIES):
        edition = edition_build(week_start=WEEK, now=AFTER)

    assert edition.deliveries.count() == 2 * (people_per_team + 1)


@pytest.mark.parametrize("people_per_team", [3, 12])
def test_sending_a_week_runs_one_statement_per_email_and_a_fixed_number_per_batch(
    people_per_team, django_assert_num_queries
):
    an_organisation_with(people_per_team)
    edition = edition_build(week_start=WEEK, now=AFTER)
    recipients = 2 * (people_per_team + 1)

    with django_assert_num_queries(SEND_BATCH_QUERIES + recipients):
        result = deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    assert result.sent == recipients == len(mail.outbox)


@pytest.mark.parametrize("people_per_team", [3, 12])
def test_refreshing_the_leaderboards_runs_a_fixed_number_of_queries(people_per_team, django_assert_num_queries):
    an_organisation_with(people_per_team)

    with django_assert_num_queries(REFRESH_QUERIES), time_machine.travel(AFTER, tick=False):
        leaderboards_refresh()


def test_reading_a_leaderboard_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    an_organisation_with(12)
    reader = agent(TeamFactory())
    client.force_login(reader)
    with time_machine.travel(AFTER, tick=False):
        leaderboards_refresh()
        client.get("/leaderboards/")  # sessions, caches

        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get("/leaderboards/")

    assert response.status_code == 200
