"""The leaderboard score: what earns points, what never does, caps, ties and who never appears."""

import datetime
from decimal import Decimal

import pytest

from apps.decisions.models import Channel, Decision
from apps.leaderboards import scoring
from apps.leaderboards.models import Period, Snapshot
from apps.leaderboards.selectors import DEPARTMENT, PEOPLE, TEAM, TEAMS, rank
from apps.leaderboards.services import snapshot_for_calendar
from apps.org.models import Organisation
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    EndorsementFactory,
    ReviewFactory,
    TeamFactory,
    agent,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY = datetime.date(2026, 11, 16)  # ISO week 2026-W47
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10) -> datetime.datetime:
    """A moment in week 47: day 0 is Monday 16 November 2026."""
    return datetime.datetime.combine(MONDAY + datetime.timedelta(days=day), datetime.time(hour), tzinfo=UTC)


def story(author, *, when=None, celebrated=False, **fields) -> Decision:
    when = when or at(1)
    if celebrated:
        return DecisionFactory(author=author, celebrated=True, approved_at=when, celebrated_at=when, **fields)
    return DecisionFactory(author=author, approved=True, approved_at=when, **fields)


def endorse(decision, endorser=None, *, when=None):
    extra = {"endorser": endorser} if endorser else {}
    return EndorsementFactory(decision=decision, created_at=when or at(2), **extra)


def week_board(board=PEOPLE, *, period=Period.WEEK, starts_on=MONDAY, now=NOW, **filters):
    snapshot = snapshot_for_calendar(period=period, starts_on=starts_on, now=now)
    return rank(snapshot_id=snapshot.pk, board=board, **filters)


def scores(entries) -> dict[str, int]:
    return {e.name: e.score for e in entries}


@pytest.fixture
def team():
    return TeamFactory()


def test_it_scores_stories_celebrations_a_first_story_and_endorsements_by_the_documented_formula(team):
    ana = agent(team, first_name="Ana", last_name="García")
    earlier = story(ana, when=at(-30))  # her first story, a month ago: not this week
    approved = story(ana, when=at(1))
    celebrated = story(ana, when=at(2), celebrated=True)
    tom = agent(team, first_name="Tom", last_name="Becker")
    first = story(tom, when=at(3))
    colleague = agent(team)
    endorse(approved, colleague)
    endorse(celebrated, colleague)
    endorse(celebrated)
    endorse(earlier, when=at(-29))  # last month: not this week

    entries = week_board()

    assert scores(entries) == {
        "Ana García": 2 * scoring.POINTS_PER_STORY
        + scoring.POINTS_PER_CELEBRATION
        + 3 * scoring.POINTS_PER_ENDORSEMENT
        + 2 * scoring.POINTS_PER_COLLEAGUE,
        "Tom Becker": scoring.POINTS_PER_STORY + scoring.POINTS_FOR_FIRST_STORY,
    }
    ana_entry = entries[0]
    assert (ana_entry.stories, ana_entry.celebrations, ana_entry.endorsements, ana_entry.colleagues) == (2, 1, 3, 2)
    assert first.author == tom and entries[1].first_stories == 1


def test_money_never_counts(team):
    cheap, costly = agent(team, first_name="Cheap"), agent(team, first_name="Costly")
    story(cheap, cost=Decimal("0.00"))
    story(costly, cost=Decimal("4999.00"))

    entries = week_board()

    assert [e.rank for e in entries] == [1, 1]
    assert len({e.score for e in entries}) == 1


def test_a_review_never_subtracts(team):
    reviewed, calm = agent(team, first_name="Reviewed"), agent(team, first_name="Calm")
    ReviewFactory(decision=story(reviewed))
    story(calm)

    assert len(set(scores(week_board()).values())) == 1


def test_giving_endorsements_earns_nothing(team):
    author, generous = agent(team, first_name="Author"), agent(team, first_name="Generous")
    for _ in range(3):
        endorse(story(author), generous)

    assert "Generous" not in {e.first_name for e in week_board()}


def test_equal_scores_share_a_rank_and_the_next_rank_skips(team):
    a, b, c = (agent(team, first_name=name, last_name="") for name in ("Alba", "Bo", "Cy"))
    for person in (a, b):
        story(person, when=at(-40))
        story(person)
        story(person)
    story(c, when=at(-40))
    story(c)

    entries = week_board()

    assert [(e.name, e.rank) for e in entries] == [("Alba", 1), ("Bo", 1), ("Cy", 3)]


def test_one_colleagues_endorsements_of_the_same_person_count_up_to_the_monthly_cap(team):
    author, fan = agent(team, first_name="Author"), agent(team)
    story(author, when=at(-60))
    for day in range(5):  # five endorsements in November, one a day
        endorse(story(author, when=at(-20)), fan, when=at(day - 12))
    december = datetime.date(2026, 12, 1)
    endorse(story(author, when=at(-20)), fan, when=datetime.datetime(2026, 12, 2, 9, tzinfo=UTC))

    november = week_board(period=Period.MONTH, starts_on=datetime.date(2026, 11, 1))
    next_month = week_board(period=Period.MONTH, starts_on=december, now=datetime.datetime(2026, 12, 3, tzinfo=UTC))

    assert november[0].endorsements == scoring.PAIR_MONTHLY_CAP
    assert november[0].colleagues == 1
    assert next_month[0].endorsements == 1


