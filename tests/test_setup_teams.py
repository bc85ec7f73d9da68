"""Teams, for admins inside Setup: listed with their department and active managers (a team nobody can approve for
is flagged); added to a department, renamed, moved, given managers. Others get 403."""

import re

import pytest
from django.urls import reverse

from apps.org.models import Membership, Team
from tests.factories import DepartmentFactory, TeamFactory, admin, agent, department_head, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def morgan(client):
    person = admin(first_name="Morgan", last_name="Lee")
    client.force_login(person)
    return person


def _managers(team: Team) -> set[str]:
    return {m.user.display_name for m in team.memberships.filter(role=Membership.Role.MANAGER).select_related("user")}


def test_the_list_shows_managers_and_flags_a_team_without_an_active_one(client, morgan):
    care = DepartmentFactory(name="Care")
    returns, billing = TeamFactory(department=care, name="Returns"), TeamFactory(department=care, name="Billing")
    manager(returns, first_name="Grace", last_name="Okafor")
    manager(billing, first_name="Lea", last_name="Left", is_active=False)

    response = client.get(reverse("setup:teams"))
    page = response.content.decode()

    assert "Grace Okafor" in page and "Lea Left" not in page
    assert {t.name: bool(t.active_managers) for t in response.context["page"].object_list} == {
        "Billing": False,
        "Returns": True,
    }
    assert page.count("No manager: its stories go to the department") == 1


def test_an_admin_adds_a_team_with_managers_who_may_lead_several_teams(client, morgan):
    care = DepartmentFactory(name="Care")
    grace = manager(TeamFactory(department=care), first_name="Grace", last_name="Okafor")

    response = client.post(
        reverse("setup:teams"), {"name": "Returns", "department": care.pk, "managers_add": grace.email}
    )

    assert response.status_code == 302
    assert _managers(Team.objects.get(name="Returns")) == {"Grace Okafor"}
    assert grace.memberships.count() == 2


def test_an_admin_renames_moves_and_changes_managers(client, morgan):
    care, growth = DepartmentFactory(name="Care"), DepartmentFactory(name="Growth")
    team = TeamFactory(department=care, name="Returns")
    manager(team, first_name="Grace", last_name="Okafor")
    ana = agent(team, first_name="Ana", last_name="García")

    client.post(
        reverse("setup:team", args=[team.pk]), {"name": "Sales", "department": growth.pk, "managers_add": ana.email}
    )

    team.refresh_from_db()
    assert (team.name, team.department) == ("Sales", growth)
    assert _managers(team) == {"Ana García"}
    assert not Membership.objects.filter(user=ana, role=Membership.Role.AGENT).exists()


def test_the_team_page_lists_its_managers_ticked_to_untick_and_adds_others_by_address(client, morgan):
    care = DepartmentFactory(name="Care")
    team = TeamFactory(department=care, name="Returns")
    grace = manager(team, first_name="Grace", last_name="Okafor")
    lea = manager(team, first_name="Lea", last_name="Jansen")
    tom = agent(TeamFactory(department=care), first_name="Tom", last_name="Becker")
    mei = agent(TeamFactory(department=care), first_name="Mei", last_name="Chen")

    page = client.get(reverse("setup:team", args=[team.pk])).content.decode()
    client.post(
        reverse("setup:team", args=[team.pk]),
        {
            "name": "Returns",
            "department": care.pk,
            "managers": [grace.email],
            "managers_add": f" {tom.email.upper()},{mei.email} ",
        },
    )

    assert f'value="{grace.email}" id="id_managers_1" checked' in page and "Lea Jansen" in page
    assert _managers(team) == {"Grace Okafor", "Tom Becker", "Mei Chen"}
    assert lea.memberships.filter(team=team).count() == 0


def test_a_form_shown_again_with_an_error_keeps_the_managers_it_offered_as_they_were_ticked(client, morgan):
    care = DepartmentFactory(name="Care")
    team = TeamFactory(department=care, name="Returns")
    grace = manager(team, first_name="Grace", last_name="Okafor")
    lea = manager(team, first_name="Lea", last_name="Jansen")
    url = reverse("setup:team", args=[team.pk])
    offered = client.get(url).content.decode()

    response = client.post(
        url,
        {"name": "", "department": care.pk, "managers": [grace.email], "managers_offered": [grace.email, lea.email]},
    )

    page = response.content.decode()
    assert 'name="managers_offered"' in offered
    assert "name" in response.context["form"].errors
    assert f'value="{grace.email}" id="id_managers_1" checked>' in page
    assert f'value="{lea.email}" id="id_managers_2">' in page
    assert _managers(team) == {"Grace Okafor", "Lea Jansen"}


