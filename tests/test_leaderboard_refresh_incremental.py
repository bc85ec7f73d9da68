"""The periodic leaderboard refresh recomputes only what may have changed: a tick with nothing new keeps every row and
runs a handful of small queries, and any write that counts (a story, an endorsement given or taken back) is seen."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.leaderboards.models import Period, Row, Snapshot
from apps.leaderboards.selectors import rank
from apps.leaderboards.services import leaderboards_refresh
from apps.recognition.services import endorsement_delete
from tests.factories import DecisionFactory, EndorsementFactory, TeamFactory, agent

pytestmark = pytest.mark.django_db


def all_time_points() -> dict[int, int]:
    snapshot = Snapshot.objects.get(period=Period.ALL)
    return {entry.person_id: entry.score for entry in rank(snapshot_id=snapshot.pk)}


def test_a_tick_with_nothing_new_keeps_the_rows_and_moves_only_the_end():
    team = TeamFactory()
    ana, bo = agent(team), agent(team)
    story = DecisionFactory(author=ana, approved=True)
    EndorsementFactory(decision=story, endorser=bo)
    leaderboards_refresh()
    rows_before = set(Row.objects.values_list("pk", flat=True))
    all_time_end = Snapshot.objects.get(period=Period.ALL).end

    later = timezone.now() + datetime.timedelta(minutes=2)
    with CaptureQueriesContext(connection) as queries:
        leaderboards_refresh(now=later)

    assert set(Row.objects.values_list("pk", flat=True)) == rows_before  # nothing deleted, nothing inserted
    assert not [q for q in queries if "INSERT INTO" in q["sql"] and "leaderboards_row" in q["sql"]]
    assert Snapshot.objects.get(period=Period.ALL).end == later > all_time_end
    assert len(queries) < 40


def test_a_new_story_an_endorsement_and_an_endorsement_taken_back_are_each_counted_at_the_next_tick():
    team = TeamFactory()
    ana, bo = agent(team), agent(team)
    DecisionFactory(author=ana, approved=True)
    leaderboards_refresh()
    first = all_time_points()[ana.pk]

    second = DecisionFactory(author=ana, approved=True)
    leaderboards_refresh()
    after_story = all_time_points()[ana.pk]
    assert after_story > first

    EndorsementFactory(decision=second, endorser=bo)
    leaderboards_refresh()
    after_endorsement = all_time_points()[ana.pk]
    assert after_endorsement > after_story

    endorsement_delete(decision=second, endorser=bo)
    leaderboards_refresh()
    assert all_time_points()[ana.pk] == after_story
