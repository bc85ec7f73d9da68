"""Who reads which insights: admins everything, department heads their departments' teams, managers their teams,
agents only their own stats. Every page and every CSV follows the same rule, whatever the address says."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import DepartmentFactory, TeamFactory, UserFactory, agent, department_head, manager

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
# Each page about teams, and one of its CSV tables.
PAGES = {
    "insights:ledger": "teams",
    "insights:managers": "managers",
    "insights:calibration": "categories",
    "insights:reach": "teams",
}


@pytest.fixture
def org(db):
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    billing, desk = TeamFactory(name="Billing", department=care), TeamFactory(name="Desk", department=guests)
    return {
        "care": care,
        "guests": guests,
        "billing": billing,
        "desk": desk,
        "agent": agent(billing),
        "manager": manager(billing),
        "head": department_head(care),
        "admin": UserFactory(is_staff=True),
    }


def status(client, user, name, **params) -> int:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(name), params).status_code


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("as_csv", [False, True])
def test_an_agent_reads_no_team_insights(client, org, name, as_csv):
    csv = {"csv": PAGES[name]} if as_csv else {}
    assert status(client, org["agent"], name, **csv) == 403


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("as_csv", [False, True])
@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("manager", ["team-{billing}"], ["team-{desk}", "department-{care}", "department-{guests}"]),
        ("head", ["team-{billing}", "department-{care}"], ["team-{desk}", "department-{guests}"]),
        ("admin", ["team-{billing}", "team-{desk}", "department-{care}", "department-{guests}"], []),
    ],
)
def test_each_role_reads_its_own_scopes_and_a_tampered_one_is_not_found(
    client, org, name, as_csv, who, allowed, refused
):
    csv = {"csv": PAGES[name]} if as_csv else {}
    ids = {key: org[key].pk for key in ("billing", "desk", "care", "guests")}

    assert status(client, org[who], name, **csv) == 200
    for scope in allowed:
        assert status(client, org[who], name, scope=scope.format(**ids), **csv) == 200
    for scope in refused:
        assert status(client, org[who], name, scope=scope.format(**ids), **csv) == 404


@pytest.mark.parametrize(
    "params", [{"scope": "team-999999"}, {"scope": "everything"}, {"period": "decade"}, {"csv": "secrets"}]
)
def test_an_address_that_names_nothing_offered_is_not_found(client, org, params):
    for name in PAGES:
        assert status(client, org["head"], name, **params) == 404


@pytest.mark.parametrize("csv", [{}, {"csv": "categories"}])
def test_everyone_reads_their_own_stats(client, org, csv):
    for who in ("agent", "manager", "head", "admin"):
        assert status(client, org[who], "insights:mine", **csv) == 200


def test_insights_open_on_the_ledger_for_overseers_and_on_my_stats_for_agents(client, org):
    client.force_login(org["agent"])
    assert client.get(reverse("insights:index")).url == reverse("insights:mine")
    for who in ("manager", "head", "admin"):
        client.force_login(org[who])
        assert client.get(reverse("insights:index")).url == reverse("insights:ledger")


def test_the_navigation_offers_insights_to_overseers_and_my_stats_to_agents(client, org):
    client.force_login(org["agent"])
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("insights:mine")}"' in page and ">Insights<" not in page
    for who in ("manager", "head", "admin"):
        client.force_login(org[who])
        assert f'href="{reverse("insights:index")}"' in client.get(reverse("home")).content.decode()
        tabs = client.get(reverse("insights:mine")).content.decode()
        assert f'href="{reverse("insights:ledger")}"' in tabs and f'href="{reverse("insights:managers")}"' in tabs


def test_a_custom_range_with_a_mistake_says_so_next_to_the_field_and_keeps_the_text(client, org):
    client.force_login(org["head"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            reverse("insights:ledger"), {"period": "custom", "start": "2026-11-10", "end": "2026-11-01"}
        ).content.decode()

    assert "The last day comes before the first day." in page
    assert 'value="2026-11-10"' in page and 'value="2026-11-01"' in page
    assert "1 Nov – 30 Nov 2026" in page  # this month meanwhile


def test_past_a_few_teams_the_scope_menu_lists_the_teams_of_the_department_in_force(client, org, monkeypatch):
    monkeypatch.setattr("apps.org.selectors.TEAM_MENU_MAX", 1)
    client.force_login(org["admin"])

    def menu(**params) -> str:
        with time_machine.travel(NOW, tick=False):
            return client.get(reverse("insights:ledger"), params).content.decode()

    everything = menu()
    care = menu(scope=f"department-{org['care'].pk}")
    desk = menu(scope=f"team-{org['desk'].pk}")

    assert ">Care</option>" in everything and "Billing · Care" not in everything and "Desk · Guests" not in everything
    assert "Choose a department to list its teams here." in everything
    assert "Billing · Care" in care and "Desk · Guests" not in care and "Choose a department" not in care
    assert (
        f'<option value="team-{org["desk"].pk}" selected>Desk · Guests</option>' in desk
        and "Billing · Care" not in desk
    )
