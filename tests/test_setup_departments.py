"""Departments, for admins inside Setup: listed with their heads and team counts; added, renamed, given heads;
deleted only when empty. Others get 403."""

import pytest
from django.urls import reverse

from apps.org.models import Department, Organisation
from tests.factories import DepartmentFactory, TeamFactory, UserFactory, admin, agent, department_head, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def morgan(client):
    person = admin(first_name="Morgan", last_name="Lee")
    client.force_login(person)
    return person


def test_the_list_shows_each_department_with_its_heads_and_team_count(client, morgan):
    care = DepartmentFactory(name="Care")
    TeamFactory(department=care, name="Returns")
    TeamFactory(department=care, name="Billing")
    department_head(care, first_name="Hana", last_name="Sato")
    DepartmentFactory(name="Growth")

    page = client.get(reverse("setup:departments")).content.decode()

    assert "Care" in page and "Hana Sato" in page and "<td>2</td>" in page
    assert "Growth" in page and "No head" in page


def test_an_admin_adds_a_department_with_its_heads(client, morgan):
    hana = UserFactory(first_name="Hana", last_name="Sato")

    response = client.post(reverse("setup:departments"), {"name": "Care", "heads_add": hana.email})

    assert response.status_code == 302
    assert list(Department.objects.get(name="Care").heads.all()) == [hana]


def test_an_admin_renames_a_department_and_changes_its_heads(client, morgan):
    care = DepartmentFactory(name="Care")
    old, new = department_head(care), UserFactory()

    client.post(reverse("setup:department", args=[care.pk]), {"name": "Customer care", "heads_add": new.email})

    care.refresh_from_db()
    assert care.name == "Customer care"
    assert list(care.heads.all()) == [new]
    assert old not in care.heads.all()


def test_a_duplicate_or_empty_name_is_explained_next_to_the_field_and_nothing_is_saved(client, morgan):
    DepartmentFactory(name="Care", organisation=Organisation.current())

    duplicate = client.post(reverse("setup:departments"), {"name": "Care"})
    empty = client.post(reverse("setup:departments"), {"name": "  "})

    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors["name"] == ["There is already a department of this name."]
    assert 'value="Care"' in duplicate.content.decode()
    assert "name" in empty.context["form"].errors
    assert Department.objects.count() == 1


def test_only_an_empty_department_is_deleted(client, morgan):
    care, empty = DepartmentFactory(name="Care"), DepartmentFactory(name="Old")
    TeamFactory(department=care)

    refused = client.post(reverse("setup:department_delete", args=[care.pk]), follow=True)
    client.post(reverse("setup:department_delete", args=[empty.pk]))

    assert "Care still has teams: move or delete them first." in refused.content.decode()
    assert list(Department.objects.values_list("name", flat=True)) == ["Care"]


@pytest.mark.parametrize("who", ["agent", "manager", "head"])
def test_agents_managers_and_heads_get_403(client, who):
    care = DepartmentFactory(name="Care")
    team = TeamFactory(department=care)
    person = {"agent": lambda: agent(team), "manager": lambda: manager(team), "head": lambda: department_head(care)}
    client.force_login(person[who]())

    assert client.get(reverse("setup:departments")).status_code == 403
    assert client.post(reverse("setup:departments"), {"name": "Sales"}).status_code == 403
    assert client.post(reverse("setup:department", args=[care.pk]), {"name": "X"}).status_code == 403
    assert client.post(reverse("setup:department_delete", args=[care.pk])).status_code == 403
    assert Department.objects.get().name == "Care"


@pytest.mark.parametrize("size", [2, 20])
def test_the_list_runs_a_constant_number_of_queries(client, morgan, size, django_assert_max_num_queries):
    for _ in range(size):
        department = DepartmentFactory()
        TeamFactory(department=department)
        department_head(department)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("setup:departments")).status_code == 200
