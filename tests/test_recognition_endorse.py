"""Endorsing a story: one click, an optional comment, in place with htmx, one per person, never one's own."""

import datetime

import pytest
from django.urls import reverse

from apps.decisions.models import Decision
from apps.recognition.models import AuditEvent, Endorsement, Notification
from apps.recognition.selectors import annotate_recognition

from .factories import DecisionFactory, EndorsementFactory, TeamFactory, agent, manager

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def story(an_agent):
    return DecisionFactory(author=an_agent, approved=True)


@pytest.fixture
def colleague(team):
    return agent(team, first_name="Tom", last_name="Becker")


def test_it_endorses_with_a_comment_and_tells_the_author_once(client, story, colleague):
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"comment": "  Good call!  "})

    assert response.status_code == 302
    endorsement = Endorsement.objects.get()
    assert (endorsement.endorser, endorsement.decision_author, endorsement.comment) == (
        colleague,
        story.author,
        "Good call!",
    )
    assert Notification.objects.filter(recipient=story.author, kind="endorsed", actor=colleague).count() == 1
    assert AuditEvent.objects.filter(verb="endorsed", actor=colleague, decision=story).count() == 1


def test_it_swaps_the_button_and_count_in_place_for_htmx(client, story, colleague):
    EndorsementFactory(decision=story)
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"with_endorsers": "1"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="endorse-form-{story.pk}"' in page
    assert 'aria-pressed="true"' in page
    assert reverse("recognition:unendorse", args=[story.pk]) in page
    assert f'<span id="endorse-count-{story.pk}" data-hx-swap-oob="innerHTML">2 endorsements</span>' in page
    assert f'id="endorsers-{story.pk}" data-hx-swap-oob="innerHTML"' in page
    assert colleague.display_name in page


def test_a_double_click_leaves_one_endorsement_and_one_notification(client, story, colleague):
    client.force_login(colleague)

    for _ in range(2):
        client.post(reverse("recognition:endorse", args=[story.pk]), {"comment": "Nice"}, **HTMX)

    assert Endorsement.objects.count() == 1
    assert Notification.objects.filter(kind="endorsed").count() == 1
    assert AuditEvent.objects.filter(verb="endorsed").count() == 1


def test_it_takes_an_endorsement_back_and_giving_it_again_does_not_notify_twice(client, story, colleague):
    client.force_login(colleague)
    client.post(reverse("recognition:endorse", args=[story.pk]))

    response = client.post(reverse("recognition:unendorse", args=[story.pk]), **HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert "No endorsements yet" in response.content.decode()
    assert not Endorsement.objects.exists()

    client.post(reverse("recognition:endorse", args=[story.pk]))
    assert Endorsement.objects.count() == 1
    assert Notification.objects.filter(kind="endorsed").count() == 1
    assert list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)) == [
        "endorsed",
        "endorsement_withdrawn",
        "endorsed",
    ]


def test_without_javascript_it_redirects_back_to_the_page_it_came_from(client, story, colleague):
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"next": "/?page=2"})

    assert response.url == "/?page=2"


def test_it_never_redirects_to_another_site(client, story, colleague):
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"next": "https://evil.example/"})

    assert response.url == reverse("decisions:detail", args=[story.pk])


def test_a_too_long_comment_is_refused_next_to_the_field_and_kept(client, story, colleague):
    client.force_login(colleague)
    comment = "Good call! " * 50  # 550 characters

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"comment": comment}, **HTMX)

    page = response.content.decode()
    assert f'id="endorse-comment-{story.pk}-error"' in page
    assert "at most 500 characters" in page
    assert comment.strip() in page
    assert not Endorsement.objects.exists()
    assert not Notification.objects.exists()


def test_a_too_long_comment_without_javascript_shows_the_story_with_the_error(client, story, colleague):
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), {"comment": "x" * 501})

    assert response.status_code == 400
    assert f'id="endorse-comment-{story.pk}-error"' in response.content.decode()
    assert not Endorsement.objects.exists()


def test_nobody_endorses_their_own_story(client, story):
    client.force_login(story.author)

    response = client.post(reverse("recognition:endorse", args=[story.pk]))

    assert response.status_code == 403
    assert not Endorsement.objects.exists()


def test_the_author_sees_the_count_but_no_button(client, story):
    EndorsementFactory(decision=story)
    client.force_login(story.author)

    page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()

    assert "1 endorsement" in page
    assert f'id="endorse-button-{story.pk}"' not in page


@pytest.mark.parametrize(
    "who, status",
    [
        ("agent of the same team", 302),
        ("agent of another team", 404),
        ("manager of the team", 302),
        ("manager of another team", 404),
        ("admin", 302),
    ],
)
def test_who_may_endorse_a_story_waiting_for_approval(client, an_agent, team, who, status):
    story = DecisionFactory(author=an_agent)
    people = {
        "agent of the same team": lambda: agent(team),
        "agent of another team": lambda: agent(TeamFactory()),
        "manager of the team": lambda: manager(team),
        "manager of another team": lambda: manager(TeamFactory()),
        "admin": lambda: agent(TeamFactory(), is_staff=True),
    }
    client.force_login(people[who]())

    response = client.post(reverse("recognition:endorse", args=[story.pk]))

    assert response.status_code == status
    assert Endorsement.objects.count() == (1 if status == 302 else 0)


