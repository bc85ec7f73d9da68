"""On random data, the SQL leaderboard equals a plain Python computation of the documented formula."""

import collections
import dataclasses
import datetime
import zoneinfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.accounts.models import User
from apps.decisions.models import Channel, Decision
from apps.leaderboards import scoring
from apps.leaderboards.models import Period
from apps.leaderboards.selectors import ORGANISATION, PEOPLE, TEAM, TEAMS, rank
from apps.leaderboards.services import snapshot_for_calendar
from apps.org.models import Organisation
from tests.factories import CategoryFactory, DecisionFactory, EndorsementFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Europe/Madrid")
# Monday 26 October 2026: its week runs into November, and Madrid leaves summer time that Sunday.
BASE = datetime.datetime(2026, 10, 26, tzinfo=TZ)
NOW = datetime.datetime(2026, 12, 20, tzinfo=datetime.UTC)
HOURS = 6 * 7 * 24
PEOPLE_COUNT = 6
SHARED = {Decision.Status.APPROVED, Decision.Status.CELEBRATED}
PERIODS = [
    (Period.WEEK, datetime.date(2026, 10, 26)),
    (Period.WEEK, datetime.date(2026, 11, 2)),
    (Period.MONTH, datetime.date(2026, 11, 1)),
    (Period.QUARTER, datetime.date(2026, 10, 1)),
    (Period.ALL, datetime.date(2000, 1, 1)),
]

stories = st.lists(
    st.tuples(
        st.integers(0, PEOPLE_COUNT - 1),  # author
        st.sampled_from(["submitted", "approved", "celebrated", "withdrawn"]),
        st.integers(0, HOURS // 3).map(lambda h: h * 3),  # approved at (coarse, so that times tie)
        st.integers(0, 72),  # celebrated this many hours later
        st.integers(0, 1),  # category
        st.sampled_from([Channel.PHONE, Channel.CHAT]),
    ),
    min_size=2,
    max_size=12,
)
endorsements = st.lists(
    st.tuples(
        st.integers(0, 11),  # which story
        st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5]),  # endorser: some people endorse a lot, to reach the caps
        st.integers(0, 12 * 24 // 2).map(lambda h: h * 2),  # when: within 12 days, so that caps bind
    ),
    min_size=4,
    max_size=30,
)
flags = st.lists(
    st.sampled_from(["visible", "visible", "visible", "admin", "inactive", "opted out"]), min_size=6, max_size=6
)


@pytest.fixture
def world(db):
    org_team, other_team = TeamFactory(), TeamFactory()
    Organisation.objects.filter(pk=org_team.department.organisation_id).update(time_zone="Europe/Madrid")
    people = [agent(org_team if i < 4 else other_team, first_name=f"P{i}", last_name="") for i in range(PEOPLE_COUNT)]
    return {
        "people": people,
        "boss": manager(org_team, other_team),
        "categories": [CategoryFactory(), CategoryFactory()],
        "team": org_team,
    }


def python_board(decisions, given_endorsements, users, *, period, starts_on, board, category, team):
    """The documented formula, computed the slow and obvious way."""
    if period == Period.ALL:
        start, end = datetime.datetime.min.replace(tzinfo=datetime.UTC), NOW
    else:
        start = datetime.datetime.combine(starts_on, datetime.time(), tzinfo=TZ)
        following = {
            Period.WEEK: starts_on + datetime.timedelta(days=7),
            Period.MONTH: datetime.date(2026, 12, 1),
            Period.QUARTER: datetime.date(2027, 1, 1),
        }[period]
        end = datetime.datetime.combine(following, datetime.time(), tzinfo=TZ)

    def within(moment):
        return start <= moment < end

    def selected(decision):
        return (category is None or decision.category_id == category) and (team is None or decision.team_id == team)

    shared = [d for d in decisions if d.status in SHARED]
    first = {}
    for d in sorted(shared, key=lambda d: (d.approved_at, d.pk)):
        first.setdefault(d.author_id, d.pk)
    counts = collections.defaultdict(lambda: collections.Counter())
    colleagues = collections.defaultdict(set)
    for d in filter(selected, shared):
        key = (d.author_id, d.team_id)
        if within(d.approved_at):
            counts[key]["stories"] += 1
            counts[key]["firsts"] += first[d.author_id] == d.pk
        if d.status == Decision.Status.CELEBRATED and within(d.celebrated_at):
            counts[key]["celebrations"] += 1
    per_week, per_pair = collections.Counter(), collections.Counter()
    live = [e for e in given_endorsements if e.decision.status != Decision.Status.WITHDRAWN]
    for e in sorted(live, key=lambda e: (e.created_at, e.pk)):
        local = e.created_at.astimezone(TZ).date()
        week = (e.endorser_id, local.isocalendar()[:2])
        pair = (e.endorser_id, e.decision_author_id, local.year, local.month)
        per_week[week] += 1
        per_pair[pair] += 1
        counts_it = per_week[week] <= scoring.ENDORSER_WEEKLY_CAP and per_pair[pair] <= scoring.PAIR_MONTHLY_CAP
        if counts_it and within(e.created_at) and selected(e.decision):
            key = (e.decision_author_id, e.decision.team_id)
            counts[key]["endorsements"] += 1
            colleagues[key].add(e.endorser_id)

    def points(person_keys):
        c = sum((counts[k] for k in person_keys), collections.Counter())
        distinct = set().union(*(colleagues[k] for k in person_keys))
        return scoring.score(
            stories=c["stories"],
            celebrations=c["celebrations"],
            first_stories=c["firsts"],
            endorsements=c["endorsements"],
            colleagues=len(distinct),
        )

    keys = set(counts) | set(colleagues)
    if board == PEOPLE:
        totals = {
            person: points([k for k in keys if k[0] == person])
            for person in {k[0] for k in keys}
            if users[person].is_active and not users[person].is_staff and users[person].show_on_leaderboards
        }
    else:
        totals = collections.Counter()
        for k in keys:
            totals[k[1]] += points([k])
    totals = {key: value for key, value in totals.items() if value > 0}
    return {key: (1 + sum(other > value for other in totals.values()), value) for key, value in totals.items()}


