"""Courage and reach: who dares to log, whom recognition reaches, and — for their own manager only — who might need
an invitation."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision
from tests.factories import (
    DecisionFactory,
    DepartmentFactory,
    EndorsementFactory,
    TeamFactory,
    agent,
    department_head,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, tzinfo=datetime.UTC)


@pytest.fixture
def billing(db):
    """Ana logged two weeks ago and was endorsed twice; Bob logged six weeks ago and was endorsed in October; Dan
    logged and was celebrated this month and endorsed once; Cat has neither logged nor been recognised."""
    care = DepartmentFactory(name="Care")
    team = TeamFactory(name="Billing", department=care)
    grace = manager(team, first_name="Grace")
    ana, bob = agent(team, first_name="Ana", last_name="A"), agent(team, first_name="Bob", last_name="B")
    cat, dan = agent(team, first_name="Cat", last_name="C"), agent(team, first_name="Dan", last_name="D")
    story = DecisionFactory(author=ana, created_at=at(11, 6))
    EndorsementFactory(decision=story, endorser=bob, created_at=at(11, 7))
    EndorsementFactory(decision=story, endorser=cat, created_at=at(11, 8))
    EndorsementFactory(decision=DecisionFactory(author=bob, created_at=at(10, 9)), endorser=ana, created_at=at(10, 10))
    celebrated = DecisionFactory(
        author=dan, created_at=at(11, 10), status=Decision.Status.CELEBRATED, approved_by=grace,
        approved_at=at(11, 11), celebrated_by=grace, celebrated_at=at(11, 11),
    )  # fmt: skip
    EndorsementFactory(decision=celebrated, endorser=ana, created_at=at(11, 12))
    return {"grace": grace, "helen": department_head(care), "cat": cat}


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:reach"), params)


def test_per_team_who_logged_who_was_recognised_and_how_concentrated_endorsements_are(client, billing):
    page = get(client, billing["helen"]).content.decode()

    assert page_table(page, "teams") == [
        ["Team", "Agents", "Logged a story in 4 weeks", "Logged a story in 8 weeks", "Recognised in 8 weeks",
         "Endorsements in the period", "Share going to the most endorsed tenth of people"],
        ["Billing · Care", "4", "50.0%", "75.0%", "75.0%", "3", "66.7%"],
    ]  # fmt: skip
    assert "People to encourage" not in page and "Cat C" not in page


def test_only_their_manager_sees_who_might_need_an_invitation(client, billing):
    page = get(client, billing["grace"]).content.decode()

    assert "People to encourage in your teams" in page
    assert "Cat C" in page and "No story in 8 weeks." in page and "Not recognised in 8 weeks." in page
    assert "Ana A" not in page


def test_the_table_downloads_as_the_page_shows_it(client, billing):
    page = get(client, billing["helen"]).content.decode()

    _filters, table = read_csv(get(client, billing["helen"], csv="teams").content)
    assert same_numbers(page_table(page, "teams"), table)
    assert "Cat" not in get(client, billing["grace"], csv="teams").content.decode()


def test_an_agent_may_not_read_it(client, billing):
    assert get(client, billing["cat"]).status_code == 403


@pytest.mark.parametrize("people", [1, 12])
def test_it_runs_a_constant_number_of_queries(client, billing, people, django_assert_max_num_queries):
    team = billing["grace"].memberships.get().team
    for _ in range(people):
        DecisionFactory(author=agent(team), created_at=at(11, 3))
    client.force_login(billing["grace"])
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(15):
        client.get(reverse("insights:reach"))
