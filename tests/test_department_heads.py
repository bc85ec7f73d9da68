"""Department heads oversee every team of the departments they head; managers their own teams; admins all."""

import pytest

from apps.org.selectors import is_department_head, teams_overseen_by
from tests.factories import DepartmentFactory, TeamFactory, UserFactory, agent, department_head, manager

pytestmark = pytest.mark.django_db


def test_a_department_head_oversees_every_team_of_their_departments_only():
    care, guests = DepartmentFactory(), DepartmentFactory()
    billing, orders, front_desk = (
        TeamFactory(department=care),
        TeamFactory(department=care),
        TeamFactory(department=guests),
    )
    helen = department_head(care)

    assert is_department_head(user=helen)
    assert set(teams_overseen_by(user=helen)) == {billing, orders}
    assert front_desk not in teams_overseen_by(user=helen)


def test_a_manager_oversees_the_teams_they_manage_and_an_agent_none():
    billing, orders = TeamFactory(), TeamFactory()
    grace, ana = manager(billing), agent(orders)

    assert list(teams_overseen_by(user=grace)) == [billing]
    assert not teams_overseen_by(user=ana).exists()
    assert not is_department_head(user=grace)


def test_a_manager_who_also_heads_a_department_sees_each_team_once():
    care = DepartmentFactory()
    billing, orders = TeamFactory(department=care), TeamFactory(department=care)
    helen = department_head(care)
    billing.memberships.create(user=helen, role="manager")

    assert sorted(t.pk for t in teams_overseen_by(user=helen)) == sorted([billing.pk, orders.pk])


def test_admins_oversee_every_team():
    teams = {TeamFactory(), TeamFactory()}

    assert set(teams_overseen_by(user=UserFactory(is_staff=True))) == teams


def test_the_layout_learns_both_roles_in_one_query(django_assert_num_queries):
    from apps.org.selectors import oversight_roles

    care = DepartmentFactory()
    helen, grace, ana = department_head(care), manager(TeamFactory(department=care)), agent()

    with django_assert_num_queries(3):
        assert oversight_roles(user=helen) == (False, True)
        assert oversight_roles(user=grace) == (True, False)
        assert oversight_roles(user=ana) == (False, False)