# One colleague endorses eight stories in one week: the weekly cap binds.
BUSY_ENDORSER = {
    "stories": [(1 + i % 5, "approved", 24 * i, 0, 0, Channel.PHONE) for i in range(8)],
    "endorsements": [(i, 0, 200 + i) for i in range(8)],
    "flags": ["visible"] * 6,
    "period": PERIODS[1],
    "board": PEOPLE,
    "category": None,
    "by_team": False,
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(**BUSY_ENDORSER)
@given(
    stories=stories,
    endorsements=endorsements,
    flags=flags,
    period=st.sampled_from(PERIODS),
    board=st.sampled_from([PEOPLE, TEAMS]),
    category=st.sampled_from([None, 0]),
    by_team=st.booleans(),
)
def test_the_sql_leaderboard_equals_the_python_reference(
    world, stories, endorsements, flags, period, board, category, by_team
):
    people = world["people"]
    with transaction.atomic():
        for person, flag in zip(people, flags, strict=True):
            User.objects.filter(pk=person.pk).update(
                is_staff=flag == "admin", is_active=flag != "inactive", show_on_leaderboards=flag != "opted out"
            )
        decisions = []
        for author, status, approved_h, celebrated_after, category_index, channel in stories:
            approved_at = BASE + datetime.timedelta(hours=approved_h)
            fields = {"approved_at": approved_at, "approved_by": world["boss"]}
            if status == "celebrated":
                fields |= {"celebrated_at": approved_at + datetime.timedelta(hours=celebrated_after)}
            if status == "submitted":
                fields = {}
            decisions.append(
                DecisionFactory(
                    author=people[author],
                    status=status,
                    category=world["categories"][category_index],
                    channel=channel,
                    **fields,
                )
            )
        made, seen = [], set()
        for story_index, endorser, hours in endorsements:
            if not decisions:
                break
            decision = decisions[story_index % len(decisions)]
            if decision.author == people[endorser] or (decision.pk, endorser) in seen:
                continue
            seen.add((decision.pk, endorser))
            made.append(
                EndorsementFactory(
                    decision=decision, endorser=people[endorser], created_at=BASE + datetime.timedelta(hours=hours)
                )
            )
        users = {u.pk: u for u in User.objects.all()}
        period_kind, starts_on = period
        category_id = world["categories"][0].pk if category is not None else None
        team_id = world["team"].pk if by_team and board == PEOPLE else None

        snapshot = snapshot_for_calendar(period=period_kind, starts_on=starts_on, now=NOW)
        entries = rank(
            snapshot_id=snapshot.pk,
            board=board,
            scopes=(TEAM,) if team_id else (ORGANISATION,),
            scope_id=team_id,
            category_id=category_id,
        )

        expected = python_board(
            decisions,
            made,
            users,
            period=period_kind,
            starts_on=starts_on,
            board=board,
            category=category_id,
            team=team_id,
        )
        key = "person_id" if board == PEOPLE else "team_id"
        assert {getattr(e, key): (e.rank, e.score) for e in entries} == expected
        if not team_id:  # the organisation's boards read the stored standings: the same lines
            stored = rank(snapshot_id=snapshot.pk, board=board, category_id=category_id, standings=True)
            assert [dataclasses.astuple(e) for e in stored] == [dataclasses.astuple(e) for e in entries]
            if board == PEOPLE:  # a page's first ranks, read in score order, and the reader's own line further down
                for limit in (1, 2, 3):
                    for reader in (None, *users):
                        top = rank(
                            snapshot_id=snapshot.pk,
                            board=board,
                            category_id=category_id,
                            standings=True,
                            limit=limit,
                            also_person=reader,
                        )
                        wanted = [e for e in entries if e.rank <= limit or (reader and e.person_id == reader)]
                        assert [dataclasses.astuple(e) for e in top] == [dataclasses.astuple(e) for e in wanted]
        transaction.set_rollback(True)