def test_an_address_nobody_has_is_refused_next_to_the_field_and_kept(client, morgan):
    care = DepartmentFactory(name="Care")
    team = TeamFactory(department=care, name="Returns")
    manager(team, first_name="Grace", last_name="Okafor")

    response = client.post(
        reverse("setup:team", args=[team.pk]),
        {"name": "Sales", "department": care.pk, "managers_add": "nobody@example.com"},
    )

    page = response.content.decode()
    assert response.context["form"].errors["managers"] == [
        "Nobody active in Leeway has the address nobody@example.com."
    ]
    box = re.search(r'<input [^>]*name="managers_add"[^>]*>', page)[0]
    assert 'value="nobody@example.com"' in box and 'aria-invalid="true"' in box
    assert 'value="Sales"' in page
    team.refresh_from_db()
    assert team.name == "Returns" and _managers(team) == {"Grace Okafor"}


def test_a_duplicate_or_empty_name_is_explained_next_to_the_field_and_nothing_is_saved(client, morgan):
    care = DepartmentFactory(name="Care")
    returns = TeamFactory(department=care, name="Returns")
    grace = manager(TeamFactory(department=care, name="Billing"))

    duplicate = client.post(
        reverse("setup:team", args=[returns.pk]),
        {"name": "Billing", "department": care.pk, "managers_add": grace.email},
    )
    empty = client.post(reverse("setup:teams"), {"name": "", "department": care.pk})

    assert duplicate.context["form"].errors["name"] == ["This department already has a team of this name."]
    assert 'value="Billing"' in duplicate.content.decode()
    assert "name" in empty.context["form"].errors
    returns.refresh_from_db()
    assert returns.name == "Returns" and _managers(returns) == set()
    assert Team.objects.count() == 2


@pytest.mark.parametrize("who", ["agent", "manager", "head"])
def test_agents_managers_and_heads_get_403(client, who):
    team = TeamFactory(name="Returns")
    person = {"agent": agent, "manager": manager, "head": lambda t: department_head(t.department)}[who](team)
    client.force_login(person)

    assert client.get(reverse("setup:teams")).status_code == 403
    assert client.post(reverse("setup:teams"), {"name": "X", "department": team.department_id}).status_code == 403
    assert client.post(reverse("setup:team", args=[team.pk]), {"name": "X"}).status_code == 403
    assert list(Team.objects.values_list("name", flat=True)) == ["Returns"]


def test_the_list_filters_by_name_department_and_missing_manager(client, morgan):
    care, growth = DepartmentFactory(name="Care"), DepartmentFactory(name="Growth")
    manager(TeamFactory(department=care, name="Billing"))
    TeamFactory(department=care, name="Returns")
    manager(TeamFactory(department=growth, name="Billing plus"))

    def listed(**query):
        return [t.name for t in client.get(reverse("setup:teams"), query).context["page"].object_list]

    assert listed() == ["Billing", "Returns", "Billing plus"]
    assert listed(q="bill") == ["Billing", "Billing plus"]
    assert listed(department=care.pk) == ["Billing", "Returns"]
    assert listed(without_manager="on") == ["Returns"]
    assert "No team matches these filters." in client.get(reverse("setup:teams"), {"q": "zzz"}).content.decode()


def test_a_long_list_comes_in_pages_in_name_order(client, morgan, monkeypatch):
    monkeypatch.setattr("apps.setup.views.TEAMS_PAGE_SIZE", 2)
    care = DepartmentFactory(name="Care")
    for name in ("Alpha", "Bravo", "Charlie"):
        TeamFactory(department=care, name=name)

    first = client.get(reverse("setup:teams")).content.decode()
    second = client.get(reverse("setup:teams"), {"department": care.pk, "page": 2}).content.decode()

    assert "3 teams" in first and "Alpha" in first and "Charlie" not in first
    assert f'href="?department={care.pk}&amp;page=1" rel="prev">Previous</a>' in second and "Charlie" in second


@pytest.mark.parametrize("size", [2, 20])
def test_the_list_runs_a_constant_number_of_queries(client, morgan, size, django_assert_max_num_queries):
    for _ in range(size):
        team = TeamFactory()
        manager(team)
        agent(team)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("setup:teams")).status_code == 200
