"""A queue that moves: the whole story to decide on, approve and celebrate in place, covered stories approved
together, and a story returned to its author with a note (not a penalty), all through services with an audit trail."""

import datetime
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision
from apps.recognition.models import AuditEvent, Notification
from apps.recognition.selectors import CELEBRATE_SHOWN, QUEUE_PAGE, manager_queue
from tests.factories import DecisionFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _covered(author, **fields):
    return DecisionFactory(
        author=author, covered=True, coverage="organisation", limit_in_force=Decimal("50.00"), **fields
    )


def test_each_waiting_story_shows_what_happened_why_the_cost_and_coverage(client, an_agent, a_manager):
    _covered(
        an_agent,
        situation="The customer's parcel was lost twice, so I sent a new one by express.",
        justification="Two losses were our courier's fault; she should not wait a third time.",
        cost=Decimal("18.00"),
    )
    client.force_login(a_manager)

    page = client.get(reverse("recognition:queue")).content.decode()

    shown = ("The customer&#x27;s parcel was lost twice", "Two losses were our courier", "$18", "Covered", "limit $50")
    for text in shown:
        assert text in page, text


def test_approving_in_place_answers_with_the_item_in_its_new_state(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)

    response = client.post(reverse("recognition:approve", args=[story.pk]), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith("<article")
    assert f'id="queue-item-{story.pk}"' in page and f'id="queue-action-{story.pk}"' in page  # the focus stays
    assert "Shared with the whole organisation. Celebrate it too?" in page
    story.refresh_from_db()
    assert story.status == Decision.Status.APPROVED


def test_celebrating_in_place_works_and_without_javascript_redirects(client, an_agent, a_manager):
    in_place, plain = _covered(an_agent), _covered(an_agent)
    client.force_login(a_manager)

    htmx = client.post(reverse("recognition:celebrate", args=[in_place.pk]), {"note": "Great call!"}, **HTMX)
    classic = client.post(
        reverse("recognition:celebrate", args=[plain.pk]), {"note": "Great call!", "next": "/recognition/queue/"}
    )

    assert "The author is told, and the story is featured in the digest." in htmx.content.decode()
    assert classic.status_code == 302
    assert Decision.objects.filter(status="celebrated").count() == 2


def test_an_empty_celebration_note_is_named_in_place(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)

    response = client.post(reverse("recognition:celebrate", args=[story.pk]), {"note": ""}, **HTMX)

    assert "Write a short note to celebrate this story." in response.content.decode()
    story.refresh_from_db()
    assert story.status == "submitted"


def test_ticked_covered_stories_are_approved_together_and_others_are_left_alone(client, an_agent, a_manager, team):
    covered = [_covered(an_agent) for _ in range(3)]
    above = DecisionFactory(author=an_agent, covered=False)
    elsewhere = _covered(agent(TeamFactory()))
    client.force_login(a_manager)

    page = client.get(reverse("recognition:queue")).content.decode()
    assert page.count('form="approve-covered"') == 3  # only covered stories can be ticked
    response = client.post(
        reverse("recognition:approve_covered"), {"decisions": [d.pk for d in covered] + [above.pk, elsewhere.pk]}
    )

    assert response.status_code == 302
    assert set(Decision.objects.filter(status="approved")) == set(covered)
    assert AuditEvent.objects.filter(verb="approved", actor=a_manager).count() == 3
    assert Notification.objects.filter(kind="approved", recipient=an_agent).count() == 3
    follow = client.get(reverse("recognition:queue")).content.decode()
    assert "Approved 3 covered stories" in follow


def test_only_managers_approve_together(client, an_agent, team):
    story = _covered(an_agent)
    client.force_login(agent(team))

    assert client.post(reverse("recognition:approve_covered"), {"decisions": [story.pk]}).status_code == 403
    story.refresh_from_db()
    assert story.status == "submitted"


def test_a_story_is_returned_with_a_note_that_says_it_is_no_penalty(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)

    response = client.post(
        reverse("recognition:return", args=[story.pk]), {"note": "Please remove the customer's phone number."}, **HTMX
    )

    assert "It is not a penalty" in response.content.decode()
    story.refresh_from_db()
    assert story.status == "submitted" and story.returned_by == a_manager
    assert manager_queue(manager=a_manager).waiting == [] and manager_queue(manager=a_manager).returned == [story]
    event = AuditEvent.objects.get(verb="returned")
    assert event.actor == a_manager and "phone" not in str(event.data)
    assert Notification.objects.get(kind="returned").recipient == an_agent

    client.force_login(an_agent)
    page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()
    assert "Please remove the customer&#x27;s phone number." in page and "This is not a penalty" in page


def test_the_note_is_for_the_author_and_their_managers_only(client, an_agent, a_manager, team):
    story = _covered(an_agent)
    client.force_login(a_manager)
    client.post(reverse("recognition:return", args=[story.pk]), {"note": "Remove the card number."})

    client.force_login(agent(team))
    page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()

    assert "Returned to the author" in page and "Remove the card number." not in page


def test_once_the_author_changes_it_the_story_is_back_in_the_queue(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)
    client.post(reverse("recognition:return", args=[story.pk]), {"note": "Remove the card number."})

    client.force_login(an_agent)
    client.post(
        reverse("decisions:edit", args=[story.pk]),
        {
            "situation": "A customer was charged twice, so I refunded the second charge.",
            "justification": "The double charge was our payment provider's fault.",
            "category": story.category_id,
            "cost": "20",
            "channel": "phone",
        },
    )

    story.refresh_from_db()
    assert story.returned_at is None and story.return_note == ""
    assert manager_queue(manager=a_manager).waiting == [story]


def test_a_return_needs_a_note_and_a_manager_of_the_team(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)
    empty = client.post(reverse("recognition:return", args=[story.pk]), {"note": "  "}, **HTMX)
    assert "Tell the author what to change." in empty.content.decode()

    client.force_login(manager(TeamFactory()))
    assert client.post(reverse("recognition:return", args=[story.pk]), {"note": "x"}).status_code in (403, 404)
    story.refresh_from_db()
    assert story.returned_at is None


def test_approving_a_returned_story_clears_the_return(client, an_agent, a_manager):
    story = _covered(an_agent)
    client.force_login(a_manager)
    client.post(reverse("recognition:return", args=[story.pk]), {"note": "Remove the card number."})

    client.post(reverse("recognition:approve", args=[story.pk]))

    story.refresh_from_db()
    assert story.status == "approved" and story.returned_at is None


@pytest.mark.parametrize("count", [3, 45])
def test_the_queue_costs_the_same_queries_however_many_stories_wait(
    client, an_agent, a_manager, team, count, django_assert_max_num_queries
):
    for n in range(count):
        if n % 2:
            _covered(an_agent)
        else:
            DecisionFactory(author=agent(team), covered=False)
    client.force_login(a_manager)

    # One more than before the queue was paged: how many wait in all.
    with django_assert_max_num_queries(15):
        page = client.get(reverse("recognition:queue")).content.decode()

    assert page.count('class="queue-item__story"') == min(count, QUEUE_PAGE)
    assert f'<div class="stat__value">{count}</div>' in page  # every waiting story is counted


@time_machine.travel(datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_long_queue_shows_the_oldest_in_full_and_the_next_ones_on_request(client, an_agent, a_manager):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    stories = [
        _covered(an_agent, action=f"Waiting story {n:02d}", created_at=start + datetime.timedelta(hours=n // 2))
        for n in range(QUEUE_PAGE + 5)
    ]
    client.force_login(a_manager)

    first = client.get(reverse("recognition:queue")).content.decode()
    link = re.search(r'href="(\?after=[^"]+)" rel="next"', first)
    second = client.get(reverse("recognition:queue") + html.unescape(link[1])).content.decode()

    assert [f"Waiting story {n:02d}" in first for n in range(QUEUE_PAGE + 5)] == [True] * QUEUE_PAGE + [False] * 5
    assert [f"Waiting story {n:02d}" in second for n in range(QUEUE_PAGE + 5)] == [False] * QUEUE_PAGE + [True] * 5
    assert 'rel="next"' not in second and 'rel="first"' in second
    assert f'<div class="stat__value">{len(stories)}</div>' in second


@time_machine.travel(datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_latest_approved_stories_are_offered_for_celebration_and_the_rest_counted(client, an_agent, a_manager):
    approved = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
    for n in range(CELEBRATE_SHOWN + 3):
        DecisionFactory(
            author=an_agent,
            approved=True,
            approved_at=approved + datetime.timedelta(hours=n),
            action=f"Approved {n:02d}",
        )
    client.force_login(a_manager)

    page = client.get(reverse("recognition:queue")).content.decode()

    assert "Approved 12" in page and "Approved 03" in page and "Approved 02" not in page
    assert "And 3 more approved in the last two weeks" in page
