"""The blameless review: a private thread between the author and their team's managers, ending with a lesson."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.decisions.models import Decision
from apps.recognition import services
from apps.recognition.models import AuditEvent, Notification, Review, ReviewMessage
from apps.recognition.selectors import shared_lessons

from .factories import DecisionFactory, ReviewFactory, ReviewMessageFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(an_agent):
    return DecisionFactory(author=an_agent, cost="120.00", covered=False)


@pytest.fixture
def review(story, a_manager):
    return ReviewFactory(decision=story, opened_by=a_manager)


def test_a_manager_opens_a_review_instead_of_approving(client, story, a_manager):
    client.force_login(a_manager)

    response = client.post(
        reverse("recognition:review_open", args=[story.pk]), {"message": "Let's look at this one together."}
    )

    assert response.url == reverse("recognition:review", args=[story.pk])
    review = Review.objects.get(decision=story)
    assert (review.opened_by, review.requested_by_author, review.status) == (a_manager, False, "open")
    assert review.messages.get().body == "Let's look at this one together."
    assert Notification.objects.get().kind == "review_opened"
    assert Notification.objects.get().recipient == story.author
    assert AuditEvent.objects.get().verb == "review_opened"


def test_the_author_asks_for_a_review_and_every_manager_of_the_team_is_told(client, story, team, a_manager):
    second_manager = manager(team)
    client.force_login(story.author)

    client.post(reverse("recognition:review_request", args=[story.pk]), {"message": ""})

    review = Review.objects.get(decision=story)
    assert review.requested_by_author and review.opened_by == story.author
    assert not review.messages.exists()
    assert set(Notification.objects.values_list("recipient", flat=True)) == {a_manager.pk, second_manager.pk}
    assert AuditEvent.objects.get().verb == "review_requested"


def test_opening_twice_leaves_one_review(story, a_manager):
    first, created = services.review_open(decision=story, manager=a_manager)
    again, created_again = services.review_request(decision=story, author=story.author)

    assert (created, created_again, again) == (True, False, first)
    assert Review.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_a_review_lowers_nothing_about_the_decision(an_agent, a_manager):
    story = DecisionFactory(author=an_agent, celebrated=True)
    before = Decision.objects.filter(pk=story.pk).values().get()

    review, _ = services.review_open(decision=story, manager=a_manager)
    services.review_close(review=review, manager=a_manager, lesson="Check the guardrail first.")

    after = Decision.objects.filter(pk=story.pk).values().get()
    assert after == before


def test_only_the_author_asks_and_only_their_managers_open(client, story, team):
    client.force_login(agent(team))
    assert client.post(reverse("recognition:review_request", args=[story.pk])).status_code == 403
    assert client.post(reverse("recognition:review_open", args=[story.pk])).status_code == 403
    client.force_login(story.author)
    assert client.post(reverse("recognition:review_open", args=[story.pk])).status_code == 403
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    [
        ("author", 200),
        ("manager of the team", 200),
        ("admin", 200),
        ("agent of the same team", 404),
        ("agent of another team", 404),
        ("manager of another team", 404),
    ],
)
def test_a_review_is_visible_only_to_its_author_their_managers_and_admins(client, review, team, who, status):
    ReviewMessageFactory(review=review, body="What happened, in your words?")
    people = {
        "author": lambda: review.decision.author,
        "manager of the team": lambda: manager(team),
        "admin": lambda: agent(TeamFactory(), is_staff=True),
        "agent of the same team": lambda: agent(team),
        "agent of another team": lambda: agent(TeamFactory()),
        "manager of another team": lambda: manager(TeamFactory()),
    }
    client.force_login(people[who]())

    response = client.get(reverse("recognition:review", args=[review.decision_id]))

    assert response.status_code == status
    assert ("What happened, in your words?" in response.content.decode()) is (status == 200)


@pytest.mark.parametrize("who", ["agent of the same team", "manager of another team"])
def test_outsiders_can_neither_write_close_nor_share(client, review, team, who):
    client.force_login(agent(team) if who.startswith("agent") else manager(TeamFactory()))
    pk = review.decision_id

    assert client.post(reverse("recognition:review", args=[pk]), {"body": "Hi"}).status_code == 404
    assert client.post(reverse("recognition:review_close", args=[pk]), {"lesson": "x"}).status_code == 404
    assert client.post(reverse("recognition:review_share", args=[pk]), {"lesson_shared": "on"}).status_code == 404
    review.refresh_from_db()
    assert review.status == "open" and not ReviewMessage.objects.exists()


def test_an_admin_reads_but_does_not_write_in_the_thread(client, review):
    client.force_login(agent(TeamFactory(), is_staff=True))

    response = client.post(reverse("recognition:review", args=[review.decision_id]), {"body": "Hello"})

    assert response.status_code == 403
    assert not ReviewMessage.objects.exists()


def test_the_author_answers_and_the_managers_are_told(client, review, a_manager):
    client.force_login(review.decision.author)

    response = client.post(reverse("recognition:review", args=[review.decision_id]), {"body": "I would ask first."})

    assert response.status_code == 302
    assert review.messages.get().body == "I would ask first."
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient) == ("review_message", a_manager)


def test_an_empty_message_is_refused_next_to_the_field(client, review):
    client.force_login(review.decision.author)

    response = client.post(reverse("recognition:review", args=[review.decision_id]), {"body": "  "})

    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode()
    assert not ReviewMessage.objects.exists()


def test_a_manager_closes_the_review_with_a_lesson_and_the_author_is_told(client, review, a_manager):
    client.force_login(a_manager)

    client.post(reverse("recognition:review_close", args=[review.decision_id]), {"lesson": "Ask a colleague first."})
    client.post(reverse("recognition:review_close", args=[review.decision_id]), {"lesson": "Something else."})

    review.refresh_from_db()
    assert (review.status, review.lesson, review.closed_by) == ("closed", "Ask a colleague first.", a_manager)
    assert AuditEvent.objects.filter(verb="review_closed").count() == 1
    assert Notification.objects.get().kind == "review_closed"


def test_closing_without_a_lesson_is_refused_and_the_thread_is_kept(client, review, a_manager):
    ReviewMessageFactory(review=review, body="Thanks for logging it honestly.")
    client.force_login(a_manager)

    response = client.post(reverse("recognition:review_close", args=[review.decision_id]), {"lesson": ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_lesson_error"' in page and "Thanks for logging it honestly." in page
    review.refresh_from_db()
    assert review.status == "open"


def test_the_author_may_not_close_their_own_review(client, review):
    client.force_login(review.decision.author)

    response = client.post(reverse("recognition:review_close", args=[review.decision_id]), {"lesson": "Done"})

    assert response.status_code == 403


def test_only_the_author_shares_the_lesson_and_it_appears_in_the_playbook_without_names(client, review, a_manager):
    services.review_close(review=review, manager=a_manager, lesson="Ask a colleague before going above the limit.")
    client.force_login(a_manager)
    assert (
        client.post(reverse("recognition:review_share", args=[review.decision_id]), {"lesson_shared": "on"}).status_code
        == 403
    )

    client.force_login(review.decision.author)
    client.post(reverse("recognition:review_share", args=[review.decision_id]), {"lesson_shared": "on"})

    lessons = shared_lessons()
    assert [lesson.lesson for lesson in lessons] == ["Ask a colleague before going above the limit."]
    assert AuditEvent.objects.filter(verb="lesson_shared", actor=review.decision.author).count() == 1

    client.post(reverse("recognition:review_share", args=[review.decision_id]), {})
    assert shared_lessons() == []


def test_a_lesson_cannot_be_shared_before_the_review_is_closed(client, review):
    client.force_login(review.decision.author)

    response = client.post(
        reverse("recognition:review_share", args=[review.decision_id]), {"lesson_shared": "on"}, follow=True
    )

    assert "A lesson can be shared once the review is closed." in response.content.decode()
    review.refresh_from_db()
    assert not review.lesson_shared


def test_a_closed_review_takes_no_more_messages(review, a_manager):
    review.status, review.closed_at, review.lesson = Review.Status.CLOSED, timezone.now(), "Learned."
    review.save()

    with pytest.raises(services.ActionRefused):
        services.review_message_create(review=review, author=a_manager, body="One more thing")


def test_a_story_in_an_open_review_is_not_shared_until_the_review_is_closed(client, review, team):
    co_manager = manager(team)
    client.force_login(co_manager)

    page = client.get(reverse("decisions:detail", args=[review.decision.pk])).content.decode()
    response = client.post(reverse("recognition:approve", args=[review.decision.pk]), follow=True)

    assert reverse("recognition:approve", args=[review.decision.pk]) not in page
    assert "This story is in a blameless review" in response.content.decode()
    review.decision.refresh_from_db()
    assert review.decision.status == Decision.Status.SUBMITTED
    with pytest.raises(services.ActionRefused):
        services.decision_celebrate(decision=review.decision, manager=co_manager, note="Great call")

    services.review_close(review=review, manager=co_manager, lesson="Check the carrier's claim first.")
    assert services.decision_approve(decision=review.decision, manager=co_manager)
