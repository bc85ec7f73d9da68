"""The recognition panel on a decision page: who endorsed, what a manager may do, the review, and for the author the
promise that a review never lowers anything."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.recognition.models import Review
from apps.recognition.selectors import decision_panel_context, shared_lessons

from .factories import (
    CategoryFactory,
    DecisionFactory,
    EndorsementFactory,
    GuardrailFactory,
    ReviewFactory,
    TeamFactory,
    agent,
    manager,
)

pytestmark = pytest.mark.django_db

REASSURANCE = "A review never lowers anything."
NEVER_CHARGED = "The cost of this decision is never charged to you."


def _page(client, user, story):
    client.force_login(user)
    response = client.get(reverse("decisions:detail", args=[story.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_who_endorsed_and_what_they_said(client, an_agent, team):
    story = DecisionFactory(author=an_agent, approved=True)
    EndorsementFactory(decision=story, endorser=agent(team, first_name="Tom", last_name="Becker"), comment="Smart!")

    page = _page(client, agent(team), story)

    assert "Tom Becker" in page and "Smart!" in page
    assert "1 endorsement" in page


def test_the_author_reads_in_plain_words_that_a_review_lowers_nothing(client, an_agent):
    story = DecisionFactory(author=an_agent)

    page = _page(client, an_agent, story)

    assert REASSURANCE in page and NEVER_CHARGED in page
    assert reverse("recognition:review_request", args=[story.pk]) in page
    assert reverse("recognition:approve", args=[story.pk]) not in page


def test_a_manager_of_the_team_sees_approve_celebrate_and_open_a_review(client, an_agent, a_manager):
    story = DecisionFactory(author=an_agent)

    page = _page(client, a_manager, story)

    for name in ("approve", "celebrate", "review_open"):
        assert reverse(f"recognition:{name}", args=[story.pk]) in page
    assert REASSURANCE not in page


def test_once_celebrated_the_panel_shows_the_note_and_no_more_actions(client, an_agent, a_manager):
    story = DecisionFactory(author=an_agent, celebrated=True, celebration_note="Exactly the judgement we want.")

    page = _page(client, a_manager, story)

    assert "Exactly the judgement we want." in page
    assert reverse("recognition:approve", args=[story.pk]) not in page
    assert reverse("recognition:celebrate", args=[story.pk]) not in page


@pytest.mark.parametrize(
    "who, sees_the_review_link",
    [
        ("author", True),
        ("manager of the team", True),
        ("admin", True),
        ("agent of the same team", False),
        ("manager of another team", False),
    ],
)
def test_the_review_link_is_shown_only_to_those_who_may_read_it(client, an_agent, team, who, sees_the_review_link):
    story = DecisionFactory(author=an_agent, approved=True)
    ReviewFactory(decision=story)
    people = {
        "author": lambda: an_agent,
        "manager of the team": lambda: manager(team),
        "admin": lambda: agent(TeamFactory(), is_staff=True),
        "agent of the same team": lambda: agent(team),
        "manager of another team": lambda: manager(TeamFactory()),
    }

    page = _page(client, people[who](), story)

    assert (reverse("recognition:review", args=[story.pk]) in page) is sees_the_review_link


def test_it_needs_nothing_but_the_include_in_another_apps_template(rf: RequestFactory, an_agent, a_manager):
    story = DecisionFactory(author=an_agent)
    request = rf.get("/stories/1/")
    request.user = a_manager

    html = render_to_string(
        "recognition/includes/decision_panel.html", {"decision": story, "user": a_manager}, request=request
    )

    assert reverse("recognition:approve", args=[story.pk]) in html


@pytest.mark.parametrize("endorsements", [3, 60])
def test_the_panel_costs_three_queries_however_many_endorsements(
    django_assert_max_num_queries, an_agent, a_manager, endorsements
):
    story = DecisionFactory(author=an_agent, approved=True)
    ReviewFactory(decision=story, opened_by=a_manager)
    _endorse(story, endorsements)

    with django_assert_max_num_queries(3):
        panel = decision_panel_context(decision=story, viewer=a_manager)["recognition_panel"]

    assert panel.endorsement_count == endorsements
    assert panel.can_see_review


@pytest.mark.parametrize("endorsements", [3, 60])
def test_the_decision_page_costs_the_same_queries_however_many_endorsements(
    client, django_assert_max_num_queries, an_agent, a_manager, endorsements
):
    story = DecisionFactory(author=an_agent, celebrated=True)
    ReviewFactory(decision=story, opened_by=a_manager)
    _endorse(story, endorsements)
    client.force_login(a_manager)

    # session, user, savepoint and release, the story, its values and who celebrated it, the navigation's role
    # check, the bell, then the panel: endorsements with their endorsers, the review with who approved and celebrated,
    # can-manage; the history of the story's outcome; and the teams whose guardrail details the reader may see
    with django_assert_max_num_queries(15):
        response = client.get(reverse("decisions:detail", args=[story.pk]))

    assert response.content.decode().count('class="endorser"') == endorsements


def _endorse(story, count):
    for _ in range(count):
        EndorsementFactory(decision=story, endorser=agent(story.team))


def test_shared_lessons_are_the_closed_reviews_the_authors_agreed_to_share_without_names(an_agent, a_manager):
    fee_waivers = CategoryFactory(name="Fee waiver", slug="fee-waiver")
    shared = DecisionFactory(author=an_agent, category=fee_waivers)
    not_shared = DecisionFactory(author=an_agent)
    still_open = DecisionFactory(author=an_agent)
    closed = {"status": Review.Status.CLOSED, "closed_at": timezone.now(), "closed_by": a_manager}
    ReviewFactory(decision=shared, lesson="Ask a colleague before going above the limit.", lesson_shared=True, **closed)
    ReviewFactory(decision=not_shared, lesson="Private lesson.", **closed)
    ReviewFactory(decision=still_open)

    lessons = shared_lessons()

    assert [lesson.lesson for lesson in lessons] == ["Ask a colleague before going above the limit."]
    assert lessons[0].category == fee_waivers
    assert not hasattr(lessons[0], "author")
    assert shared_lessons(category=fee_waivers) == lessons
    assert shared_lessons(category=CategoryFactory()) == []


def test_the_playbook_shows_shared_lessons_under_their_category_without_names(client, an_agent, a_manager):
    category = CategoryFactory(name="Refund or credit", slug="refund")
    GuardrailFactory(category=category)
    story = DecisionFactory(author=an_agent, category=category, situation="Ana refunded Mr Smith.")
    ReviewFactory(
        decision=story,
        status=Review.Status.CLOSED,
        closed_at=timezone.now(),
        closed_by=a_manager,
        lesson="Offer a credit on the next bill first.",
        lesson_shared=True,
    )
    client.force_login(agent(TeamFactory()))

    page = client.get(reverse("decisions:playbook")).content.decode()

    assert "Offer a credit on the next bill first." in page
    assert "Mr Smith" not in page and an_agent.display_name not in page