def test_a_weeks_board_counts_the_monthly_cap_from_the_start_of_the_month(team):
    author, fan, newcomer = agent(team, first_name="Author", last_name=""), agent(team), agent(team)
    for day in range(scoring.PAIR_MONTHLY_CAP):  # the fan's endorsements of the author earlier in November
        endorse(story(author, when=at(-20)), fan, when=at(day - 10))
    endorse(story(author, when=at(-20)), fan, when=at(2))  # one too many this month, in this week
    endorse(story(author, when=at(-20)), newcomer, when=at(2))

    [entry] = week_board()

    assert (entry.name, entry.endorsements, entry.colleagues) == ("Author", 1, 1)  # the newcomer's only


def test_an_endorsers_first_endorsements_of_the_week_count_and_later_ones_do_not(team):
    endorser = agent(team)
    authors = [agent(team, first_name=f"Person{i:02d}", last_name="") for i in range(scoring.ENDORSER_WEEKLY_CAP + 2)]
    for i, author in enumerate(authors):
        endorse(story(author, when=at(-50)), endorser, when=at(1, hour=8 + i))

    entries = week_board()

    assert [e.name for e in entries] == [a.first_name for a in authors[: scoring.ENDORSER_WEEKLY_CAP]]


def test_admins_deactivated_and_opted_out_people_never_appear_and_ranks_close_up(team):
    visible = agent(team, first_name="Visible", last_name="")
    admin = agent(team, first_name="Admin", is_staff=True)
    gone = agent(team, first_name="Gone", is_active=False)
    shy = agent(team, first_name="Shy", show_on_leaderboards=False)
    for person in (admin, gone, shy):
        story(person, celebrated=True)
    story(visible)

    entries = week_board()

    assert [(e.name, e.rank) for e in entries] == [("Visible", 1)]


def test_a_team_board_adds_up_all_the_stories_of_each_team():
    department_team = TeamFactory(name="Billing")
    other = TeamFactory(name="Returns")
    for person in (agent(department_team), agent(department_team, show_on_leaderboards=False)):
        story(person, when=at(-40))
        story(person)
    returner = agent(other)
    story(returner, when=at(-40))
    story(returner)

    entries = week_board(TEAMS)

    assert [(e.name, e.rank, e.score, e.colleagues) for e in entries] == [
        ("Billing", 1, 2 * scoring.POINTS_PER_STORY, 2),
        ("Returns", 2, scoring.POINTS_PER_STORY, 1),
    ]


def test_boards_narrow_to_a_department_a_team_a_category_or_a_channel():
    billing, returns = TeamFactory(name="Billing"), TeamFactory(name="Returns")
    fees = CategoryFactory(name="Fee waiver", slug="fee-waiver")
    ana, tom = agent(billing, first_name="Ana", last_name=""), agent(returns, first_name="Tom", last_name="")
    story(ana, category=fees, channel=Channel.CHAT)
    story(tom, channel=Channel.PHONE)

    assert [e.name for e in week_board(scopes=(TEAM,), scope_id=billing.pk)] == ["Ana"]
    assert [e.name for e in week_board(scopes=(DEPARTMENT,), scope_id=returns.department_id)] == ["Tom"]
    assert [e.name for e in week_board(category_id=fees.pk)] == ["Ana"]
    assert [e.name for e in week_board(channel=Channel.PHONE)] == ["Tom"]


def test_weeks_follow_the_organisation_time_zone(team):
    Organisation.objects.filter(pk=team.department.organisation_id).update(time_zone="America/Mexico_City")
    late = agent(team, first_name="Late", last_name="")
    # Sunday 22 November, 23:30 in Mexico City is already Monday in UTC: it still belongs to week 47 there.
    story(late, when=datetime.datetime(2026, 11, 23, 5, 30, tzinfo=UTC))

    this_week = week_board(now=datetime.datetime(2026, 11, 24, tzinfo=UTC))
    next_week = week_board(
        starts_on=MONDAY + datetime.timedelta(days=7), now=datetime.datetime(2026, 11, 24, tzinfo=UTC)
    )

    assert [e.name for e in this_week] == ["Late"]
    assert next_week == []


def test_a_week_that_has_ended_stays_as_it_was(team):
    ana = agent(team, first_name="Ana", last_name="")
    story(ana)
    after_the_week = datetime.datetime(2026, 11, 23, 9, tzinfo=UTC)
    week_board(now=after_the_week)

    story(agent(team), when=at(3))  # a late correction in the data
    again = week_board(now=after_the_week + datetime.timedelta(days=1))

    assert [e.name for e in again] == ["Ana"]
    assert Snapshot.objects.get(period=Period.WEEK, starts_on=MONDAY).is_final
