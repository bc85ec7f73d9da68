"""The feed's story cards are written once and kept in the cache for every reader who sees them the same way: each
reader still gets their own CSRF token and page address, and whatever changes what a card shows writes it again."""

import datetime
import html
import re
from dataclasses import replace

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.decisions import cards
from apps.decisions import services as decision_services
from apps.recognition import services as recognition_services
from apps.setup.personal_data import person_erase
from tests.factories import DecisionFactory, TeamFactory, admin, agent, manager

pytestmark = pytest.mark.django_db


def _feed(client, query="") -> str:
    response = client.get(reverse("home") + query)
    assert response.status_code == 200
    return response.content.decode()


def _card_of(page: str, decision) -> str:
    card = rf'<article class="story[^"]*" aria-labelledby="story-{decision.pk}-title">.*?</article>'
    match = re.search(card, page, re.S)
    assert match, f"no card for story {decision.pk}"
    return match[0]


def _story_reads(queries) -> list[str]:
    """The queries that read stories in full: what writing a card needs, and a card from the cache does not."""
    return [q["sql"] for q in queries if '"decisions_decision"."situation"' in q["sql"]]


def test_a_card_is_written_once_and_each_reader_gets_their_own_token_and_address():
    story = DecisionFactory(approved=True, action="I refunded the second month.")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(agent(TeamFactory()))
    second.force_login(agent(TeamFactory()))

    _feed(first)
    with CaptureQueriesContext(connection) as queries:
        page = _feed(second, f"?channel={story.channel}")

    assert not _story_reads(queries.captured_queries)
    assert cards.CSRF_MARK not in page and cards.NEXT_MARK not in page
    card = _card_of(page, story)
    assert "I refunded the second month." in card
    assert html.unescape(re.search(r'name="next" value="([^"]*)"', card)[1]) == f"/?channel={story.channel}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', card)[1]
    endorsed = second.post(reverse("recognition:endorse", args=[story.pk]), {"csrfmiddlewaretoken": token, "next": "/"})
    assert endorsed.status_code == 302
    assert story.endorsements.count() == 1


def _endorse(story, *, comment="", endorser=None):
    endorser = endorser or agent(TeamFactory())
    recognition_services.endorsement_create(decision=story, endorser=endorser, comment=comment)
    return endorser


def _comment_changed(story):
    endorser = _endorse(story, comment="Nice save.")
    return endorser, lambda: recognition_services.endorsement_comment(
        decision=story, endorser=endorser, comment="Textbook call."
    )


