"""The periodic leaderboard refresh recomputes only what may have changed: a tick with nothing new keeps every row and
runs a handful of small queries, and any write that counts (a story, an endorsement given or taken back) is seen."""

import datetime
import random

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.decisions.models import Channel, Decision
from apps.leaderboards.models import Period, Row, Snapshot, Standing
from apps.leaderboards.selectors import rank
from apps.leaderboards.services import ROW_COLUMNS, leaderboards_refresh, scores_changed
from apps.org.models import Organisation
from apps.recognition.services import endorsement_delete
from tests.factories import CategoryFactory, DecisionFactory, EndorsementFactory, TeamFactory, agent

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


def test_after_a_change_finished_months_are_kept_and_quarters_and_all_time_add_up_their_months():
    """A tick after a new story recomputes the current week and month from the stories; the quarter and all time are
    the sums of their months, so September and October, finished, are not gone through again."""
    today = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    team = TeamFactory()
    ana, bo = agent(team), agent(team)
    with time_machine.travel(today, tick=False):
        for month in (9, 10):
            story = DecisionFactory(author=ana, approved=True, approved_at=today.replace(month=month, day=10))
            EndorsementFactory(decision=story, endorser=bo, created_at=today.replace(month=month, day=11))
        leaderboards_refresh()
        finished = dict(Snapshot.objects.filter(period=Period.MONTH, is_final=True).values_list("starts_on", "pk"))
        computed = dict(Snapshot.objects.filter(period=Period.MONTH).values_list("pk", "computed_at"))
        assert {datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)} <= set(finished)

        DecisionFactory(author=ana, approved=True, approved_at=today)
        with CaptureQueriesContext(connection) as queries:
            leaderboards_refresh(now=today + datetime.timedelta(minutes=2))

    for pk in finished.values():  # the finished months were not computed again
        assert Snapshot.objects.get(pk=pk).computed_at == computed[pk]
    from_stories = [q["sql"] for q in queries if "INSERT INTO" in q["sql"] and "FROM (SELECT" in q["sql"]]
    assert from_stories and all("leaderboards_snapshot" not in sql for sql in from_stories)
    # Three approved stories (10 each), the first one (5), two endorsements (1 each) from one colleague (3).
    assert all_time_points() == {ana.pk: 3 * 10 + 5 + 2 + 3}
    quarter = Snapshot.objects.get(period=Period.QUARTER, starts_on=datetime.date(2026, 10, 1))
    assert {e.person_id: e.score for e in rank(snapshot_id=quarter.pk)} == {ana.pk: 2 * 10 + 1 + 3}
    assert {e.person_id: e.score for e in rank(snapshot_id=quarter.pk, standings=True)} == {ana.pk: 2 * 10 + 1 + 3}


def test_an_endorsement_taken_back_after_its_month_ended_leaves_all_time_at_the_next_tick():
    october = datetime.datetime(2026, 10, 14, 12, tzinfo=datetime.UTC)
    today = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    team = TeamFactory()
    ana, bo = agent(team), agent(team)
    with time_machine.travel(october, tick=False):
        story = DecisionFactory(author=ana, approved=True)
        EndorsementFactory(decision=story, endorser=bo)
    with time_machine.travel(today, tick=False):
        leaderboards_refresh()
        assert Snapshot.objects.get(period=Period.MONTH, starts_on=datetime.date(2026, 10, 1)).is_final
        assert all_time_points() == {ana.pk: 10 + 5 + 1 + 3}

        endorsement_delete(decision=story, endorser=bo)
        leaderboards_refresh(now=today + datetime.timedelta(minutes=2))

    assert all_time_points() == {ana.pk: 10 + 5}
    assert Snapshot.objects.get(period=Period.MONTH, starts_on=datetime.date(2026, 10, 1)).is_final


