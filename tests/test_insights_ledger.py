"""The ROI ledger: what empowered decisions cost beside the customer value they kept, per period and scope."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Channel, Decision, Outcome
from apps.org.models import Organisation
from tests.factories import (
    CategoryFactory,
    CompanyValueFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    TeamFactory,
    UserFactory,
    agent,
    department_head,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=UTC)


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def acme(db):
    """Care (Billing, Orders) and Guests (Desk), in euros, in Amsterdam. In November Billing logged 3 stories
    (20, 80 and 50 euros), Orders one that cost nothing (logged at 00:30 on 1 November, Amsterdam time), Desk one;
    Billing also logged one in October and withdrew one in November."""
    org = Organisation.current()
    org.name, org.currency, org.time_zone = "Acme", "EUR", "Europe/Amsterdam"
    org.customer_lifetime_value = Decimal("1000.00")
    org.save()
    care, guests = DepartmentFactory(name="Care", organisation=org), DepartmentFactory(name="Guests", organisation=org)
    billing, orders = TeamFactory(name="Billing", department=care), TeamFactory(name="Orders", department=care)
    desk = TeamFactory(name="Desk", department=guests)
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver", name_es="Exención de cargos")).category
    refund = GuardrailFactory(category=CategoryFactory(name="Refund")).category
    empathy, ownership = CompanyValueFactory(name="Empathy"), CompanyValueFactory(name="Ownership")
    ana, tom, ola = agent(billing), agent(orders), agent(desk)

    def story(author, cost, created, **fields):
        fields.setdefault("category", fee)
        values = fields.pop("values", [])
        decision = DecisionFactory(author=author, cost=Decimal(cost), currency="EUR", created_at=created, **fields)
        decision.values.set(values)
        return decision

    story(ana, "20", at("2026-11-02"), covered=True, coverage="organisation", values=[empathy])
    story(ana, "80", at("2026-11-10"), outcome=Outcome.LOST, category=refund, channel=Channel.CHAT)
    story(
        ana, "50", at("2026-11-20", 9), covered=True, coverage="organisation", outcome=Outcome.DELIGHTED,
        values=[empathy, ownership],
    )  # fmt: skip
    story(tom, "0", at("2026-10-31", 23).replace(minute=30), covered=True, coverage="team", channel=Channel.EMAIL)
    story(ola, "30", at("2026-11-05"), covered=True, coverage="organisation")
    story(ana, "10", at("2026-10-30"), covered=True, coverage="organisation")
    story(ana, "999", at("2026-11-12"), status=Decision.Status.WITHDRAWN)
    return {
        "org": org,
        "care": care,
        "guests": guests,
        "billing": billing,
        "orders": orders,
        "desk": desk,
        "ana": ana,
        "helen": department_head(care, first_name="Helen", language="en"),
        "grace": manager(billing, first_name="Grace", language="en"),
        "admin": UserFactory(is_staff=True, language="en"),
    }


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:ledger"), params)


def test_a_department_head_sees_their_departments_month_computed_by_hand(client, acme):
    page = get(client, acme["helen"]).content.decode()

    # 4 decisions (20, 80, 50, 0), 3 covered, 3 at or under 50, 3 customers kept (retained or delighted).
    assert page_table(page, "teams") == [
        ["Team", "Stories", "Share covered", "Total cost", "Median cost", "At or under €50", "Customers retained",
         "Customer value kept", "Value kept per unit of cost"],
        ["Billing · Care", "3", "66.7%", "€150", "€50", "66.7%", "2", "€2,000", "13.3×"],
        ["Orders · Care", "1", "100.0%", "€0", "€0", "100.0%", "1", "€1,000", "—"],
    ]  # fmt: skip
    assert page_table(page, "departments")[1:] == [
        ["Care", "4", "75.0%", "€150", "€35", "75.0%", "3", "€3,000", "20.0×"]
    ]
    assert page_table(page, "categories")[1:] == [
        ["Fee waiver", "3", "100.0%", "€70", "€20", "100.0%", "3", "€3,000", "42.9×"],
        ["Refund", "1", "0.0%", "€80", "€80", "0.0%", "0", "€0", "0.0×"],
    ]
    assert page_table(page, "channels")[1:] == [
        ["Phone", "2", "100.0%", "€70", "€35", "100.0%", "2", "€2,000", "28.6×"],
        ["Chat", "1", "0.0%", "€80", "€80", "0.0%", "0", "€0", "0.0×"],
        ["Email", "1", "100.0%", "€0", "€0", "100.0%", "1", "€1,000", "—"],
    ]
    assert page_table(page, "values")[1:] == [
        ["Empathy", "2", "100.0%", "€70", "€35", "100.0%", "2", "€2,000", "28.6×"],
        ["Ownership", "1", "100.0%", "€50", "€50", "100.0%", "1", "€1,000", "20.0×"],
    ]
    assert "Desk" not in page and "€999" not in page


def test_the_trend_counts_each_week_of_the_month_from_its_first_day(client, acme):
    page = get(client, acme["helen"]).content.decode()

    assert page_table(page, "trend")[1:] == [
        ["1 Nov", "1", "€0", "€1,000"],
        ["2 Nov", "1", "€20", "€1,000"],
        ["9 Nov", "1", "€80", "€0"],
        ["16 Nov", "1", "€50", "€1,000"],
        ["23 Nov", "0", "€0", "€0"],
        ["30 Nov", "0", "€0", "€0"],
    ]
    assert page.count('<rect class="chart__bar') == 6 + 2 * 6
    assert "<title>9 Nov · Total cost: €80</title>" in page


def test_a_custom_range_across_the_turn_of_the_month(client, acme):
    page = get(client, acme["helen"], period="custom", start="2026-10-28", end="2026-11-03").content.decode()

    assert "28 Oct – 3 Nov 2026" in page
    assert page_table(page, "trend")[1:] == [["28 Oct", "2", "€10", "€2,000"], ["2 Nov", "1", "€20", "€1,000"]]
    assert page_table(page, "teams")[1][:2] == ["Billing · Care", "2"]


def test_an_empty_period_shows_zeros_and_no_rows(client, acme):
    page = get(client, acme["helen"], period="month", on="2026-09-10").content.decode()

    assert "1 Sep – 30 Sep 2026" in page
    assert page_table(page, "teams") == []
    assert "No stories in this period." in page
    assert '<div class="stat__value">0</div>' in page
    assert page_table(page, "trend")[1] == ["1 Sep", "0", "€0", "€0"]


def test_the_week_and_the_quarter_are_the_leaderboards_calendar(client, acme):
    week = get(client, acme["helen"], period="week").content.decode()
    quarter = get(client, acme["helen"], period="quarter").content.decode()

    assert "Week 47 · 16 Nov – 22 Nov 2026" in week and page_table(week, "departments")[1][1] == "1"
    assert "1 Oct – 31 Dec 2026" in quarter and page_table(quarter, "departments")[1][1] == "5"


def test_a_manager_sees_the_teams_they_manage_only(client, acme):
    page = get(client, acme["grace"]).content.decode()

    assert [row[0] for row in page_table(page, "teams")[1:]] == ["Billing · Care"]
    assert "All the teams you oversee" in page


def test_the_small_decision_threshold_is_the_organisations(client, acme):
    acme["org"].small_decision_threshold = Decimal("20")
    acme["org"].save()

    page = get(client, acme["helen"]).content.decode()

    assert page_table(page, "departments")[0][5] == "At or under €20"
    assert page_table(page, "departments")[1][5] == "50.0%"


def test_every_table_downloads_as_the_csv_of_what_the_page_shows(client, acme):
    page = get(client, acme["helen"]).content.decode()

    for key in ("departments", "teams", "categories", "channels", "values", "trend"):
        response = get(client, acme["helen"], csv=key)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="leeway-ledger-')
        filters, table = read_csv(response.content)
        assert filters[1:] == [["Period", "1 Nov – 30 Nov 2026"], ["Scope", "All the teams you oversee"]]
        assert same_numbers(page_table(page, key), table)
    assert read_csv(get(client, acme["helen"], csv="teams").content)[1][0][3] == "Total cost (EUR)"


def test_the_csv_speaks_the_readers_language_and_keeps_the_scope(client, acme):
    acme["helen"].language = "es"
    acme["helen"].save()

    response = get(client, acme["helen"], csv="categories", scope=f"team-{acme['billing'].pk}")

    filters, table = read_csv(response.content)
    assert filters[2] == ["Ámbito", "Billing · Care"]
    assert table[0][:2] == ["Categoría", "Historias"]
    assert table[1][:2] == ["Exención de cargos", "2"]


def test_a_csv_cell_that_a_spreadsheet_would_run_is_neutralised(client, acme):
    acme["billing"].name = '=HYPERLINK("http://evil.example")'
    acme["billing"].save()

    _filters, table = read_csv(get(client, acme["helen"], csv="teams").content)

    assert table[1][0] == '\'=HYPERLINK("http://evil.example") · Care'


@pytest.mark.parametrize("stories", [1, 12])
def test_the_ledger_runs_a_constant_number_of_queries(client, acme, stories, django_assert_max_num_queries):
    for _ in range(stories):
        DecisionFactory(author=acme["ana"], created_at=at("2026-11-03"))
    client.force_login(acme["helen"])
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(18):
        client.get(reverse("insights:ledger"))
