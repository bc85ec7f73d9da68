"""People, for admins: a searchable, filterable list; add one person (invited, never given a password by the admin);
change their team and role; deactivate and reactivate."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse

from apps.accounts.models import User
from apps.org.models import Membership
from apps.setup.models import Invitation
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    admin,
    agent,
    department_head,
    manager,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def morgan(client):
    person = admin(first_name="Morgan", last_name="Lee")
    client.force_login(person)
    return person


def _names(response) -> list[str]:
    return [p.display_name for p in response.context["page"].object_list]


def test_it_searches_by_name_and_email(client, morgan, team):
    agent(team, first_name="Ana", last_name="García", email="ana@acme.example")
    agent(team, first_name="Tom", last_name="Becker", email="tom@acme.example")

    assert _names(client.get(reverse("setup:people"), {"q": "garc"})) == ["Ana García"]
    assert _names(client.get(reverse("setup:people"), {"q": "tom@"})) == ["Tom Becker"]


def test_it_filters_by_team_role_and_active(client, morgan):
    billing, orders = TeamFactory(), TeamFactory()
    agent(billing, first_name="Ana", last_name="A")
    manager(billing, first_name="Grace", last_name="G")
    agent(orders, first_name="Kwame", last_name="K", is_active=False)
    UserFactory(first_name="Nadia", last_name="N")
    department_head(billing.department, first_name="Hana", last_name="H")  # in no team, but heads a department

    assert _names(client.get(reverse("setup:people"), {"team": billing.pk})) == ["Ana A", "Grace G"]
    assert _names(client.get(reverse("setup:people"), {"role": "manager"})) == ["Grace G"]
    assert _names(client.get(reverse("setup:people"), {"role": "none"})) == ["Nadia N"]
    assert _names(client.get(reverse("setup:people"), {"active": "no"})) == ["Kwame K"]
    assert "Kwame K" not in _names(client.get(reverse("setup:people")))


def test_the_team_menu_names_each_team_with_its_department(client, morgan):
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    first, second = TeamFactory(name="Billing", department=care), TeamFactory(name="Billing", department=guests)

    page = client.get(reverse("setup:people"), {"team": second.pk}).content.decode()

    assert f'<option value="{first.pk}">Billing · Care</option>' in page
    assert f'<option value="{second.pk}" selected>Billing · Guests</option>' in page


def test_the_add_a_person_menu_names_each_team_with_its_department(client, morgan):
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    first, second = TeamFactory(name="Billing", department=care), TeamFactory(name="Billing", department=guests)

    page = client.get(reverse("setup:person_add")).content.decode()

    assert f'<option value="{first.pk}">Billing · Care</option>' in page
    assert f'<option value="{second.pk}">Billing · Guests</option>' in page


def test_someone_who_leads_two_teams_is_listed_once_whatever_the_filter(client, morgan):
    billing, orders = TeamFactory(), TeamFactory()
    grace = manager(billing, first_name="Grace", last_name="G")
    MembershipFactory(user=grace, team=orders, role=Membership.Role.MANAGER)

    assert _names(client.get(reverse("setup:people"))) == ["Grace G", "Morgan Lee"]
    for filters in ({"role": "manager"}, {"team": billing.pk}, {"q": "grace"}):
        assert _names(client.get(reverse("setup:people"), filters)) == ["Grace G"]


@time_machine.travel(datetime.datetime(2026, 11, 29, 9, tzinfo=datetime.UTC), tick=False)
def test_it_shows_and_filters_by_the_last_sign_in(client, morgan, team):
    agent(team, first_name="Ana", last_name="A", last_login=datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC))
    agent(team, first_name="Lea", last_name="L", last_login=datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC))
    agent(team, first_name="Tom", last_name="B")

    page = client.get(reverse("setup:people")).content.decode()

    assert "20 Nov 2026" in page and "Never" in page
    assert _names(client.get(reverse("setup:people"), {"signed_in": "never"})) == ["Tom B"]
    assert _names(client.get(reverse("setup:people"), {"signed_in": "30"})) == ["Lea L", "Tom B"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(client, morgan, size, django_assert_max_num_queries):
    for _ in range(size):
        team = TeamFactory()
        agent(team)
        manager(team)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("setup:people")).status_code == 200


def test_adding_a_person_invites_them_without_a_password(client, morgan, team):
    response = client.post(
        reverse("setup:person_add"),
        {
            "email": "Nina@Acme.example",
            "first_name": "Nina",
            "last_name": "Berg",
            "language": "nl",
            "time_zone": "Europe/Amsterdam",
            "team": team.pk,
            "role": "agent",
        },
    )

    nina = User.objects.get(email="nina@acme.example")
    assert response.url == reverse("setup:person", args=[nina.pk])
    assert not nina.has_usable_password()
    assert nina.memberships.get().team == team
    assert Invitation.objects.get(user=nina).invited_by == morgan
    assert not EmailAddress.objects.get(user=nina).verified


def test_a_taken_address_is_refused_next_to_the_field_and_the_rest_is_kept(client, morgan, team):
    agent(team, email="ana@acme.example")

    response = client.post(
        reverse("setup:person_add"),
        {"email": "ANA@acme.example", "first_name": "Another", "language": "en", "role": "agent"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Someone already has this address."]
    assert 'value="Another"' in response.content.decode()
    assert User.objects.filter(first_name="Another").count() == 0


def test_making_an_agent_an_agent_of_another_team_moves_them(client, morgan):
    billing, orders = TeamFactory(), TeamFactory()
    ana = agent(billing)

    client.post(reverse("setup:person", args=[ana.pk]), {"team": orders.pk, "role": "agent"})

    assert list(ana.memberships.values_list("team", "role")) == [(orders.pk, "agent")]


def test_a_manager_may_lead_a_second_team_and_be_taken_out_of_one(client, morgan):
    billing, orders = TeamFactory(), TeamFactory()
    grace = manager(billing)

    client.post(reverse("setup:person", args=[grace.pk]), {"team": orders.pk, "role": "manager"})
    assert set(grace.memberships.values_list("team", flat=True)) == {billing.pk, orders.pk}

    membership = grace.memberships.get(team=billing)
    client.post(reverse("setup:membership_remove", args=[grace.pk, membership.pk]))
    assert list(grace.memberships.values_list("team", flat=True)) == [orders.pk]


def test_a_deactivated_person_cannot_sign_in_and_can_be_reactivated(client, morgan, team, password):
    ana = agent(team, email="ana@acme.example")

    client.post(reverse("setup:person_set_active", args=[ana.pk]), {"active": "0"})
    ana.refresh_from_db()
    assert not ana.is_active
    assert Membership.objects.filter(user=ana).exists()  # they keep their history

    client.logout()
    response = client.post(reverse("account_login"), {"login": "ana@acme.example", "password": password})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302) and response.get("Location", "") != reverse("home")

    client.force_login(morgan)
    client.post(reverse("setup:person_set_active", args=[ana.pk]), {"active": "1"})
    ana.refresh_from_db()
    assert ana.is_active


def test_a_deactivated_persons_open_session_ends(client, team):
    ana = agent(team)
    client.force_login(ana)
    User.objects.filter(pk=ana.pk).update(is_active=False)

    assert client.get(reverse("home")).status_code == 302


def test_an_admin_cannot_deactivate_themselves(client, morgan):
    response = client.post(reverse("setup:person_set_active", args=[morgan.pk]), {"active": "0"}, follow=True)

    morgan.refresh_from_db()
    assert morgan.is_active
    assert "You cannot deactivate yourself." in response.content.decode()


def test_the_organisation_settings_are_saved(client, morgan):
    response = client.post(
        reverse("setup:organisation"),
        {
            "name": "Acme Support",
            "currency": "EUR",
            "customer_lifetime_value": "900",
            "digest_weekday": "4",
            "digest_time": "16:30",
            "time_zone": "Europe/Madrid",
        },
    )

    assert response.url == reverse("setup:checklist")
    from apps.org.models import Organisation

    org = Organisation.current()
    assert (org.name, org.currency, org.time_zone, org.digest_time) == (
        "Acme Support",
        "EUR",
        "Europe/Madrid",
        datetime.time(16, 30),
    )


def test_people_are_found_by_department_its_teams_and_its_heads(client, morgan):
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    agent(TeamFactory(department=care), first_name="Ana", last_name="A")
    agent(TeamFactory(department=guests), first_name="Tom", last_name="B")
    care.heads.add(UserFactory(first_name="Helen", last_name="H"))

    assert _names(client.get(reverse("setup:people"), {"department": care.pk})) == ["Ana A", "Helen H"]


def test_past_a_few_teams_the_team_menu_lists_the_chosen_departments(client, morgan, monkeypatch):
    monkeypatch.setattr("apps.org.selectors.TEAM_MENU_MAX", 2)
    care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
    TeamFactory(name="Billing", department=care), TeamFactory(name="Desk", department=care)
    orders = TeamFactory(name="Orders", department=guests)

    everyone = client.get(reverse("setup:people")).content.decode()
    care_page = client.get(reverse("setup:people"), {"department": care.pk}).content.decode()
    linked = client.get(reverse("setup:people"), {"team": orders.pk}).content.decode()

    assert "Billing · Care" not in everyone and "Choose a department and filter to list its teams." in everyone
    assert "Billing · Care" in care_page and "Desk · Care" in care_page and "Orders · Guests" not in care_page
    assert f'<option value="{orders.pk}" selected>Orders · Guests</option>' in linked
    assert "Billing · Care" not in linked and "Desk · Care" not in linked and "Choose a department" not in linked