def test_taking_back_an_endorsement_moves_the_weekly_cap_into_the_next_month_too():
    """A week from 29 March to 4 April 2027: five endorsements by one colleague on 29–31 March fill their weekly cap, so
    the sixth, on 1 April, does not count. Taking one back in May lets it count: April, finished, is recomputed too."""
    march = datetime.datetime(2027, 3, 20, 12, tzinfo=datetime.UTC)
    may = datetime.datetime(2027, 5, 10, 12, tzinfo=datetime.UTC)
    team = TeamFactory()
    giver = agent(team)
    authors = [agent(team) for _ in range(6)]
    with time_machine.travel(march, tick=False):
        stories = [DecisionFactory(author=author, approved=True) for author in authors]
    days = [(3, 29), (3, 30), (3, 30), (3, 31), (3, 31), (4, 1)]
    for story, (month, day) in zip(stories, days, strict=True):
        EndorsementFactory(decision=story, endorser=giver, created_at=march.replace(month=month, day=day))
    with time_machine.travel(may, tick=False):
        leaderboards_refresh()
        assert all_time_points()[authors[5].pk] == 10 + 5  # the sixth endorsement is over the cap

        endorsement_delete(decision=stories[0], endorser=giver)
        leaderboards_refresh(now=may + datetime.timedelta(minutes=2))

    assert all_time_points()[authors[5].pk] == 10 + 5 + 1 + 3


def test_a_story_an_admin_deletes_leaves_all_time_even_from_a_finished_month():
    october = datetime.datetime(2026, 10, 14, 12, tzinfo=datetime.UTC)
    today = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    team = TeamFactory()
    ana = agent(team)
    with time_machine.travel(october, tick=False):
        first, second = DecisionFactory(author=ana, approved=True), DecisionFactory(author=ana, approved=True)
    with time_machine.travel(today, tick=False):
        leaderboards_refresh()
        assert all_time_points() == {ana.pk: 2 * 10 + 5}

        first.delete()
        leaderboards_refresh(now=today + datetime.timedelta(minutes=2))

    assert all_time_points() == {ana.pk: 10 + 5}  # the other story is her first now
    assert second.pk


def test_a_new_time_zone_has_every_finished_month_computed_again():
    today = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    DecisionFactory(author=agent(TeamFactory()), approved=True, approved_at=today.replace(month=9))
    with time_machine.travel(today, tick=False):
        leaderboards_refresh()
        assert Snapshot.objects.get(period=Period.MONTH, starts_on=datetime.date(2026, 9, 1)).is_final

        org = Organisation.current()
        org.time_zone = "Pacific/Kiritimati"
        org.save()

    assert not Snapshot.objects.filter(period=Period.MONTH, is_final=True).exists()


def test_a_large_organisations_all_time_trails_by_a_few_minutes_rather_than_being_redone_on_every_tick():
    today = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    ana = agent(TeamFactory())
    with time_machine.travel(today, tick=False):
        DecisionFactory(author=ana, approved=True)
        leaderboards_refresh()
        Snapshot.objects.filter(period=Period.ALL).update(compute_seconds=60)  # as at 10,000 agents

        DecisionFactory(author=ana, approved=True)
    leaderboards_refresh(now=today + datetime.timedelta(minutes=2))
    assert all_time_points() == {ana.pk: 10 + 5}  # four times a minute has not passed: all time trails

    leaderboards_refresh(now=today + datetime.timedelta(minutes=5))
    assert all_time_points() == {ana.pk: 2 * 10 + 5}


STANDING_COLUMNS = [
    "person_id",
    "team_id",
    "category_id",
    "channel",
    "score",
    "stories",
    "celebrations",
    "first_stories",
    "endorsements",
    "colleagues",
]


# Kept in place after a change: the current week and month (worked out from the stories), the quarter and all time
# (their months added up).
CURRENT = [Period.WEEK, Period.MONTH, Period.QUARTER, Period.ALL]


def current_boards() -> dict:
    """What the boards of the current week, month, quarter and all time read: their rows and standings, as values."""
    contents = {}
    for period in CURRENT:
        snapshot = Snapshot.objects.filter(period=period).order_by("-starts_on").first()
        contents[period] = (
            sorted(Row.objects.filter(snapshot=snapshot).values_list(*ROW_COLUMNS), key=repr),
            sorted(Standing.objects.filter(snapshot=snapshot).values_list(*STANDING_COLUMNS), key=repr),
        )
    return contents


