"""In a real browser: a colleague endorses Ana's story, her manager approves and celebrates it from the queue, and
Ana finds out through the bell."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.decisions.models import Decision

from ..factories import DecisionFactory, agent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


def _sign_out(page):
    page.context.clear_cookies()


def test_an_endorsed_story_is_approved_and_celebrated_and_the_author_is_told(
    page, sign_in, screenshot, team, an_agent, a_manager
):
    tom = agent(team, first_name="Tom", last_name="Becker", email="tom@acme.example")
    story = DecisionFactory(
        author=an_agent,
        action="I waived the late fee.",
        covered=True,
        coverage="organisation",
        created_at=timezone.now() - datetime.timedelta(days=2),
    )

    # Tom endorses his colleague's story from the feed in one click; the button says so and the count changes in
    # place; then he adds a comment, which the card shows.
    sign_in(tom)
    card = page.get_by_role("article", name="I waived the late fee.")
    expect(card.get_by_text("No endorsements yet")).to_be_visible()
    card.get_by_role("button", name="Endorse").click()
    expect(card.get_by_role("button", name="Endorsed · take back", pressed=True)).to_be_visible()
    expect(card.locator(f"#endorse-count-{story.pk}")).to_have_text("1 endorsement")
    card.get_by_label("Comment").fill("Exactly what I would want as a customer.")
    card.get_by_role("button", name="Post").click()
    expect(card.locator(f"#comments-{story.pk}")).to_contain_text("Tom Becker Exactly what I would want as a customer.")
    assert page.url.endswith("/")  # no page load: htmx swapped it in place
    screenshot("recognition-feed-endorsed")

    # On the story's page, his comment is listed with his name.
    card.get_by_role("link", name="I waived the late fee.").click()
    panel = page.get_by_role("region", name="Recognition")
    expect(panel.get_by_text("Exactly what I would want as a customer.")).to_be_visible()
    expect(panel.get_by_role("button", name="Endorsed · take back", pressed=True)).to_be_visible()
    screenshot("recognition-endorsed")

    # Grace approves it from her queue, then celebrates it with a public note.
    _sign_out(page)
    sign_in(a_manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", name="Your queue", level=1)).to_be_visible()
    waiting = page.get_by_role("region", name="Waiting for your approval").get_by_role(
        "article", name="I waived the late fee."
    )
    expect(waiting).to_contain_text("waiting 2\xa0days")
    expect(waiting).to_contain_text("Covered")
    expect(waiting).to_contain_text("1 endorsement")
    screenshot("recognition-queue")
    approve = waiting.get_by_role("button", name="Approve")
    approve.focus()
    page.keyboard.press("Enter")

    # In place: no page load, the item says what happened, and the focus stays on the item's next action.
    expect(waiting.get_by_role("status")).to_contain_text("Shared with the whole organisation. Celebrate it too?")
    expect(page.locator(f"#queue-action-{story.pk}")).to_be_focused()
    waiting.get_by_text("Celebrate with a public note").click()
    waiting.get_by_label("Your note to the whole organisation").fill(
        "Great call, Ana — this is exactly the judgement we want."
    )
    waiting.get_by_role("button", name="Celebrate").click()
    expect(waiting.get_by_role("status")).to_contain_text("featured in the digest")
    screenshot("recognition-queue-after")
    story.refresh_from_db()
    assert story.status == Decision.Status.CELEBRATED

    # Ana sees the bell, opens her notifications and the celebrated story.
    _sign_out(page)
    sign_in(an_agent)
    bell = page.get_by_role("link", name=re.compile(r"^Notifications: 3 unread$"))
    expect(bell).to_be_visible()
    bell.click()
    items = page.locator(".notification")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Grace Okafor celebrated your story")
    expect(items.nth(1)).to_contain_text("Grace Okafor approved your story")
    expect(items.nth(2)).to_contain_text("Tom Becker endorsed your story")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # the count is cleared
    screenshot("recognition-notifications")
    page.get_by_role("link", name="Grace Okafor celebrated your story").click()
    expect(page.get_by_text("Great call, Ana — this is exactly the judgement we want.")).to_be_visible()
    expect(page.get_by_text("Your call was celebrated.")).to_be_visible()
    expect(page.get_by_text("If it went badly")).to_have_count(0)
    screenshot("recognition-story-author")


def test_an_endorsement_is_taken_back_and_given_again_from_the_feed(page, sign_in, team, an_agent):
    tom = agent(team, first_name="Tom", last_name="Becker", email="tom@acme.example")
    story = DecisionFactory(author=an_agent, action="I waived the late fee.", approved=True)
    sign_in(tom)
    card = page.get_by_role("article", name="I waived the late fee.")

    card.get_by_role("button", name="Endorse").click()
    card.get_by_role("button", name="Endorsed · take back").click()

    expect(card.get_by_role("button", name="Endorse", pressed=False)).to_be_visible()
    expect(card.locator(f"#endorse-count-{story.pk}")).to_have_text("No endorsements yet")
    assert not story.endorsements.exists()


def _covered_story(author, action, days_ago=1):
    return DecisionFactory(
        author=author,
        action=action,
        covered=True,
        coverage="organisation",
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_a_manager_approves_three_covered_stories_at_once(page, sign_in, screenshot, team, an_agent, a_manager):
    stories = [_covered_story(an_agent, f"Covered story {n}") for n in range(1, 4)]
    above = DecisionFactory(author=an_agent, action="A story above the guardrail")
    sign_in(a_manager)
    page.goto("/recognition/queue/")

    for story in stories:
        page.get_by_label(f"Approve “{story.action}” together with others").check()
    screenshot("queue-bulk")
    page.get_by_role("button", name="Approve the ticked stories").click()

    expect(page.get_by_role("status")).to_contain_text("Approved 3 covered stories")
    assert all(s.status == "approved" for s in Decision.objects.filter(pk__in=[s.pk for s in stories]))
    above.refresh_from_db()
    assert above.status == "submitted"


def test_a_manager_returns_a_story_with_a_note_and_the_author_reads_it(page, sign_in, team, an_agent, a_manager):
    story = _covered_story(an_agent, "I refunded the double charge.")
    sign_in(a_manager)
    page.goto("/recognition/queue/")
    item = page.get_by_role("article", name="I refunded the double charge.")

    item.get_by_text("Return to the author with a note").click()
    item.get_by_label("What should the author change?").fill("Please take out the customer's card number.")
    item.get_by_role("button", name="Return to the author").click()

    expect(item.get_by_role("status")).to_contain_text("It is not a penalty")
    _sign_out(page)
    sign_in(an_agent)
    page.goto(f"/stories/{story.pk}/")
    expect(page.get_by_text("Please take out the customer's card number.")).to_be_visible()
    expect(page.get_by_text("This is not a penalty")).to_be_visible()
    page.get_by_role("link", name="Change the story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your story")
