"""What a week's digests say: celebrations with their notes, the most endorsed and first stories, trust statements,
the top of the leaderboard, the week in numbers and a personal line; never a review, never a cost as a fault."""

import datetime

import pytest
import time_machine
from django.core import mail

from apps.digests.content import spotlight
from apps.digests.emails import render_digest_email
from apps.digests.models import Delivery, Digest
from apps.digests.services import deliveries_send_pending, edition_build
from tests.factories import (
    DecisionFactory,
    EndorsementFactory,
    TeamFactory,
    TrustStatementFactory,
    a_week_to_celebrate,
    agent,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)  # 2026-W47, 16–22 November; its digest goes out on Monday 23rd at 08:00 (UTC)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        return a_week_to_celebrate(when=WHEN)


def team_digest(edition, team) -> Digest:
    return Digest.objects.get(edition=edition, team=team)


def test_it_builds_one_digest_per_team_per_department_and_for_the_organisation(week):
    TeamFactory(department=week["team"].department, name="Orders & Returns")

    edition = edition_build(week_start=WEEK, now=AFTER)

    assert sorted(edition.digests.values_list("scope", "title")) == [
        ("department", week["team"].department.name),
        ("organisation", "Acme Support"),
        ("team", "Billing & Accounts"),
        ("team", "Orders & Returns"),
    ]
    monday = datetime.datetime(2026, 11, 16, tzinfo=UTC)
    assert (edition.period_start, edition.period_end) == (monday, monday + datetime.timedelta(days=7))


def test_each_digest_shows_its_own_most_endorsed_five_and_the_department_the_first_five_of_its_teams(week):
    with time_machine.travel(WHEN, tick=False):
        team = week["team"]
        other = TeamFactory(department=team.department, name="Orders & Returns")
        endorsers = [agent(other) for _ in range(9)]

        def endorsed(in_team, times, minutes):
            story = DecisionFactory(
                author=agent(in_team), approved=True, approved_at=WHEN + datetime.timedelta(minutes=minutes)
            )
            for endorser in endorsers[:times]:
                EndorsementFactory(decision=story, endorser=endorser, created_at=WHEN)
            return story.action

        # Billing: the week's first story (1 endorsement) and the celebrated one (2, told among the celebrations).
        billing = [endorsed(team, times, minutes) for times, minutes in ((8, 1), (6, 2), (3, 3), (3, 4), (2, 5))]
        orders = [
            endorsed(other, times, minutes) for times, minutes in ((9, 1), (7, 2), (5, 3), (4, 4), (4, 5), (4, 6))
        ]

    edition = edition_build(week_start=WEEK, now=AFTER)
    shown = {digest.title: [s["action"] for s in digest.content["most_endorsed"]] for digest in edition.digests.all()}

    assert shown["Billing & Accounts"] == billing
    assert shown["Orders & Returns"] == orders[:5]  # a tie on endorsements: the first approved first
    assert shown[team.department.name] == [orders[0], billing[0], orders[1], billing[1], orders[2]]
    assert week["celebrated"].action not in shown["Billing & Accounts"] + shown[team.department.name]


def test_the_team_digest_celebrates_the_week(week):
    content = team_digest(edition_build(week_start=WEEK, now=AFTER), week["team"]).content

    [celebrated] = content["celebrated"]
    assert celebrated["action"] == week["celebrated"].action
    assert celebrated["note"] == "Exactly the judgement we hope for: the customer stayed."
    assert (celebrated["author"], celebrated["celebrated_by"], celebrated["endorsements"]) == (
        "Ana García",
        "Grace Okafor",
        2,
    )
    assert [s["action"] for s in content["most_endorsed"]] == [week["first"].action]
    assert [s["author"] for s in content["first_stories"]] == ["Tom Becker"]
    assert [t["text"] for t in content["trust"]] == ["I trust you to waive delivery charges."]
    assert [(line["rank"], line["name"]) for line in content["leaders"]] == [(1, "Ana García"), (2, "Tom Becker")]
    assert content["numbers"] == {
        "decisions": 2,
        "approved": 2,
        "celebrated": 1,
        "covered": 1,
        "covered_percent": 50,
        "cost": "60.00",
        "kept": 2,
        "value_kept": "2400.00",
        "currency": "USD",
    }


def test_the_department_and_organisation_digests_gather_their_teams(week):
    other = TeamFactory(department=week["team"].department, name="Orders & Returns")
    with time_machine.travel(WHEN, tick=False):
        DecisionFactory(author=agent(other), celebrated=True, celebrated_at=WHEN, approved_at=WHEN)

    edition = edition_build(week_start=WEEK, now=AFTER)

    department = Digest.objects.get(edition=edition, scope="department")
    organisation = Digest.objects.get(edition=edition, scope="organisation")
    assert len(department.content["celebrated"]) == len(organisation.content["celebrated"]) == 2
    assert len(team_digest(edition, other).content["celebrated"]) == 1
    assert organisation.content["top_teams"][0]["name"] == "Billing & Accounts"


def test_no_digest_ever_mentions_a_review_or_a_persons_cost(week):
    with time_machine.travel(WHEN, tick=False):
        # The reviewed story is endorsed this week, so it is among the most endorsed: its review must stay private.
        EndorsementFactory(decision=week["reviewed"], endorser=week["ana"], created_at=WHEN)
        EndorsementFactory(decision=week["reviewed"], endorser=week["tom"], created_at=WHEN)
    edition = edition_build(week_start=WEEK, now=AFTER)

    for digest in edition.digests.all():
        for person in (week["ana"], week["tom"], week["mei"], week["manager"]):
            subject, text, html = render_digest_email(digest=digest, recipient=person, personal={})
            for body in (subject, text, html):
                assert "review" not in body.lower()
                assert "secret lesson" not in body
                assert "480" not in body  # Mei's refund is never shown on its own, only in the team's total


