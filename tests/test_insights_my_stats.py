"""My stats: my own numbers — stories, coverage, recognition received, badges and how much of my limits I use."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision
from apps.org.models import Organisation
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    EndorsementFactory,
    GuardrailFactory,
    TeamFactory,
    agent,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=UTC)
NOV = datetime.datetime(2026, 11, 3, 10, tzinfo=UTC)
OCT = datetime.datetime(2026, 10, 20, 10, tzinfo=UTC)


@pytest.fixture
def ana(db):
    """Ana logged three stories in November (20 and 50 against a limit of 50, and 80 with no limit), one in October
    and withdrew one; three endorsements from two colleagues reached her in November, one in October."""
    org = Organisation.current()
    org.currency = "GBP"
    org.save()
    team = TeamFactory(name="Billing")
    ana, tom, ola = agent(team, first_name="Ana"), agent(team), agent(team)
    boss = manager(team)
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver", name_nl="Kwijtschelding")).category
    refund = GuardrailFactory(category=CategoryFactory(name="Refund")).category
    shared = {"author": ana, "created_at": NOV, "category": fee}
    small = DecisionFactory(cost=Decimal("20"), covered=True, coverage="organisation", limit_in_force=50, **shared)
    big = DecisionFactory(
        cost=Decimal("50"), covered=True, coverage="organisation", limit_in_force=50, celebrated=True,
        approved_by=boss, celebrated_by=boss, celebrated_at=NOV, **shared,
    )  # fmt: skip
    DecisionFactory(cost=Decimal("80"), **{**shared, "category": refund})
    DecisionFactory(cost=Decimal("5"), author=ana, created_at=OCT, category=fee)
    DecisionFactory(cost=Decimal("500"), status=Decision.Status.WITHDRAWN, **shared)
    EndorsementFactory(decision=small, endorser=tom, created_at=NOV)
    EndorsementFactory(decision=big, endorser=tom, created_at=NOV)
    EndorsementFactory(decision=big, endorser=ola, created_at=NOV)
    EndorsementFactory(decision=DecisionFactory(author=ana, created_at=OCT, category=fee), endorser=ola, created_at=OCT)
    return ana


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:mine"), params)


def test_my_month_in_numbers(client, ana):
    page = get(client, ana).content.decode()

    assert '<div class="stat__value">3</div><div class="stat__label">stories logged</div>' in page
    assert '<div class="stat__value">66.7%</div>' in page
    assert "endorsements received, from 2 colleagues" in page and '<div class="stat__value">3</div>' in page
    assert '<div class="stat__value">1</div><div class="stat__label">of my stories celebrated</div>' in page
    assert "First story" in page
    assert page_table(page, "categories") == [
        ["Category", "Stories", "Share covered", "Total cost", "Median cost", "Highest cost",
         "Share of my limit used, on average"],
        ["Fee waiver", "2", "100.0%", "£70", "£35", "£50", "70.0%"],
        ["Refund", "1", "0.0%", "£80", "£80", "£80", "—"],
    ]  # fmt: skip
    assert page_table(page, "trend")[1:3] == [["1 Nov", "0", "£0", "£0"], ["2 Nov", "3", "£150", "£3,600"]]


def test_my_stats_download_as_what_the_page_shows(client, ana):
    page = get(client, ana).content.decode()

    for key in ("categories", "trend"):
        filters, table = read_csv(get(client, ana, csv=key).content)
        assert filters[1:] == [["Period", "1 Nov – 30 Nov 2026"]]
        assert same_numbers(page_table(page, key), table)


def test_my_stats_are_mine_alone_and_in_my_language(client, ana):
    ana.language = "nl"
    ana.save()
    page = get(client, ana, period="month", on="2026-10-01").content.decode()

    assert "Mijn cijfers" in page and 'name="scope"' not in page
    assert page_table(page, "categories")[1][:2] == ["Kwijtschelding", "2"]


@pytest.mark.parametrize("stories", [1, 15])
def test_my_stats_run_a_constant_number_of_queries(client, ana, stories, django_assert_max_num_queries):
    for _ in range(stories):
        EndorsementFactory(decision=DecisionFactory(author=ana, created_at=NOV), created_at=NOV)
    client.force_login(ana)
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(14):
        client.get(reverse("insights:mine"))
