"""Guardrail calibration: how costs spread against each limit, what became of the customers within and above it, and
a suggested limit that an admin (organisation) or the team's manager (team) adopts in one step, on the audit trail."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Guardrail, Outcome, TeamGuardrail
from apps.insights.selectors import nice_limit
from apps.org.models import Organisation
from apps.recognition.models import AuditEvent
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    GuardrailFactory,
    TeamFactory,
    TeamGuardrailFactory,
    UserFactory,
    agent,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def org(db):
    """Fee waivers in November cost 10, 20, 30, 40 and 60 (customers kept) and 90 (customer lost), against an
    organisation limit of 50."""
    organisation = Organisation.current()
    organisation.customer_lifetime_value = Decimal("1000")
    organisation.save()
    billing, orders = TeamFactory(name="Billing"), TeamFactory(name="Orders")
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver"), limit=Decimal("50")).category
    ana = agent(billing)
    for cost in (10, 20, 30, 40, 60):
        DecisionFactory(author=ana, category=fee, cost=Decimal(cost), created_at=TODAY - datetime.timedelta(days=3))
    DecisionFactory(
        author=ana, category=fee, cost=Decimal(90), outcome=Outcome.LOST, created_at=TODAY - datetime.timedelta(days=3)
    )
    return {
        "fee": fee,
        "billing": billing,
        "orders": orders,
        "ana": ana,
        "grace": manager(billing, first_name="Grace"),
        "admin": UserFactory(is_staff=True),
    }


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:calibration"), params)


def adopt(client, user, org, limit="55", team=""):
    client.force_login(user)
    data = {"category": org["fee"].pk, "limit": limit, "team": team, "query": "period=month"}
    with time_machine.travel(TODAY, tick=False):
        return client.post(reverse("insights:adopt_limit"), data, follow=True)


def test_the_spread_of_costs_against_the_limit_and_a_suggestion_in_words(client, org):
    page = get(client, org["admin"]).content.decode()

    assert page_table(page, "categories")[1:] == [
        ["Fee waiver", "$50", "6", "33.3%", "100.0%", "50.0%", "$250", "$5,000", "$55"]
    ]
    # 90th percentile of the kept customers' costs (10, 20, 30, 40, 60) is 52, rounded up to a limit of 55.
    assert "Suggested limit: $55" in page
    assert "90% of the decisions that kept the customer cost $52 or less." in page
    assert [row[2] for row in page_table(page, "histograms")[1:]] == [
        "0",
        "1",
        "1",
        "1",
        "1",
        "0",
        "1",
        "0",
        "0",
        "1",
        "0",
    ]
    assert "limit $50</text>" in page and 'class="chart__marker"' in page


def test_a_team_scope_measures_against_the_teams_own_limit(client, org):
    TeamGuardrailFactory(team=org["billing"], category=org["fee"], limit=Decimal("80"))

    page = get(client, org["grace"], scope=f"team-{org['billing'].pk}").content.decode()

    assert page_table(page, "categories")[1][:4] == ["Fee waiver", "$80", "6", "16.7%"]
    assert "Adopt it as the team's limit" in page


def test_an_admin_adopts_the_organisations_limit_in_one_step_on_the_audit_trail(client, org):
    page = adopt(client, org["admin"], org).content.decode()

    assert "Fee waiver: the organisation&#x27;s limit is now $55." in page
    assert Guardrail.objects.get(category=org["fee"]).limit == Decimal("55")
    (event,) = AuditEvent.objects.filter(verb=AuditEvent.Verb.LIMIT_ADOPTED)
    assert event.actor == org["admin"]
    assert event.data == {"category": org["fee"].slug, "team_id": None, "from": "50.00", "to": "55"}


def test_the_teams_manager_adopts_the_teams_own_limit(client, org):
    page = adopt(client, org["grace"], org, team=org["billing"].pk).content.decode()

    assert "Fee waiver: Billing&#x27;s own limit is now $55." in page
    assert TeamGuardrail.objects.get(team=org["billing"], category=org["fee"]).limit == Decimal("55")
    assert AuditEvent.objects.get(verb=AuditEvent.Verb.LIMIT_ADOPTED).data["team_id"] == org["billing"].pk


def test_nobody_else_adopts_a_limit(client, org):
    assert "Adopt it" not in get(client, org["grace"]).content.decode()
    assert adopt(client, org["grace"], org).status_code == 403  # the organisation's limit
    assert adopt(client, org["grace"], org, team=org["orders"].pk).status_code == 403  # another team's
    assert adopt(client, org["ana"], org, team=org["billing"].pk).status_code == 403
    assert get(client, org["ana"]).status_code == 403
    assert Guardrail.objects.get(category=org["fee"]).limit == Decimal("50")
    assert not TeamGuardrail.objects.exists() and not AuditEvent.objects.exists()


def test_each_table_downloads_as_the_page_shows_it(client, org):
    page = get(client, org["admin"]).content.decode()

    for key in ("categories", "histograms"):
        _filters, table = read_csv(get(client, org["admin"], csv=key).content)
        assert same_numbers(page_table(page, key), table)


def test_suggested_limits_are_round_numbers():
    assert [nice_limit(x) for x in (52, 70, 99.5, 101, 1234)] == [55, 70, 100, 110, 1250]


@pytest.mark.parametrize("categories", [1, 6])
def test_it_runs_a_constant_number_of_queries(client, org, categories, django_assert_max_num_queries):
    for _ in range(categories):
        category = GuardrailFactory().category
        DecisionFactory(author=org["ana"], category=category, created_at=TODAY - datetime.timedelta(days=2))
    client.force_login(org["admin"])
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(16):
        client.get(reverse("insights:calibration"))