@time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC), tick=False)
def test_after_a_change_only_the_rows_that_moved_are_rewritten_and_the_boards_equal_a_fresh_computation():
    billing, returns = TeamFactory(), TeamFactory()
    ana, bo, cy = agent(billing), agent(billing), agent(returns)
    story = DecisionFactory(author=ana, approved=True)
    EndorsementFactory(decision=story, endorser=bo)
    EndorsementFactory(decision=DecisionFactory(author=cy, approved=True), endorser=ana)
    leaderboards_refresh()
    current = Row.objects.filter(snapshot__period__in=CURRENT)
    cys_rows = set(current.filter(person=cy).values_list("pk", flat=True))

    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        DecisionFactory(author=bo, celebrated=True)
        EndorsementFactory(decision=story, endorser=cy)
        endorsement_delete(decision=story, endorser=bo)
        leaderboards_refresh()
    in_place = current_boards()
    assert cys_rows and cys_rows <= set(current.values_list("pk", flat=True))  # nothing of Cy's moved: kept

    Snapshot.objects.filter(period__in=CURRENT).delete()
    with time_machine.travel(later, tick=False):
        leaderboards_refresh()
    assert current_boards() == in_place


def computed_afresh(now) -> dict:
    """What a fresh computation of the current week, month, quarter and all time holds, without keeping it."""
    with transaction.atomic():
        Snapshot.objects.filter(period__in=CURRENT).delete()
        leaderboards_refresh(now=now)
        contents = current_boards()
        transaction.set_rollback(True)
    return contents


@pytest.mark.parametrize("seed", range(3))
def test_after_any_mix_of_changes_the_boards_kept_in_place_equal_a_fresh_computation(seed):
    """Random changes between ticks: new stories (a person in several teams), celebrations, withdrawals, endorsements
    given and taken back, stories moved to another team or category, a whole team's stories withdrawn."""
    choose = random.Random(seed)
    teams = [TeamFactory() for _ in range(3)]
    categories = [CategoryFactory(), CategoryFactory()]
    people = [agent(teams[index % 3]) for index in range(6)]
    now = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        leaderboards_refresh()
    for step in range(6):
        now += datetime.timedelta(minutes=7)
        with time_machine.travel(now, tick=False):
            for _ in range(choose.randint(1, 4)):
                change = choose.choice(
                    [
                        "story",
                        "story",
                        "celebrate",
                        "withdraw",
                        "endorse",
                        "endorse",
                        "take back",
                        "move",
                        "recategorise",
                        "withdraw a team's",
                    ]
                )
                shared = list(Decision.objects.filter(status__in=Decision.SHARED_STATUSES).order_by("pk"))
                when = now - datetime.timedelta(hours=choose.randint(0, 40))
                story = choose.choice(shared) if shared else None
                if change == "story" or story is None:
                    DecisionFactory(
                        author=choose.choice(people),
                        team=choose.choice(teams),
                        approved=True,
                        approved_at=when,
                        category=choose.choice(categories),
                        channel=choose.choice([Channel.PHONE, Channel.CHAT]),
                    )
                elif change == "celebrate":
                    Decision.objects.filter(pk=story.pk).update(status="celebrated", celebrated_at=when)
                elif change == "withdraw":
                    Decision.objects.filter(pk=story.pk).update(status="withdrawn")
                elif change == "endorse":
                    endorser = choose.choice([person for person in people if person.pk != story.author_id])
                    if not story.endorsements.filter(endorser=endorser).exists():
                        EndorsementFactory(decision=story, endorser=endorser, created_at=when)
                elif change == "take back" and story.endorsements.exists():
                    endorsement_delete(decision=story, endorser=story.endorsements.first().endorser)
                elif change == "move":
                    Decision.objects.filter(pk=story.pk).update(team=choose.choice(teams))
                elif change == "recategorise":
                    Decision.objects.filter(pk=story.pk).update(
                        category=choose.choice(categories), channel=choose.choice([Channel.PHONE, Channel.CHAT])
                    )
                elif change == "withdraw a team's":
                    Decision.objects.filter(team=choose.choice(teams)).update(status="withdrawn")
            scores_changed()
            leaderboards_refresh()
            assert current_boards() == computed_afresh(now), (seed, step)
