"""The first-run checklist: each step links to its page, says whether it is done, and names teams without a
manager (and who stands in for them) and people without a team."""

import pytest
from django.urls import reverse

from apps.org.models import Organisation
from tests.factories import (
    DepartmentFactory,
    GuardrailFactory,
    TeamFactory,
    UserFactory,
    admin,
    agent,
    department_head,
    manager,
)

pytestmark = pytest.mark.django_db


def _steps(page: str) -> str:
    return page.split('class="checklist"', 1)[1]


def test_on_a_fresh_installation_nothing_is_done(client):
    client.force_login(admin())

    page = client.get(reverse("setup:checklist")).content.decode()

    assert "0 of 5 steps done." in page
    assert _steps(page).count("To do") == 5
    for name in ("setup:organisation", "setup:departments", "setup:teams", "setup:categories", "setup:people"):
        assert f'href="{reverse(name)}"' in page


def test_a_set_up_organisation_has_every_step_done(client):
    Organisation.objects.create(name="Acme Support")
    care = DepartmentFactory()
    department_head(care)
    billing = TeamFactory(department=care)
    manager(billing)
    agent(billing)
    GuardrailFactory()
    client.force_login(admin())

    page = client.get(reverse("setup:checklist")).content.decode()

    assert "5 of 5 steps done." in page


def test_it_names_a_team_without_a_manager_and_who_takes_its_stories(client):
    care = DepartmentFactory(name="Customer Care")
    department_head(care, first_name="Helen", last_name="Carter")
    TeamFactory(department=care, name="Billing")
    orphan = TeamFactory(name="Night shift")
    leaver = manager(orphan)
    leaver.is_active = False
    leaver.save()
    client.force_login(admin())

    page = client.get(reverse("setup:checklist")).content.decode()

    assert "Billing has no manager: its stories go to Helen Carter, head of Customer Care." in page
    assert "Night shift has no manager: its stories go to the admins." in page
    # The step opens the list of what is left to do: the teams without a manager, the department without a head.
    assert f'href="{reverse("setup:teams")}?without_manager=on"' in page
    assert f'href="{reverse("setup:departments")}?without_head=on"' in page


def test_it_names_people_without_a_team(client, team):
    UserFactory(first_name="Nadia", last_name="Nowhere")
    agent(team, first_name="Ana", last_name="Placed")
    department_head(team.department, first_name="Hana", last_name="Head")  # in no team, but she heads a department
    client.force_login(admin())

    page = client.get(reverse("setup:checklist")).content.decode()

    assert "Nadia Nowhere is in no team yet, so cannot log a story." in page
    assert "Ana Placed is in no team" not in page and "Hana Head is in no team" not in page
    assert f'href="{reverse("setup:people")}?role=none"' in page


@pytest.mark.parametrize("size", [2, 20])
def test_it_runs_a_constant_number_of_queries(client, size, django_assert_max_num_queries):
    for _ in range(size):
        team = TeamFactory()
        agent(team)
        UserFactory()
    client.force_login(admin())

    with django_assert_max_num_queries(17):
        assert client.get(reverse("setup:checklist")).status_code == 200


def test_it_names_twenty_and_counts_the_rest(client, monkeypatch):
    monkeypatch.setattr("apps.setup.selectors.CHECKLIST_NAMES", 2)
    for name in ("Alpha", "Bravo", "Charlie", "Delta"):
        TeamFactory(name=name)
    for name in ("Nadia", "Olga", "Pia"):
        UserFactory(first_name=name, last_name="Nowhere")
    client.force_login(admin())

    page = client.get(reverse("setup:checklist")).content.decode()

    assert "Alpha has no manager" in page and "Bravo has no manager" in page and "Charlie has no" not in page
    assert "And 2 more teams without a manager." in page
    assert "Nadia Nowhere is in no team yet" in page and "Pia Nowhere" not in page
    assert "And 1 more person in no team." in page