CHANGES = {
    "endorsed": (
        lambda story: _endorse(story, comment="Exactly right."),
        ["1 endorsement", "Exactly right."],
    ),
    "celebrated": (
        lambda story: recognition_services.decision_celebrate(
            decision=story, manager=story.approved_by, note="Best call of the week."
        ),
        ["Best call of the week."],
    ),
    "edited": (
        lambda story: decision_services.decision_update(
            decision=story, editor=story.author, fields={"action": "I refunded both months."}
        ),
        ["I refunded both months."],
    ),
    "team renamed": (
        lambda story: setattr(story.team, "name", "Retention heroes") or story.team.save(),
        ["Retention heroes"],
    ),
    "author renamed": (
        lambda story: setattr(story.author, "first_name", "Marisol") or story.author.save(),
        ["Marisol"],
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_whatever_changes_what_a_card_shows_writes_it_again(client, change):
    # Authors change their stories until they are approved: the teammates see those in the feed too.
    story = DecisionFactory(approved=change != "edited", action="I refunded the second month.")
    client.force_login(agent(story.team))
    _feed(client)
    make, shown = CHANGES[change]

    make(story)

    card = _card_of(_feed(client), story)
    for text in shown:
        assert text in card


def test_an_endorsement_taken_back_while_another_is_given_takes_its_comment_along(client):
    story = DecisionFactory(approved=True)
    leaving = _endorse(story, comment="First thoughts.")
    _endorse(story, comment="Second thoughts.")
    arriving = agent(TeamFactory())
    client.force_login(agent(TeamFactory()))
    assert "First thoughts." in _card_of(_feed(client), story)

    # The same count, and the same last comment written: only the newest endorsement tells the card changed.
    recognition_services.endorsement_delete(decision=story, endorser=leaving)
    _endorse(story, endorser=arriving)

    card = _card_of(_feed(client), story)
    assert "2 endorsements" in card
    assert "Second thoughts." in card and "First thoughts." not in card


def test_a_changed_comment_shows_on_the_card(client):
    story = DecisionFactory(approved=True)
    _endorser, change = _comment_changed(story)
    client.force_login(agent(TeamFactory()))
    assert "Nice save." in _card_of(_feed(client), story)

    change()

    card = _card_of(_feed(client), story)
    assert "Textbook call." in card and "Nice save." not in card


def test_an_erased_person_leaves_the_cards_at_once(client):
    story = DecisionFactory(approved=True, action="I refunded the second month.")
    commenter = _endorse(DecisionFactory(approved=True), comment="Signed, Tobias.")
    client.force_login(agent(TeamFactory()))
    page = _feed(client)
    assert "I refunded the second month." in page and "Signed, Tobias." in page

    person_erase(user=story.author, by=admin())
    person_erase(user=commenter, by=admin())

    page = _feed(client)
    assert "I refunded the second month." not in page
    assert "Signed, Tobias." not in page


def test_readers_who_may_see_more_get_their_own_card(client, team):
    above = DecisionFactory(author=agent(team), approved=True, covered=False, coverage="none")
    outsider, lead = agent(TeamFactory()), manager(team)
    client.force_login(outsider)
    assert "Above the guardrail" not in _card_of(_feed(client), above)

    client.force_login(lead)
    assert "Above the guardrail" in _card_of(_feed(client), above)
    client.force_login(outsider)
    assert "Above the guardrail" not in _card_of(_feed(client), above)


def test_each_reader_sees_their_own_endorsement_and_comment(client):
    # Covered: everyone sees the same badge, so only what each reader did with the story sets their cards apart.
    story = DecisionFactory(approved=True, covered=True, coverage="organisation")
    other, quiet, vocal = agent(TeamFactory()), agent(TeamFactory()), agent(TeamFactory())
    recognition_services.endorsement_create(decision=story, endorser=quiet)
    recognition_services.endorsement_create(decision=story, endorser=vocal, comment="Mine, all mine.")
    cards = {}
    for reader in (other, quiet, vocal, story.author):
        client.force_login(reader)
        cards[reader] = _card_of(_feed(client), story)

    assert 'aria-pressed="false"' in cards[other]
    assert 'aria-pressed="true"' in cards[quiet] and 'value="Mine, all mine."' not in cards[quiet]
    assert 'aria-pressed="true"' in cards[vocal] and 'value="Mine, all mine."' in cards[vocal]
    assert "endorse__form" not in cards[story.author]  # nobody endorses their own story


def test_how_long_ago_follows_the_clock(client):
    logged = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(logged, tick=False):
        story = DecisionFactory(approved=True)
        client.force_login(agent(TeamFactory()))
        assert "just now" in _card_of(_feed(client), story)
    with time_machine.travel(logged + datetime.timedelta(minutes=3), tick=False):
        assert "3\xa0minutes ago" in _card_of(_feed(client), story)


def test_each_language_has_its_own_card(client):
    story = DecisionFactory(approved=True)
    english, dutch = agent(TeamFactory()), agent(TeamFactory(), language="nl")
    client.force_login(english)
    assert "No endorsements yet" in _card_of(_feed(client), story)

    client.force_login(dutch)

    assert "Nog geen onderschrijvingen" in _card_of(_feed(client), story)


def test_a_card_written_from_a_story_that_changed_meanwhile_is_not_kept_for_others(client, team, monkeypatch):
    """A manager's page read the story's facts just before its author's edit made it "above the guardrail", and the
    story itself just after: the card it writes shows the manager's badge, under the key of a covered story."""
    story = DecisionFactory(author=agent(team), approved=True, covered=False, coverage="none")
    lead, outsider = manager(team), agent(TeamFactory())
    read_facts = cards.story_facts
    monkeypatch.setattr(cards, "story_facts", lambda *a, **kw: [replace(f, covered=True) for f in read_facts(*a, **kw)])
    client.force_login(lead)
    assert "Above the guardrail" in _card_of(_feed(client), story)

    client.force_login(outsider)
    assert "Above the guardrail" not in _card_of(_feed(client), story)
