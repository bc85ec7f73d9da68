"""Insights for a scope of many teams read figures worked out a few minutes ago, say so, and are kept ready by beat;
smaller scopes are worked out on each visit."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from apps.insights import figures
from apps.insights.figures import figures_warm
from apps.insights.tasks import warm_figures
from apps.org.models import Organisation
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    TeamFactory,
    TeamGuardrailFactory,
    TrustStatementFactory,
    UserFactory,
    agent,
    api_token,
    manager,
)
from tests.insights_helpers import page_table, read_csv

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def acme(db, monkeypatch):
    """Three teams, and the whole organisation counts as a large scope; Care (two teams) and each team do not."""
    monkeypatch.setattr(figures, "LARGE_SCOPE_TEAMS", 3)
    org = Organisation.current()
    org.time_zone = "UTC"
    org.save()
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    billing, orders = TeamFactory(name="Billing", department=care), TeamFactory(name="Orders", department=care)
    desk = TeamFactory(name="Desk", department=guests)
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver"), limit=Decimal("50")).category
    ana, ola = agent(billing, first_name="Ana"), agent(desk, first_name="Ola", last_name="Quiet")
    for cost in ("10", "20", "30", "40", "45"):
        DecisionFactory(author=ana, category=fee, cost=Decimal(cost), created_at=NOW - datetime.timedelta(days=3))
    return {
        "care": care,
        "billing": billing,
        "fee": fee,
        "ana": ana,
        "ola": ola,
        "admin": UserFactory(is_staff=True, language="en"),
        "mia": manager(billing, orders, desk, first_name="Mia", language="en"),
    }


def visit(client, user, name="ledger", moment=NOW, **params):
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        return client.get(reverse(f"insights:{name}"), params)


def stories_of_care(page: str) -> str:
    return next(row[1] for row in page_table(page, "departments") if row[0] == "Care")


def test_the_whole_organisation_reads_figures_a_few_minutes_old_and_says_when(client, acme):
    first = visit(client, acme["admin"]).content.decode()
    DecisionFactory(author=acme["ana"], category=acme["fee"], created_at=NOW)

    later = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=4)).content.decode()
    after_ten_minutes = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=11)).content.decode()

    assert stories_of_care(first) == stories_of_care(later) == "5"
    assert "Figures as of 09:30: for this many teams they are worked out every few minutes" in later
    assert stories_of_care(after_ten_minutes) == "6"
    assert "Figures as of 09:41" in after_ten_minutes


def test_the_csv_of_stored_figures_says_when_they_were_worked_out(client, acme):
    visit(client, acme["admin"])

    export = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=3), csv="departments")

    filters, table = read_csv(export.content)
    assert ["Figures as of", "20 Nov 2026, 09:30"] in filters
    assert table[1][:2] == ["Care", "5"]


def test_a_smaller_scope_is_worked_out_on_each_visit(client, acme):
    visit(client, acme["admin"], scope=f"department-{acme['care'].pk}")
    DecisionFactory(author=acme["ana"], category=acme["fee"], created_at=NOW)

    page = visit(client, acme["admin"], scope=f"department-{acme['care'].pk}").content.decode()

    assert stories_of_care(page) == "6"
    assert "Figures as of" not in page


def test_an_adopted_limit_shows_at_once_on_the_stored_calibration(client, acme):
    before = visit(client, acme["admin"], "calibration").content.decode()
    assert page_table(before, "categories")[1][:2] == ["Fee waiver", "$50"]
    client.force_login(acme["admin"])
    data = {"category": acme["fee"].pk, "limit": "45", "team": "", "query": "period=month"}

    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        after = client.post(reverse("insights:adopt_limit"), data, follow=True).content.decode()

    assert page_table(after, "categories")[1][:2] == ["Fee waiver", "$45"]


def _raise_anas_limit(acme):
    TrustStatementFactory(
        team=acme["billing"], author=acme["mia"], agent=acme["ana"], category=acme["fee"], raised_limit=Decimal("80")
    )


def _value_customers_more(acme):
    org = Organisation.current()
    org.customer_lifetime_value = Decimal("2000.00")
    org.save()


def _set_a_teams_own_limit(acme):
    TeamGuardrailFactory(team=acme["billing"], category=acme["fee"], limit=Decimal("60"))


@pytest.mark.parametrize("change", [_raise_anas_limit, _value_customers_more, _set_a_teams_own_limit])
def test_what_the_figures_are_measured_against_changing_forgets_them(client, acme, change):
    visit(client, acme["admin"])  # stored at 09:30
    DecisionFactory(author=acme["ana"], category=acme["fee"], created_at=NOW)

    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        change(acme)
    page = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=2)).content.decode()

    assert "Figures as of 09:32" in page
    assert stories_of_care(page) == "6"


def test_the_quiet_people_of_stored_figures_are_listed_only_for_their_manager(client, acme):
    # The admin (who manages no team) and Mia (who manages all three) read the same stored figures.
    admins_page = visit(client, acme["admin"], "reach").content.decode()
    mias_page = visit(client, acme["mia"], "reach").content.decode()

    assert "Figures as of" in mias_page
    assert "Ola Quiet" in mias_page
    assert "Ola Quiet" not in admins_page
    assert "People to encourage in your teams" not in admins_page


def test_beat_works_out_the_whole_organisation_in_every_language_ahead_of_readers(client, acme):
    with time_machine.travel(NOW, tick=False):
        worked_out = figures_warm()
    DecisionFactory(author=acme["ana"], category=acme["fee"], created_at=NOW)
    acme["admin"].language = "nl"
    acme["admin"].save()

    page = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=2)).content.decode()

    assert worked_out == len(figures.BUILDERS) * len(settings.LANGUAGES)
    assert stories_of_care(page) == "5"  # the figures beat worked out, before the new story
    assert "Cijfers van 09:30" in page
    assert settings.CELERY_BEAT_SCHEDULE["insights-warm-figures"]["task"] == warm_figures.name


def test_beat_leaves_a_small_organisation_to_be_worked_out_on_each_visit(acme, monkeypatch):
    monkeypatch.setattr(figures, "LARGE_SCOPE_TEAMS", 4)

    with time_machine.travel(NOW, tick=False):
        assert figures_warm() == 0


def test_each_language_reads_figures_written_in_its_own_number_format(client, acme):
    english = visit(client, acme["admin"]).content.decode()
    acme["admin"].language = "es"
    acme["admin"].save()

    spanish = visit(client, acme["admin"], moment=NOW + datetime.timedelta(minutes=1)).content.decode()

    assert page_table(english, "departments")[1][:3] == ["Care", "5", "0.0%"]
    assert page_table(spanish, "departments")[1][:3] == ["Care", "5", "0,0 %"]
    assert "Cifras de las 09:31" in spanish  # worked out for this first Spanish reader


def test_the_apis_ledger_of_the_whole_organisation_reads_the_same_stored_figures_and_says_when(client, acme):
    headers = {"Authorization": f"Bearer {api_token(acme['admin'], service=True)}"}
    with time_machine.travel(NOW, tick=False):
        first = client.get(reverse("api:ledger"), headers=headers).json()
    DecisionFactory(author=acme["ana"], category=acme["fee"], created_at=NOW)
    with time_machine.travel(NOW + datetime.timedelta(minutes=4), tick=False):
        later = client.get(reverse("api:ledger"), headers=headers).json()
        team = client.get(reverse("api:ledger"), {"scope": f"team-{acme['billing'].pk}"}, headers=headers).json()

    assert first["totals"]["decisions"] == later["totals"]["decisions"] == 5
    assert first["figures_as_of"] == later["figures_as_of"] == "2026-11-20T09:30:00Z"
    assert team["totals"]["decisions"] == 6 and team["figures_as_of"] is None  # one team: worked out for this call
