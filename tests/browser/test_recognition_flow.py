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
    waiting.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved: the story is now visible to the whole organisation.")

    to_celebrate = page.get_by_role("region", name="Approved recently: worth celebrating?").get_by_role(
        "article", name="I waived the late fee."
    )
    to_celebrate.get_by_text("Celebrate with a public note").click()
    to_celebrate.get_by_label("Your note to the whole organisation").fill(
        "Great call, Ana — this is exactly the judgement we want."
    )
    to_celebrate.get_by_role("button", name="Celebrate").click()
    expect(page.get_by_role("status")).to_contain_text("Celebrated!")
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
