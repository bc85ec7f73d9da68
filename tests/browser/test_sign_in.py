import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


def test_it_signs_a_demo_agent_in_and_lands_on_the_feed(page, sign_in, an_agent, screenshot):
    sign_in(an_agent)

    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories")).to_be_visible()
    screenshot("home-agent")


def test_it_shows_an_error_for_a_wrong_password(page, an_agent):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(an_agent.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("alert")).to_contain_text("email address and/or password you specified are not correct")
    expect(page.get_by_label("Email")).to_have_value(an_agent.email)


def test_switching_to_spanish_shows_the_navigation_in_spanish_and_remembers_it(page, sign_in, an_agent):
    sign_in(an_agent)

    page.locator("summary", has_text="Language").click()
    page.get_by_role("button", name="Español").click()

    nav = page.get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Historias")).to_be_visible()
    an_agent.refresh_from_db()
    assert an_agent.language == "es"
