"""Stories through the API: the feed with its filters and cursor pages, one story, and logging a story as the
token's owner with the log form's own checks (its messages, field by field, as 400 JSON)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.decisions.models import Decision
from tests.factories import (
    CategoryFactory,
    CompanyValueFactory,
    DecisionFactory,
    GuardrailFactory,
    TeamFactory,
    UserFactory,
    agent,
    api_token,
)

pytestmark = pytest.mark.django_db

STORIES = "/api/v1/stories/"


@pytest.fixture
def refund():
    return GuardrailFactory(category=CategoryFactory(name="Refund", slug="refund"), limit=Decimal("50")).category


@pytest.fixture
def ana(team):
    return agent(team, first_name="Ana", last_name="García")


@pytest.fixture
def headers(ana):
    return {"Authorization": f"Bearer {api_token(ana)}"}


def a_story(refund, **changes) -> dict:
    return {
        "situation": "The customer's parcel was lost twice and they asked to cancel their subscription.",
        "justification": "Two losses in a row were our courier's fault; a refund keeps a loyal customer.",
        "category": refund.pk,
        "cost": "30.00",
        "channel": "chat",
        **changes,
    }


def test_a_story_is_logged_as_the_token_s_owner_and_checked_against_the_guardrails(client, ana, team, refund, headers):
    value = CompanyValueFactory(name="Ownership", slug="ownership")

    response = client.post(
        STORIES,
        a_story(refund, headline="Refunded a twice-lost parcel", values=[value.pk]),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 201
    story = response.json()
    decision = Decision.objects.get(pk=story["id"])
    assert (decision.author, decision.team, decision.status) == (ana, team, "submitted")
    assert (decision.covered, decision.coverage) == (True, "organisation")
    assert story["headline"] == "Refunded a twice-lost parcel"
    assert story["author"] == {"id": ana.pk, "name": "Ana García"}
    assert story["values"] == [{"id": value.pk, "slug": "ownership", "name": "Ownership"}]
    assert story["covered"] is True and story["coverage"] == "organisation"
    assert story["url"].endswith(reverse("decisions:detail", args=[decision.pk]))


def test_a_story_with_mistakes_gets_the_log_form_s_messages_field_by_field(client, refund, headers):
    response = client.post(
        STORIES,
        a_story(refund, justification="Because.", cost="-5", channel="pigeon", customer_reference="ana@example.com"),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 400
    errors = response.json()
    assert errors["justification"] == [
        "Tell us why in a sentence or two (at least 20 characters): it is what makes it your call."
    ]
    assert errors["cost"] == ["The cost cannot be negative. Enter 0 if it cost nothing."]
    assert "channel" in errors
    assert errors["customer_reference"] == [
        "This looks like an email address. Please leave it out: the ticket or case number is enough."
    ]
    assert not Decision.objects.exists()


def test_the_required_fields_are_named_when_missing_and_a_body_that_is_not_an_object_is_refused(client, headers):
    missing = client.post(STORIES, {}, content_type="application/json", headers=headers).json()
    not_an_object = client.post(STORIES, [1, 2], content_type="application/json", headers=headers)

    assert {"situation", "justification", "category", "cost", "channel"} <= missing.keys()
    assert not_an_object.status_code == 400


def test_someone_in_no_team_is_told_why_they_cannot_log_a_story(client, refund):
    loner = UserFactory()

    response = client.post(
        STORIES,
        a_story(refund),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token(loner)}"},
    )

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "You are not in a team yet, so nobody could approve your story. Ask your admin."
    ]


def test_the_feed_filters_as_the_page_does(client, ana, refund, headers):
    upgrade = GuardrailFactory(category=CategoryFactory(name="Upgrade", slug="upgrade")).category
    colleague = agent(TeamFactory())
    phone = DecisionFactory(author=colleague, category=refund, channel="phone", approved=True)
    chat = DecisionFactory(author=colleague, category=upgrade, channel="chat", approved=True)
    DecisionFactory(author=colleague, category=refund, channel="phone")  # another team's submitted story

    def ids(query=""):
        response = client.get(STORIES + query, headers=headers)
        assert response.status_code == 200
        return [story["id"] for story in response.json()["results"]]

    assert ids() == [chat.pk, phone.pk]
    assert ids(f"?category={refund.pk}") == [phone.pk]
    assert ids("?channel=chat") == [chat.pk]
    assert client.get(STORIES + "?channel=pigeon", headers=headers).json() == {
        "channel": ["Select a valid choice. pigeon is not one of the available choices."]
    }


def test_the_feed_comes_in_cursor_pages_that_hold_still_while_stories_are_logged(client, ana, refund, headers):
    colleague = agent(TeamFactory())
    stories = [DecisionFactory(author=colleague, category=refund, approved=True) for _ in range(5)]

    first = client.get(STORIES + "?page_size=2", headers=headers).json()
    DecisionFactory(author=colleague, category=refund, approved=True)  # a new story meanwhile
    second = client.get(first["next"], headers=headers).json()

    newest_first = [story.pk for story in reversed(stories)]
    assert [story["id"] for story in first["results"]] == newest_first[:2]
    assert [story["id"] for story in second["results"]] == newest_first[2:4]
    assert first["previous"] is None


def test_one_story_reads_as_its_page_and_a_missing_one_is_404(client, ana, refund, headers):
    story = DecisionFactory(author=ana, category=refund, cost=Decimal("80"), covered=False, coverage="none")

    read = client.get(reverse("api:story", args=[story.pk]), headers=headers).json()

    assert (read["cost"], read["covered"], read["coverage"], read["status"]) == ("80.00", False, "none", "submitted")
    assert client.get(reverse("api:story", args=[0]), headers=headers).status_code == 404


def test_above_the_guardrail_is_nobody_else_s_business(client, refund):
    team = TeamFactory()
    author, teammate = agent(team), agent(team)
    story = DecisionFactory(author=author, category=refund, cost=Decimal("80"), covered=False, coverage="none")

    read = client.get(
        reverse("api:story", args=[story.pk]), headers={"Authorization": f"Bearer {api_token(teammate)}"}
    ).json()

    assert (read["covered"], read["coverage"]) == (None, None)


def test_the_feed_runs_a_constant_number_of_queries(client, ana, refund, headers, django_assert_max_num_queries):
    colleague = agent(TeamFactory())
    values = [CompanyValueFactory(), CompanyValueFactory()]

    def log(count):
        for _ in range(count):
            DecisionFactory(author=colleague, category=refund, approved=True).values.set(values)

    log(2)
    with django_assert_max_num_queries(20) as few:
        client.get(STORIES, headers=headers)
    log(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(STORIES, headers=headers)
