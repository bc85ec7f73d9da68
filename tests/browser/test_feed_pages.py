"""In a real browser, with the keyboard alone: the feed's "Older" link continues after the last story shown, and
"Newest stories" comes back to the top."""

import datetime

import pytest
from playwright.sync_api import expect

from ..factories import DecisionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def test_older_stories_are_reached_and_left_with_the_keyboard(page, sign_in, an_agent):
    for n in range(25):
        DecisionFactory(approved=True, action=f"Story number {n:02d}", created_at=START + datetime.timedelta(hours=n))
    sign_in(an_agent)

    older = page.get_by_role("link", name="Older")
    older.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("article", name="Story number 04")).to_be_visible()
    expect(page.get_by_role("article", name="Story number 05")).to_have_count(0)
    expect(page.get_by_role("link", name="Older")).to_have_count(0)
    page.get_by_role("link", name="Newest stories").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("article", name="Story number 24")).to_be_visible()
