"""Leavers: a deactivated person leaves leaderboards, digests and pickers while their stories keep their name; a
team whose manager leaves has its stories taken by its department head (or else the admins) until a new manager is
set, and the setup checklist says so."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.forms import TrustStatementForm
from apps.decisions.models import Decision
from apps.digests.services import recipients_by_digest_key
from apps.setup import services
from tests.factories import DecisionFactory, DepartmentFactory, TeamFactory, admin, agent, department_head, manager

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 18, 12, tzinfo=datetime.UTC)


@pytest.fixture
def morgan():
    return admin(first_name="Morgan", last_name="Lee")


def _leave(person, morgan):
    services.person_set_active(user=person, active=False, by=morgan)
    person.refresh_from_db()


def test_a_leaver_leaves_the_leaderboard_and_their_story_keeps_their_name(client, team, morgan):
    ana = agent(team, first_name="Ana", last_name="García")
    tom = agent(team, first_name="Tom", last_name="Becker")
    with time_machine.travel(NOW, tick=False):
        story = DecisionFactory(author=tom, celebrated=True)
        DecisionFactory(author=ana, approved=True)
    _leave(tom, morgan)
    client.force_login(ana)

    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        board = client.get(reverse("leaderboards:index")).content.decode()
        story_page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()

    board = board[board.index('<main id="main"') :]
    assert "Ana García" in board and "Tom Becker" not in board
    assert "Tom Becker" in story_page


def test_a_leaver_gets_no_digest_and_is_in_no_picker(team, morgan):
    ana, tom = agent(team), agent(team)
    grace = manager(team)
    _leave(tom, morgan)

    assert tom.pk not in recipients_by_digest_key({})
    assert ana.pk in recipients_by_digest_key({})
    picker = TrustStatementForm(team=team).fields["agent"].queryset
    assert ana in picker and tom not in picker
    assert grace.is_active


@pytest.fixture
def care():
    return DepartmentFactory(name="Customer Care")


@pytest.fixture
def orphaned(care, morgan):
    """Billing's only manager has left; Ana's story waits for approval."""
    billing = TeamFactory(department=care, name="Billing")
    grace = manager(billing, first_name="Grace", last_name="Okafor")
    story = DecisionFactory(author=agent(billing))
    _leave(grace, morgan)
    return story


def test_the_department_head_takes_the_stories_of_a_team_whose_manager_left(client, care, orphaned):
    helen = department_head(care, first_name="Helen", last_name="Carter")
    client.force_login(helen)

    queue = client.get(reverse("recognition:queue")).content.decode()
    assert reverse("recognition:approve", args=[orphaned.pk]) in queue

    client.post(reverse("recognition:approve", args=[orphaned.pk]))
    orphaned.refresh_from_db()
    assert orphaned.status == Decision.Status.APPROVED and orphaned.approved_by == helen


def test_a_department_head_does_not_take_a_team_that_has_its_manager(client, care):
    billing = TeamFactory(department=care)
    manager(billing)
    story = DecisionFactory(author=agent(billing))
    client.force_login(department_head(care))

    assert client.post(reverse("recognition:approve", args=[story.pk])).status_code == 403
    assert (
        reverse("recognition:approve", args=[story.pk]) not in client.get(reverse("recognition:queue")).content.decode()
    )


def test_without_a_department_head_the_admins_take_the_stories(client, orphaned, morgan):
    client.force_login(morgan)

    assert (
        reverse("recognition:approve", args=[orphaned.pk]) in client.get(reverse("recognition:queue")).content.decode()
    )
    client.post(reverse("recognition:approve", args=[orphaned.pk]))
    orphaned.refresh_from_db()
    assert orphaned.approved_by == morgan


def test_the_checklist_says_who_takes_the_team_and_a_new_manager_ends_it(client, care, orphaned, morgan):
    department_head(care, first_name="Helen", last_name="Carter")
    client.force_login(morgan)

    page = client.get(reverse("setup:checklist")).content.decode()
    assert "Billing has no manager: its stories go to Helen Carter, head of Customer Care." in page

    manager(orphaned.team, first_name="Priya", last_name="Raman")
    page = client.get(reverse("setup:checklist")).content.decode()
    assert "Billing has no manager" not in page
