"""The Setup area is for admins only: everyone else gets 403, and the nav shows it to admins alone."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, admin, agent, department_head, manager

pytestmark = pytest.mark.django_db

PAGES = ["setup:checklist", "setup:organisation", "setup:people", "setup:person_add", "setup:import"]


@pytest.mark.parametrize("name", PAGES)
def test_it_refuses_agents_managers_and_department_heads(client, team, name):
    for person in (agent(team), manager(team), department_head(DepartmentFactory())):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 403


def test_it_refuses_changes_to_a_person_by_a_non_admin(client, team):
    ana, grace = agent(team), manager(team)
    client.force_login(grace)

    assert client.get(reverse("setup:person", args=[ana.pk])).status_code == 403
    assert client.post(reverse("setup:person_set_active", args=[ana.pk]), {"active": "0"}).status_code == 403
    ana.refresh_from_db()
    assert ana.is_active


def test_only_admins_see_the_setup_entry_in_the_navigation(client, team):
    client.force_login(manager(team))
    assert 'href="/setup/"' not in client.get(reverse("home")).content.decode()

    client.force_login(admin())
    page = client.get(reverse("home")).content.decode()
    assert 'href="/setup/"' in page and ">Setup<" in page


def test_admins_reach_every_page(client):
    client.force_login(admin())
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200
