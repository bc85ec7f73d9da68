"""The leaderboard pages: people and teams, by period, scope, skill and channel, with the formula in plain words."""

import datetime

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse

from apps.decisions.models import Channel
from apps.leaderboards.models import Standing
from tests.factories import DecisionFactory, EndorsementFactory, TeamFactory, agent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 18, 12, tzinfo=UTC)


@pytest.fixture
def board(db):
    billing, returns = TeamFactory(name="Billing"), TeamFactory(name="Returns")
    ana = agent(billing, first_name="Ana", last_name="García")
    tom = agent(returns, first_name="Tom", last_name="Becker")
    shy = agent(billing, first_name="Shy", last_name="Person", show_on_leaderboards=False)
    with time_machine.travel(NOW, tick=False):
        story = DecisionFactory(author=ana, celebrated=True, channel=Channel.CHAT)
        DecisionFactory(author=tom, approved=True, channel=Channel.PHONE)
        DecisionFactory(author=shy, celebrated=True)
        EndorsementFactory(decision=story, endorser=tom)
    return {"ana": ana, "tom": tom, "shy": shy, "billing": billing, "returns": returns}


def get(client, name="leaderboards:index", **params) -> str:
    """The page's main content (the top bar names the reader too)."""
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        page = client.get(reverse(name), params).content.decode()
    return page[page.index('<main id="main"') :]


def test_the_people_board_ranks_this_weeks_points_and_explains_the_formula(client, board):
    client.force_login(board["tom"])

    page = get(client)

    assert page.index("Ana García") < page.index("Tom Becker")
    assert "Shy Person" not in page
    assert "for each of your stories a manager approves" in page
    assert "Giving endorsements earns nothing, money spent never counts, and a review never takes points away." in page
    assert "<caption" in page and 'scope="col"' in page


def test_it_shows_where_the_reader_stands(client, board):
    client.force_login(board["tom"])

    assert '<span class="standing__rank">#2</span> with 15 points' in get(client)


def test_a_person_who_opted_out_is_told_so(client, board):
    client.force_login(board["shy"])

    assert "You chose not to appear on leaderboards." in get(client)


def test_the_board_narrows_to_a_team_and_a_channel(client, board):
    client.force_login(board["ana"])

    by_team = get(client, scope=f"team-{board['returns'].pk}")
    by_channel = get(client, channel="chat")

    assert "Tom Becker" in by_team and "Ana García" not in by_team
    assert "Ana García" in by_channel and "Tom Becker" not in by_channel


def test_the_team_board_and_other_periods(client, board):
    client.force_login(board["ana"])

    teams = get(client, "leaderboards:teams")
    all_time = get(client, period="all-time")
    last_week = get(client, period="last-week")

    assert teams.index("Billing") < teams.index("Returns")
    assert "Ana García" in all_time
    assert "No points yet in this period" in last_week


def test_unknown_filters_fall_back_to_the_default_board(client, board):
    client.force_login(board["ana"])

    page = get(client, period="forever", scope="team-999999", category="nope", channel="pigeon")

    assert "Ana García" in page
    for scope in ("team-²", "team-" + "9" * 30, "department-x"):
        assert "Ana García" in get(client, scope=scope)


def test_points_are_grouped_as_the_reader_writes_numbers(client, board):
    client.force_login(board["tom"])
    get(client)  # the week's snapshot is worked out
    Standing.objects.filter(person__isnull=False).update(score=F("score") + 12000)

    page = get(client)

    assert "with 12,015 points" in page and "<strong>12,015</strong>" in page and "12015" not in page
