"""In a real browser: the leaderboards render this week's points, people and teams."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import a_week_to_celebrate, recently

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


@pytest.fixture
def this_week(db):
    return a_week_to_celebrate(when=recently())


def test_the_people_and_team_leaderboards_render_this_weeks_points(page, sign_in, this_week, screenshot):
    sign_in(this_week["tom"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboards").click()

    table = page.get_by_role("table", name="People ranked by points")
    expect(table.get_by_role("row")).to_have_count(3)  # the header, Ana, Tom (Mei's only story is from last month)
    expect(table.get_by_role("row").nth(1)).to_contain_text("Ana García")
    expect(page.get_by_role("heading", name="How points are earned")).to_be_visible()
    expect(page.locator(".standing")).to_contain_text("#2")
    screenshot("leaderboard-people")

    page.get_by_role("navigation", name="Board").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("table", name="Teams ranked by points")).to_contain_text("Billing & Accounts")
    screenshot("leaderboard-teams")

    page.get_by_role("link", name="All time").click()
    page.get_by_label("Channel").select_option("phone")  # submits on change
    expect(page).to_have_url(re.compile(r"channel=phone"))
    expect(page.get_by_role("table", name="Teams ranked by points")).to_contain_text("Billing & Accounts")