def test_anyone_may_endorse_an_approved_story(client, story):
    client.force_login(agent(TeamFactory()))

    client.post(reverse("recognition:endorse", args=[story.pk]))

    assert Endorsement.objects.count() == 1


def test_a_withdrawn_story_cannot_be_endorsed(client, an_agent, colleague):
    story = DecisionFactory(author=an_agent, status=Decision.Status.WITHDRAWN)
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse", args=[story.pk]), **HTMX)

    assert response.status_code == 404  # a withdrawn story is visible to its author only
    assert not Endorsement.objects.exists()


def test_annotate_recognition_counts_and_knows_mine_in_one_query(django_assert_num_queries, an_agent, colleague):
    mine = DecisionFactory(author=an_agent, approved=True)
    other = DecisionFactory(author=an_agent, approved=True)
    EndorsementFactory(decision=mine, endorser=colleague)
    EndorsementFactory.create_batch(2, decision=mine)

    with django_assert_num_queries(1):
        rows = {d.pk: d for d in annotate_recognition(Decision.objects.all(), viewer=colleague)}

    assert (rows[mine.pk].endorsement_count, rows[mine.pk].endorsed_by_me) == (3, True)
    assert (rows[other.pk].endorsement_count, rows[other.pk].endorsed_by_me) == (0, False)


@pytest.mark.parametrize("endorsements", [3, 60])
def test_the_feed_shows_each_storys_count_and_my_endorsement_in_one_query(
    client, django_assert_max_num_queries, story, colleague, team, endorsements
):
    EndorsementFactory(decision=story, endorser=colleague)
    for _ in range(endorsements - 1):
        EndorsementFactory(decision=story, endorser=agent(team))
    other = DecisionFactory(author=agent(team), approved=True)
    client.force_login(colleague)

    # as many as the feed needed before endorsements existed (see test_feed_and_pages), plus one for all the cards
    with django_assert_max_num_queries(17):
        page = client.get(reverse("home")).content.decode()

    assert (
        f'<span class="endorse__count" id="endorse-count-{story.pk}" aria-live="polite">{endorsements} endorsements'
        in page
    )
    assert f'id="endorse-button-{story.pk}" type="submit" aria-pressed="true"' in page
    assert f'id="endorse-button-{other.pk}" type="submit" aria-pressed="false"' in page


def test_once_endorsed_the_button_says_so_and_takes_it_back(client, story, colleague):
    EndorsementFactory(decision=story, endorser=colleague)
    client.force_login(colleague)

    page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()

    assert 'aria-pressed="true"' in page and "Endorsed" in page and "take back" in page
    assert reverse("recognition:unendorse", args=[story.pk]) in page


def test_a_comment_follows_the_endorsement_in_place(client, story, colleague):
    client.force_login(colleague)

    endorsed = client.post(reverse("recognition:endorse", args=[story.pk]), {"with_comments": "1"}, **HTMX)
    assert '<details class="endorse__comment" open>' in endorsed.content.decode()
    response = client.post(
        reverse("recognition:endorse_comment", args=[story.pk]),
        {"comment": " Exactly right. ", "with_comments": "1"},
        **HTMX,
    )

    assert Endorsement.objects.get().comment == "Exactly right."
    page = response.content.decode()
    assert f'id="comments-{story.pk}" data-hx-swap-oob="innerHTML"' in page and "Exactly right." in page
    assert "Change your comment" in page


def test_a_comment_without_an_endorsement_is_refused_with_a_message(client, story, colleague):
    client.force_login(colleague)

    response = client.post(reverse("recognition:endorse_comment", args=[story.pk]), {"comment": "Nice"})

    assert response.status_code == 400
    assert "Endorse the story first" in response.content.decode()
    assert not Endorsement.objects.exists()


def test_a_comment_on_a_story_i_cannot_read_is_a_404(client, colleague):
    hidden = DecisionFactory(author=agent(TeamFactory()))
    client.force_login(colleague)

    assert client.post(reverse("recognition:endorse_comment", args=[hidden.pk]), {"comment": "Hi"}).status_code == 404


def test_the_feed_shows_each_cards_latest_comments(client, team, colleague):
    story = DecisionFactory(author=agent(team), approved=True)
    for n, text in enumerate(["First!", "Second thoughts", "Third time lucky"]):
        EndorsementFactory(decision=story, comment=text, created_at=story.created_at + datetime.timedelta(minutes=n))
    client.force_login(colleague)

    page = client.get(reverse("home")).content.decode()

    assert "Third time lucky" in page and "Second thoughts" in page and "First!" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_feed_reads_comments_in_constant_queries(client, team, colleague, count, django_assert_max_num_queries):
    for _ in range(count):
        story = DecisionFactory(author=agent(team), approved=True)
        EndorsementFactory(decision=story, comment="Good call")
        EndorsementFactory(decision=story, comment="Agreed")
    client.force_login(colleague)

    with django_assert_max_num_queries(17):
        page = client.get(reverse("home")).content.decode()
    assert page.count("Agreed") == min(count, 20)
