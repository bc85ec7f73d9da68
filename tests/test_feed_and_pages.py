"""The feed, the decision page and My decisions: what each shows, and a constant number of SQL queries."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from apps.decisions import selectors
from apps.decisions.models import Channel, Decision
from tests.factories import CompanyValueFactory, DecisionFactory, TeamFactory, agent

pytestmark = pytest.mark.django_db


def test_the_feed_shows_shared_stories_and_my_teams_submitted_ones(client, an_agent, team):
    mine = DecisionFactory(author=agent(team), action="A fresh story from my team")
    shared = DecisionFactory(approved=True, action="An approved story from another team")
    celebrated = DecisionFactory(celebrated=True, action="A celebrated story")
    hidden = DecisionFactory(action="A submitted story from another team")
    withdrawn = DecisionFactory(author=agent(team), status=Decision.Status.WITHDRAWN, action="A withdrawn story")
    client.force_login(an_agent)

    page = client.get(reverse("home")).content.decode()

    for visible in (mine, shared, celebrated):
        assert visible.action in page
    for invisible in (hidden, withdrawn):
        assert invisible.action not in page
    assert "Great call — exactly the judgement we want." in page


def test_the_feed_is_newest_first_and_paginated(client, an_agent, team):
    for n in range(25):
        DecisionFactory(author=an_agent, action=f"Story number {n:02d}")
    client.force_login(an_agent)

    first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home") + _older_link(first)).content.decode()

    assert first.index("Story number 24") < first.index("Story number 23")
    assert "Story number 04" not in first and "Story number 04" in second
    assert "Story number 05" in first and "Story number 05" not in second
    assert 'rel="next"' not in second and 'rel="first"' in second


def _older_link(page: str) -> str:
    match = re.search(r'href="(\?[^"]*)" rel="next"', page)
    assert match, "no link to older stories"
    return html.unescape(match[1])


def test_the_feed_pages_by_cursor_even_through_stories_of_the_same_moment(client, an_agent, team):
    moment = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    for n in range(45):
        DecisionFactory(author=agent(team), approved=n % 2 == 0, action=f"Story number {n:02d}", created_at=moment)
    client.force_login(an_agent)

    seen, url = [], reverse("home")
    for _ in range(3):
        page = client.get(url).content.decode()
        seen += re.findall(r"Story number \d\d", page)
        if 'rel="next"' not in page:
            break
        url = reverse("home") + _older_link(page)

    assert sorted(seen) == [f"Story number {n:02d}" for n in range(45)]


def test_the_older_link_keeps_the_filters(client, an_agent):
    for n in range(22):
        DecisionFactory(approved=True, channel="chat" if n % 2 else "phone", action=f"Story number {n:02d}")
    for n in range(22, 44):
        DecisionFactory(approved=True, channel="chat", action=f"Story number {n:02d}")
    client.force_login(an_agent)

    first = client.get(reverse("home"), {"channel": "chat"}).content.decode()
    link = _older_link(first)
    second = client.get(reverse("home") + link).content.decode()

    assert "channel=chat" in link
    assert "Story number 01" in second and "Story number 00" not in second


def test_a_malformed_cursor_shows_the_newest_stories(client, an_agent):
    DecisionFactory(approved=True, action="The newest story")
    client.force_login(an_agent)

    for cursor in ("nonsense", "99999999999999999_1", "999999999999999999_1", "-5_3"):
        page = client.get(reverse("home"), {"before": cursor})
        assert page.status_code == 200
    assert "The newest story" in client.get(reverse("home"), {"before": "nonsense"}).content.decode()


def test_the_feed_filters_by_team_category_channel_and_value(client, an_agent):
    empathy = CompanyValueFactory(name="Empathy")
    chat_story = DecisionFactory(approved=True, channel="chat", action="On chat")
    phone_story = DecisionFactory(approved=True, channel="phone", action="On the phone")
    phone_story.values.add(empathy)
    client.force_login(an_agent)

    by_channel = client.get(reverse("home"), {"channel": "chat"}).content.decode()
    by_value = client.get(reverse("home"), {"value": empathy.pk}).content.decode()
    by_team = client.get(reverse("home"), {"team": chat_story.team.pk}).content.decode()
    by_category = client.get(reverse("home"), {"category": phone_story.category.pk}).content.decode()

    assert "On chat" in by_channel and "On the phone" not in by_channel
    assert "On the phone" in by_value and "On chat" not in by_value
    assert "On chat" in by_team and "On the phone" not in by_team
    assert "On the phone" in by_category and "On chat" not in by_category


def test_my_decisions_lists_every_state_with_its_badges(client, an_agent):
    DecisionFactory(author=an_agent, action="Waiting one")
    DecisionFactory(author=an_agent, approved=True, action="Approved one")
    DecisionFactory(author=an_agent, status=Decision.Status.WITHDRAWN, action="Withdrawn one")
    client.force_login(an_agent)

    page = client.get(reverse("decisions:mine")).content.decode()

    for text in ("Waiting one", "Approved one", "Withdrawn one", "Waiting for approval", "Approved", "Withdrawn"):
        assert text in page


def _many_decisions(count, team):
    authors = [agent(team) for _ in range(3)] + [agent(TeamFactory()) for _ in range(2)]
    values = [CompanyValueFactory(), CompanyValueFactory()]
    for n in range(count):
        decision = DecisionFactory(author=authors[n % len(authors)], approved=n % 3 == 0)
        decision.values.set(values[: n % 3])
    return authors[0]


@pytest.mark.parametrize("count", [10, 200])
def test_the_feed_runs_a_constant_number_of_queries(client, team, count, django_assert_max_num_queries):
    viewer = _many_decisions(count, team)
    client.force_login(viewer)

    # The first reader writes the cards and the filters (the stories in full, their values, celebrators, trust
    # statements and comments; the menus' departments, categories and values)…
    with django_assert_max_num_queries(17):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    # …which the next pages read from the cache: the session, the reader, the stories' ids, what their cards' keys
    # need, the bell, and the request's transaction.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_my_decisions_runs_a_constant_number_of_queries(client, team, count, django_assert_max_num_queries):
    author = agent(team)
    for _ in range(count):
        DecisionFactory(author=author).values.set([CompanyValueFactory()])
    client.force_login(author)

    with django_assert_max_num_queries(11):
        response = client.get(reverse("decisions:mine"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_the_decision_page_runs_a_constant_number_of_queries(client, team, count, django_assert_max_num_queries):
    viewer = _many_decisions(count, team)
    decision = Decision.objects.filter(author=viewer).first()
    client.force_login(viewer)

    # Three more than before once the story is shared: the outcome's history, the company values that its author
    # may add to the outcome form, and the teams whose guardrail details the reader may see.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("decisions:detail", args=[decision.pk]))
    assert response.status_code == 200


def test_the_team_filter_lists_the_readers_department_and_keeps_the_chosen_one(client, an_agent, team):
    neighbour = TeamFactory(department=team.department, name="Billing <& Co>")
    elsewhere = TeamFactory(name="Far away")
    client.force_login(an_agent)

    page = client.get(reverse("home")).content.decode()
    chosen = client.get(reverse("home"), {"team": elsewhere.pk}).content.decode()

    # A thousand teams would make an unreadable menu: the reader's own department's are listed…
    assert f'<option value="{neighbour.pk}">Billing &lt;&amp; Co&gt;</option>' in page
    assert f'<option value="{team.pk}">{team.name}</option>' in page
    assert ">All teams</option>" in page
    assert "Far away" not in page
    # …and any other team still filters by its link, shown as chosen.
    assert f'<option value="{elsewhere.pk}" selected>Far away</option>' in chosen


def test_the_department_filter_shows_its_stories_and_lists_its_teams(client, an_agent, team):
    elsewhere = TeamFactory(name="Far away")
    DecisionFactory(approved=True, team=elsewhere, action="Far away story")
    DecisionFactory(approved=True, team=team, action="Story at home")
    client.force_login(an_agent)

    page = client.get(reverse("home"), {"department": elsewhere.department.pk}).content.decode()

    assert "Far away story" in page and "Story at home" not in page
    assert f'<option value="{elsewhere.department.pk}" selected>{elsewhere.department.name}</option>' in page
    assert f'<option value="{elsewhere.pk}">Far away</option>' in page
    assert f">{team.name}</option>" not in page


def test_the_feeds_query_in_sql_finds_what_the_orm_finds_with_every_filter_and_cursor(team):
    """PostgreSQL reads the feed with a statement written out (newest_in_sql); the ORM's version (SQLite's) is the
    reference."""
    moment = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    reader = agent(team)
    elsewhere = TeamFactory()
    kind = DecisionFactory(author=agent(team)).category
    value = CompanyValueFactory()
    for n in range(30):
        story = DecisionFactory(
            author=agent(team if n % 3 else elsewhere),
            approved=n % 2 == 0,
            category=kind if n % 4 else DecisionFactory.build().category,
            channel=Channel.CHAT if n % 5 else Channel.EMAIL,
            # Pairs of stories at the same moment: the cursor breaks the tie by id.
            created_at=moment - datetime.timedelta(minutes=n // 2),
        )
        if n % 3 == 0:
            story.values.set([value])
    every = [
        {},
        {"team": team},
        {"team": elsewhere},
        {"department": elsewhere.department},
        {"category": kind},
        {"channel": Channel.EMAIL},
        {"value": value},
        {"team": team, "channel": Channel.CHAT, "category": kind},
    ]
    for filters in every:
        first = selectors.newest_in_orm(user=reader, filters=filters, after=None, limit=7)
        assert selectors.newest_in_sql(user=reader, filters=filters, after=None, limit=7) == first, filters
        after = (first[-1][1], first[-1][0]) if first else None
        assert selectors.newest_in_sql(user=reader, filters=filters, after=after, limit=7) == (
            selectors.newest_in_orm(user=reader, filters=filters, after=after, limit=7)
        ), filters