def test_each_person_gets_a_personal_line(week):
    edition = edition_build(week_start=WEEK, now=AFTER)
    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    by_person = {m.to[0]: m.body for m in mail.outbox}
    tom = by_person[week["tom"].email]
    assert "Your stories were endorsed once by one colleague this week." in tom
    assert "A manager approved one of your stories." in tom
    assert "You are number 2 on the whole organisation's leaderboard of week 47, with 19 points." in tom
    assert "You approved 2 stories and celebrated 1 this week." in by_person[week["manager"].email]
    assert Delivery.objects.get(recipient=week["ana"]).personal == {
        "endorsements": 2,
        "colleagues": 2,
        "approved": 1,
        "celebrated": 1,
        "approved_given": 0,
        "celebrated_given": 0,
        "rank": 1,
        "points": 28,
    }


def test_a_team_with_nothing_to_celebrate_gets_the_wider_digest(week):
    quiet = TeamFactory(department=week["team"].department, name="Quiet Team")
    someone = agent(quiet)

    edition = edition_build(week_start=WEEK, now=AFTER)

    assert Delivery.objects.get(recipient=someone).digest.scope == "department"
    assert Delivery.objects.get(recipient=week["tom"]).digest == team_digest(edition, week["team"])


def test_the_spotlight_prefers_people_not_featured_lately():
    people = [
        {"person_id": 1, "name": "Ana", "score": 50, "colleagues": 4},
        {"person_id": 2, "name": "Tom", "score": 40, "colleagues": 5},
        {"person_id": 3, "name": "Mei", "score": 10, "colleagues": 1},
    ]

    assert [p["name"] for p in spotlight(people, featured=[])] == ["Tom", "Ana"]
    assert [p["name"] for p in spotlight(people, featured=[[2, 1]])] == ["Mei", "Tom"]
    assert [p["name"] for p in spotlight(people, featured=[[3], [2, 1]])] == ["Tom", "Ana"]


def test_the_spotlight_rotates_from_week_to_week(db):
    team = TeamFactory()
    people = [agent(team, first_name=name, last_name="") for name in ("Ana", "Tom", "Mei", "Kwame")]
    featured = []
    for week in range(3):
        monday = WEEK + datetime.timedelta(weeks=week)
        when = datetime.datetime.combine(monday + datetime.timedelta(days=2), datetime.time(10), tzinfo=UTC)
        with time_machine.travel(when, tick=False):
            for rank, person in enumerate(people):
                for _ in range(len(people) - rank):  # the same order every week: Ana first, Kwame last
                    DecisionFactory(author=person, approved=True, approved_at=when)
        edition = edition_build(week_start=monday, deliver=False, now=when + datetime.timedelta(days=3))
        featured.append([p["name"] for p in team_digest(edition, team).content["spotlight"]])

    assert featured == [["Ana", "Tom"], ["Mei", "Kwame"], ["Ana", "Tom"]]


def test_a_trust_statement_to_one_person_is_in_no_digest_page_or_email(week):
    """A digest is read by everyone: a statement to one person, and its raised limit, stays private to them and the
    people who oversee their team. They read it in their playbook."""
    with time_machine.travel(WHEN, tick=False):
        TrustStatementFactory(
            team=week["team"], author=week["manager"], agent=week["tom"], text="Tom, I trust you with refunds."
        )

    edition = edition_build(week_start=WEEK, now=AFTER)
    deliveries_send_pending(edition_id=edition.pk, now=AFTER)

    for digest in Digest.objects.filter(edition=edition):
        assert [t["text"] for t in digest.content["trust"]] in ([], ["I trust you to waive delivery charges."])
    assert len(mail.outbox) == 4  # the team: Grace, Ana, Tom and Mei
    for message in mail.outbox:
        assert "Tom, I trust you with refunds." not in message.body
        assert "Tom, I trust you with refunds." not in message.alternatives[0][0]
    assert "I trust you to waive delivery charges." in mail.outbox[0].body


def test_in_a_week_with_news_agents_and_managers_read_one_rendering_of_their_digest(week):
    digest = team_digest(edition_build(week_start=WEEK, now=AFTER), week["team"])
    presented = {}

    for person in (week["ana"], week["tom"], week["manager"]):
        person.language = "en"
        render_digest_email(digest=digest, recipient=person, personal={}, presented=presented)

    assert len(presented) == 1  # the kind of reader changes only a quiet week's closing line


@pytest.mark.parametrize(("language", "shown"), [("en", "19,355"), ("es", "19.355"), ("nl", "19.355")])
def test_the_weeks_numbers_are_grouped_as_the_reader_writes_them(week, language, shown):
    digest = team_digest(edition_build(week_start=WEEK, now=AFTER), week["team"])
    digest.content["numbers"] |= {"decisions": 19355, "approved": 16682, "celebrated": 2374, "kept": 12040}
    digest.save()
    week["tom"].language = language
    week["tom"].save()

    _subject, text, html = render_digest_email(digest=digest, recipient=week["tom"], personal={})

    for body in (text, html):
        assert shown in body and "19355" not in body and "12040" not in body
