"""One week everywhere: a digest celebrates the calendar week, Monday to Sunday in the organisation's time zone, that
the leaderboards and the insights call by the same name, and a person's rank is the same in their digest email, on
the digest page and on that week's leaderboard — across a month end and both clock changes."""

import datetime
import html
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from apps.digests.models import Digest, Edition
from apps.digests.services import deliveries_send_pending, digest_moment, digests_dispatch_due
from apps.insights.filters import Window
from apps.leaderboards import periods
from apps.leaderboards.models import Period, Snapshot
from apps.leaderboards.services import leaderboards_refresh
from apps.org.models import Organisation
from tests.factories import DecisionFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db

WEEKS = {
    # 30 November to 6 December 2026: the week begins in one month and ends in the next.
    "month end": datetime.date(2026, 11, 30),
    # 22 to 28 March 2027: Madrid's clocks go forward on Sunday 28th, so the week lasts 167 hours.
    "spring change": datetime.date(2027, 3, 22),
    # 25 to 31 October 2027: they go back on Sunday 31st, 169 hours.
    "autumn change": datetime.date(2027, 10, 25),
}


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))


def approved(author, at: datetime.datetime, count: int = 1) -> None:
    for _ in range(count):
        DecisionFactory(author=author, approved=True, approved_at=at, created_at=at, happened_on=at.date())


@pytest.fixture(params=WEEKS.values(), ids=WEEKS.keys())
def week(request, db):
    """Four agents whose stories sit on either side of the week's edges, in Madrid."""
    monday = request.param
    sunday, next_monday = monday + datetime.timedelta(days=6), monday + datetime.timedelta(days=7)
    org = Organisation.current()
    org.time_zone = "Europe/Madrid"  # the digest goes out on Monday at 08:00, the default
    org.save()
    team = TeamFactory(name="Billing & Accounts")
    boss = manager(team, first_name="Grace", last_name="Okafor")
    people = {name: agent(team, first_name=name, last_name="Test") for name in ("Ana", "Tom", "Mei", "Kwame")}
    approved(people["Ana"], local(monday, 0, 30), count=2)  # the week's first half hour
    approved(people["Ana"], local(monday + datetime.timedelta(days=2), 11))
    approved(people["Tom"], local(sunday, 23, 30), count=2)  # its last half hour, after the clocks changed
    approved(people["Mei"], local(monday + datetime.timedelta(days=3), 15))
    approved(people["Mei"], local(next_monday, 0, 30), count=3)  # the next week's: not this one's
    approved(people["Kwame"], local(monday - datetime.timedelta(days=1), 23, 30), count=5)  # the week before
    return {"monday": monday, "org": org, "manager": boss, **people}


def send_the_weeks_digest(week) -> Edition:
    """What the beat does on the Monday after the week: refresh the boards, then build and send the digest."""
    with time_machine.travel(digest_moment(week["org"], week["monday"]) + datetime.timedelta(minutes=1), tick=False):
        leaderboards_refresh()
        for edition_id in digests_dispatch_due():
            deliveries_send_pending(edition_id=edition_id)
    return Edition.objects.get()


def test_the_digest_the_leaderboard_and_the_insights_share_one_week(week):
    edition = send_the_weeks_digest(week)
    board = Snapshot.objects.get(period=Period.WEEK, starts_on=week["monday"])
    insights = Window(Period.WEEK, week["monday"], week["monday"] + datetime.timedelta(days=7))

    assert edition.week_start == week["monday"]
    assert board.is_final
    assert (edition.period_start, edition.period_end) == (board.start, board.end)
    assert insights.bounds(periods.org_time_zone(week["org"])) == (board.start, board.end)
    assert (board.start, board.end) == (local(week["monday"], 0), local(week["monday"] + datetime.timedelta(days=7), 0))
    with translation.override("en"):
        assert edition.label == insights.label == periods.week_title(week["monday"])


def test_a_person_has_the_same_rank_in_the_email_on_the_digest_page_and_on_the_weeks_leaderboard(week, client):
    edition = send_the_weeks_digest(week)
    number = periods.week_number(week["monday"])
    with translation.override("en"):
        title = periods.week_title(week["monday"])
    emails = {message.to[0]: message for message in mail.outbox}
    digest = Digest.objects.get(edition=edition, team__name="Billing & Accounts")

    for name, rank in (("Ana", 1), ("Tom", 2), ("Mei", 3)):
        person = week[name]
        sentence = f"You are number {rank} on the whole organisation's leaderboard of week {number}"
        email = emails[person.email]
        assert title in email.body and sentence in email.body

        with time_machine.travel(edition.period_end + datetime.timedelta(days=3), tick=False):
            client.force_login(person)
            page = html.unescape(client.get(reverse("digests:detail", args=[digest.pk])).content.decode())
            board = client.get(reverse("leaderboards:index"), {"week": week["monday"].isoformat()}).content.decode()
        assert title in page and sentence in page
        assert title in board
        assert f'<span class="standing__rank">#{rank}</span>' in board

    # Kwame's stories were approved the night before the week began: on neither board nor digest.
    assert "Kwame" not in board
    assert "number" not in emails[week["Kwame"].email].body.split("leaderboard")[0]


def test_the_numbers_above_a_digest_count_what_it_shows(week):
    edition = send_the_weeks_digest(week)
    numbers = Digest.objects.get(edition=edition, team__name="Billing & Accounts").content["numbers"]

    # Ana 3, Tom 2, Mei 1: logged and approved inside the week; none celebrated.
    assert (numbers["decisions"], numbers["approved"], numbers["celebrated"]) == (6, 6, 0)
