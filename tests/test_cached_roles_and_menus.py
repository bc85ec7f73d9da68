"""What every page shows of the reader's place (their roles in the menu, the teams near them in the feed's filters)
and the names in the feed's filters are kept in the cache: any change to them shows on the very next page."""

import pytest
from django.db import transaction
from django.urls import reverse

from apps.org.models import Membership
from apps.setup import importing
from apps.setup import services as setup_services
from tests.factories import CategoryFactory, DepartmentFactory, TeamFactory, admin, agent

pytestmark = pytest.mark.django_db

MANAGE_LINK = ">Manage</a>"


def _feed(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _team_menu(page: str) -> str:
    start = page.index('name="team"')
    return page[start : page.index("</select>", start)]


def test_someone_made_a_manager_sees_manage_on_the_next_page(client, team):
    person = agent(team)
    client.force_login(person)
    assert MANAGE_LINK not in _feed(client)

    setup_services.team_save(team=team, name=team.name, department=team.department, managers=[person])

    assert MANAGE_LINK in _feed(client)


def test_someone_made_a_department_head_sees_manage_on_the_next_page(client, team):
    person = agent(team)
    client.force_login(person)
    assert MANAGE_LINK not in _feed(client)

    team.department.heads.add(person)

    assert MANAGE_LINK in _feed(client)


def test_a_manager_no_more_loses_manage_on_the_next_page(client, team):
    person = agent(TeamFactory())
    Membership.objects.create(user=person, team=team, role=Membership.Role.MANAGER)
    client.force_login(person)
    assert MANAGE_LINK in _feed(client)

    Membership.objects.filter(user=person, role=Membership.Role.MANAGER).delete()

    assert MANAGE_LINK not in _feed(client)


def test_the_team_menu_follows_new_teams_renames_and_moves(client, team):
    person = agent(team)
    elsewhere = TeamFactory(name="Far away", department=DepartmentFactory())
    client.force_login(person)
    assert "Far away" not in _team_menu(_feed(client))

    TeamFactory(name="Brand new", department=team.department)
    team.name = "Renamed team"
    team.save()
    page = _feed(client)
    assert "Brand new" in _team_menu(page) and "Renamed team" in _team_menu(page)

    setup_services.membership_set(user=person, team=elsewhere, role=Membership.Role.AGENT)
    assert "Far away" in _team_menu(_feed(client))


def test_the_filters_follow_a_renamed_category(client, an_agent):
    category = CategoryFactory(name="Late fees")
    client.force_login(an_agent)
    assert "Late fees" in _feed(client)

    category.name = "Fees waived"
    category.save()

    page = _feed(client)
    assert "Fees waived" in page and "Late fees" not in page


def test_an_import_that_makes_someone_a_manager_shows_at_once(client, team):
    """Imports write memberships in bulk, which sends no signal."""
    person = agent(team, first_name="Ana", last_name="García")
    client.force_login(person)
    assert MANAGE_LINK not in _feed(client)

    plan = importing.build_plan(
        "email,name,department,team,role,language,time_zone\n"
        f"{person.email},Ana García,{team.department.name},{team.name},manager,en,\n"
    )
    with transaction.atomic():
        importing.import_apply(plan, invited_by=admin())

    assert MANAGE_LINK in _feed(client)
