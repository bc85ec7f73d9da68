"""The manager's queue: the teams' submitted stories, oldest first, how long each waited, covered or not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.recognition.selectors import manager_queue

from .factories import DecisionFactory, EndorsementFactory, ReviewFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db


def _ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def test_it_lists_the_teams_submitted_stories_oldest_first(an_agent, a_manager, team):
    newer = DecisionFactory(author=an_agent, created_at=_ago(hours=3))
    older = DecisionFactory(author=agent(team), created_at=_ago(days=4))
    DecisionFactory(author=agent(TeamFactory()))  # another team
    DecisionFactory(author=an_agent, approved=True, approved_at=_ago(days=30))  # approved long ago

    queue = manager_queue(manager=a_manager)

    assert queue.waiting == [older, newer]
    assert queue.waiting[0].is_overdue and not queue.waiting[1].is_overdue
    assert queue.to_celebrate == []


def test_a_manager_of_two_teams_sees_both(an_agent):
    other_team = TeamFactory()
    boss = manager(an_agent.teams.get(), other_team)
    mine = DecisionFactory(author=an_agent)
    theirs = DecisionFactory(author=agent(other_team))

    assert set(manager_queue(manager=boss).waiting) == {mine, theirs}


def test_stories_in_review_leave_the_waiting_list_for_the_reviews_list(an_agent, a_manager):
    in_review = DecisionFactory(author=an_agent)
    review = ReviewFactory(decision=in_review, opened_by=a_manager)

    queue = manager_queue(manager=a_manager)

    assert queue.waiting == []
    assert queue.open_reviews == [review]


def test_the_page_shows_waiting_time_coverage_and_actions(client, an_agent, a_manager):
    story = DecisionFactory(author=an_agent, covered=True, coverage="organisation", created_at=_ago(days=3))
    approved = DecisionFactory(author=an_agent, approved=True, action="I refunded the delivery.")
    client.force_login(a_manager)

    page = client.get(reverse("recognition:queue")).content.decode()

    assert "waiting 3\xa0days" in page
    assert "Covered" in page
    assert reverse("recognition:approve", args=[story.pk]) in page
    assert reverse("recognition:celebrate", args=[story.pk]) in page
    assert reverse("recognition:review_open", args=[story.pk]) in page
    assert "Approved recently: worth celebrating?" in page
    assert reverse("recognition:celebrate", args=[approved.pk]) in page


def test_the_page_says_so_when_nothing_waits(client, a_manager):
    client.force_login(a_manager)

    assert "Nothing is waiting for you" in client.get(reverse("recognition:queue")).content.decode()


def test_only_managers_have_a_queue(client, team):
    client.force_login(agent(team))

    assert client.get(reverse("recognition:queue")).status_code == 403


def test_an_admin_who_manages_no_team_sees_only_what_waited_too_long(client, team):
    manager(team)  # so the admin stands in for no team (apps.org.selectors.stand_in_teams_for)
    client.force_login(agent(team, is_staff=True))

    page = client.get(reverse("recognition:queue")).content.decode()

    assert "No story has waited too long in the teams you oversee" in page
    assert "Stories that waited too long" in page and "Waiting for your approval" not in page


@pytest.mark.parametrize("endorsements", [3, 60])
def test_the_queue_costs_the_same_queries_however_many_endorsements(
    client, django_assert_max_num_queries, an_agent, a_manager, team, endorsements
):
    waiting = DecisionFactory.create_batch(3, author=an_agent)
    approved = DecisionFactory.create_batch(2, author=an_agent, approved=True)
    ReviewFactory(decision=DecisionFactory(author=an_agent), opened_by=a_manager)
    stories = waiting + approved
    endorsers = [agent(team) for _ in range(min(endorsements, 30))]
    for index in range(endorsements):
        EndorsementFactory(decision=stories[index % len(stories)], endorser=endorsers[index // len(stories) % 30])
    client.force_login(a_manager)

    # session, user, the request's savepoint and its release, the view's and the navigation's role checks,
    # teams managed, how many wait, the waiting page, returned, to celebrate, open reviews, the bell
    with django_assert_max_num_queries(15):
        response = client.get(reverse("recognition:queue"))

    assert response.status_code == 200
