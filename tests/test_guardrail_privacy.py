"""Deciding is safe, visibly: the organisation sees a story as "Covered" or nothing more; "above the guardrail" and
"flagged for a conversation" are for its author, their managers, the department's heads and admins."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import DecisionFactory, ReviewFactory, TeamFactory, UserFactory, agent, department_head, manager

pytestmark = pytest.mark.django_db

ABOVE = "Above the guardrail"
FLAGGED = "flagged for a conversation"


@pytest.fixture
def above(an_agent):
    return DecisionFactory(author=an_agent, cost=Decimal("400.00"), approved=True)


def _page(client, person, decision):
    client.force_login(person)
    return client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()


def test_it_shows_a_shared_story_above_the_guardrail_to_colleagues_without_the_flag(client, above):
    for reader in (agent(above.team), agent(TeamFactory()), manager(TeamFactory())):
        page = _page(client, reader, above)
        assert ABOVE not in page and FLAGGED not in page
        client.force_login(reader)
        assert ABOVE not in client.get(reverse("home")).content.decode()


def test_it_shows_the_flag_to_the_author_their_managers_department_heads_and_admins(client, above):
    readers = [
        above.author,
        manager(above.team),
        department_head(above.team.department),
        UserFactory(is_staff=True),
    ]
    for reader in readers:
        page = _page(client, reader, above)
        assert ABOVE in page and FLAGGED in page, reader


def test_it_shows_a_covered_story_as_covered_to_everyone_and_names_its_rule_only_to_those_who_lead(client, an_agent):
    covered = DecisionFactory(
        author=an_agent, approved=True, covered=True, coverage="organisation", limit_in_force=Decimal("50.00")
    )
    outsider_page = _page(client, agent(TeamFactory()), covered)
    assert "Covered" in outsider_page and "limit for this category" not in outsider_page
    assert "limit for this category" in _page(client, manager(covered.team), covered)


def test_it_does_not_invite_the_author_of_a_celebrated_story_to_a_review_unless_they_ask(client, an_agent):
    celebrated = DecisionFactory(author=an_agent, celebrated=True)
    page = _page(client, an_agent, celebrated)
    assert "Your call was celebrated." in page
    assert "If it went badly" not in page
    # Behind a disclosure the author opens themselves.
    assert "Did something go wrong afterwards?" in page

    submitted = DecisionFactory(author=an_agent)
    assert "If it went badly" in _page(client, an_agent, submitted)


def test_it_keeps_the_review_status_on_a_celebrated_story_that_was_reviewed(client, an_agent):
    celebrated = DecisionFactory(author=an_agent, celebrated=True)
    ReviewFactory(decision=celebrated)
    page = _page(client, an_agent, celebrated)
    assert "Blameless review" in page and "Your call was celebrated." not in page
