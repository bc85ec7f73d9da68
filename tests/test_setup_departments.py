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


def test_the_department_page_ticks_its_active_heads_and_a_save_keeps_every_head(client, morgan):
    care = DepartmentFactory(name="Care")
    hana = department_head(care, first_name="Hana", last_name="Ito")
    gone = department_head(care, first_name="Lea", last_name="Left", is_active=False)

    page = client.get(reverse("setup:department", args=[care.pk])).content.decode()
    response = client.post(
        reverse("setup:department", args=[care.pk]), {"name": "Customer care", "heads": [hana.email]}
    )

    assert f'value="{hana.email}" id="id_heads_1" checked' in page
    assert "Lea Left" not in page and gone.email not in page
    assert response.status_code == 302
    care.refresh_from_db()
    # Lea, deactivated, stays a head (as a team keeps its deactivated managers): reactivated, she finds her role again.
    assert care.name == "Customer care" and set(care.heads.all()) == {hana, gone}


def test_unticking_a_head_takes_them_off_and_leaves_a_deactivated_head_alone(client, morgan):
    care = DepartmentFactory(name="Care")
    hana, ivo = department_head(care), department_head(care)
    gone = department_head(care, is_active=False)

    client.post(reverse("setup:department", args=[care.pk]), {"name": "Care", "heads": [ivo.email]})

    assert set(care.heads.all()) == {ivo, gone}
    assert hana not in care.heads.all()


def test_addresses_are_matched_in_any_case_and_every_unknown_one_is_named(client, morgan):
    care = DepartmentFactory(name="Care")
    hana = UserFactory(email="Hana.Ito@Example.com")  # stored with capitals (say, by Django's admin)
    url = reverse("setup:department", args=[care.pk])

    unknown = client.post(url, {"name": "Care", "heads_add": "hana.ito@example.com; b@x.example a@x.example"})
    saved = client.post(url, {"name": "Care", "heads_add": "HANA.ITO@example.com"})
    kept = client.post(url, {"name": "Care", "heads": [hana.email]})

    assert unknown.context["form"].errors["heads"] == [
        "Nobody active in Leeway has these addresses: a@x.example, b@x.example."
    ]
    assert 'value="b@x.example, a@x.example"' in unknown.content.decode()
    assert saved.status_code == kept.status_code == 302
    assert list(care.heads.all()) == [hana]


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


def test_the_list_filters_by_name_and_missing_head(client, morgan):
    care, care_plus, growth = (DepartmentFactory(name=name) for name in ("Care", "Care plus", "Growth"))
    department_head(care)
    department_head(care_plus, is_active=False)  # a deactivated head oversees nothing

    def listed(**query):
        return [d.name for d in client.get(reverse("setup:departments"), query).context["page"].object_list]

    assert listed() == ["Care", "Care plus", "Growth"]
    assert listed(q="CARE") == ["Care", "Care plus"]
    assert listed(without_head="on") == ["Care plus", "Growth"]
    nothing = client.get(reverse("setup:departments"), {"q": "z"}).content.decode()
    assert "No department matches these filters." in nothing


def test_a_long_list_comes_in_pages_in_name_order(client, morgan, monkeypatch):
    monkeypatch.setattr("apps.setup.views.DEPARTMENTS_PAGE_SIZE", 2)
    for name in ("Alpha", "Bravo", "Charlie"):
        DepartmentFactory(name=name)

    first = client.get(reverse("setup:departments")).content.decode()
    second = client.get(reverse("setup:departments"), {"q": "a", "without_head": "on", "page": 2}).content.decode()

    assert "3 departments" in first and "Alpha" in first and "Charlie" not in first
    assert 'href="?q=a&amp;without_head=on&amp;page=1" rel="prev">Previous</a>' in second and "Charlie" in second
