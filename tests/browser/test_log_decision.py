import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision
from tests.factories import CompanyValueFactory, GuardrailFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

SITUATION = "A customer waited 40 minutes on hold before we answered, so I gave her a voucher for the wait."
WHY = "Forty minutes is not the service we want to give anyone."


@pytest.fixture
def goodwill():
    CompanyValueFactory(name="Empathy", slug="empathy")
    return GuardrailFactory(category__name="Goodwill gesture", category__slug="goodwill", limit=Decimal("50")).category


def _fill_story(page):
    page.get_by_label("What happened, and what did you decide?").fill(SITUATION)
    page.get_by_label("Why? Your justification").fill(WHY)
    page.get_by_label("Category").select_option(label="Goodwill gesture")
    page.get_by_label("Channel").select_option(label="Phone")


def test_an_agent_logs_a_decision_and_sees_the_live_covered_hint(page, sign_in, an_agent, goodwill, screenshot):
    sign_in(an_agent)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log a story").click()
    _fill_story(page)
    hint = page.locator("#coverage-hint")

    page.get_by_label("Cost").fill("20")
    expect(hint).to_contain_text("Covered — inside your $50 limit for goodwill gesture")
    page.get_by_label("Cost").fill("80")
    expect(hint).to_contain_text("Above your guardrail ($50)")
    expect(hint).to_contain_text("You will not be penalised")
    page.get_by_label("Cost").fill("35")
    expect(hint).to_contain_text("Covered")
    page.get_by_text("Add more").click()
    page.get_by_label("Headline").fill("I gave her a voucher for the wait.")
    page.get_by_label("Customer outcome").select_option(label="Customer retained")
    page.get_by_text("Empathy").click()
    screenshot("log-decision-form")
    page.get_by_role("button", name="Log this story").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("I gave her a voucher for the wait.")
    expect(page.get_by_role("status")).to_contain_text("Your story is logged")
    page.locator("summary", has_text="Your account").click()
    page.get_by_role("link", name="My stories").click()
    row = page.get_by_role("row", name="I gave her a voucher")
    expect(row).to_contain_text("Covered")
    expect(row).to_contain_text("Waiting for approval")
    decision = Decision.objects.get()
    assert decision.covered and decision.cost == Decimal("35") and decision.outcome == "retained"


def test_a_returning_agent_logs_a_story_with_the_keyboard_alone_in_five_inputs(page, sign_in, an_agent, goodwill):
    sign_in(an_agent)
    page.goto("/stories/new/")
    started = time.monotonic()
    filled = []

    # The story box has the focus on arrival; Tab walks through the other essentials in order, Enter sends.
    for text in (SITUATION, WHY, "Goodwill", "Phone", "20"):
        filled.append(page.evaluate("document.activeElement.name"))
        page.keyboard.type(text)
        if text != "20":
            page.keyboard.press("Tab")
    expect(page.locator("#coverage-hint")).to_contain_text("Covered")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Your story is logged")
    assert filled == ["situation", "justification", "category", "channel", "cost"]
    assert time.monotonic() - started < 60
    decision = Decision.objects.get()
    assert (decision.category, decision.channel, decision.cost) == (goodwill, "phone", Decimal("20"))
    assert decision.happened_on is not None and decision.action.startswith("A customer waited 40 minutes")


def test_a_draft_survives_a_closed_tab_and_is_gone_once_sent(browser, live_server, sign_in, page, an_agent, goodwill):
    sign_in(an_agent)
    page.goto("/stories/new/")
    page.get_by_label("What happened, and what did you decide?").fill(SITUATION)
    page.get_by_label("Category").select_option(label="Goodwill gesture")
    page.close()

    again = page.context.new_page()
    again.goto(f"{live_server.url}/stories/new/")

    expect(again.get_by_label("What happened, and what did you decide?")).to_have_value(SITUATION)
    expect(again.get_by_label("Category")).to_have_value(str(goodwill.pk))
    expect(again.get_by_text("We kept the draft you had not sent yet.")).to_be_visible()
    again.get_by_label("Why? Your justification").fill(WHY)
    again.get_by_label("Channel").select_option(label="Phone")
    again.get_by_label("Cost").fill("10")
    again.get_by_role("button", name="Log this story").click()
    expect(again.get_by_role("status")).to_contain_text("Your story is logged")

    again.goto(f"{live_server.url}/stories/new/")
    expect(again.get_by_label("What happened, and what did you decide?")).to_have_value("")


def test_on_a_phone_the_hint_sits_right_under_the_cost(page, sign_in, an_agent, goodwill):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(an_agent)
    page.goto("/stories/new/")
    _fill_story(page)
    page.get_by_label("Cost").fill("20")
    expect(page.locator("#coverage-hint")).to_contain_text("Covered")

    cost = page.get_by_label("Cost").bounding_box()
    hint = page.locator("#coverage-hint").bounding_box()
    assert 0 <= hint["y"] - (cost["y"] + cost["height"]) < 120


def test_a_bad_cost_shows_its_error_next_to_the_field_and_keeps_the_text(page, sign_in, an_agent, goodwill, screenshot):
    sign_in(an_agent)
    page.goto("/stories/new/")
    _fill_story(page)
    page.get_by_label("Cost").fill("-20")

    page.get_by_role("button", name="Log this story").click()

    expect(page.locator("#id_cost_error")).to_have_text("The cost cannot be negative. Enter 0 if it cost nothing.")
    expect(page.get_by_label("Cost")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("What happened, and what did you decide?")).to_have_value(SITUATION)
    expect(page.get_by_label("Category")).to_have_value(str(goodwill.pk))
    screenshot("log-decision-bad-cost")
    assert Decision.objects.count() == 0


def test_precedents_appear_while_typing_and_never_show_a_story_the_reader_may_not_see(
    page, sign_in, an_agent, goodwill, screenshot
):
    from django.utils import timezone

    from tests.factories import DecisionFactory, TeamFactory, agent

    lotte = agent(TeamFactory(), first_name="Lotte", last_name="de Vries")
    now = timezone.now()
    DecisionFactory(
        author=lotte,
        category=goodwill,
        situation="A customer waited on hold for an hour, so I sent a voucher for the wait.",
        action="A voucher for an hour on hold",
        status="celebrated",
        approved_at=now,
        celebrated_at=now,
        celebration_note="Exactly right.",
    )
    DecisionFactory(
        author=agent(TeamFactory()),
        situation="A customer waited on hold for ages, so I sent a voucher, secretly.",
        action="A hidden voucher story from another team",
    )
    sign_in(an_agent)
    page.goto("/stories/new/")

    page.get_by_label("What happened, and what did you decide?").press_sequentially("The customer waited on hold")

    precedents = page.locator("#precedents")
    expect(precedents).to_contain_text("A voucher for an hour on hold")
    expect(precedents).to_contain_text("Lotte made this call — celebrated")
    expect(precedents).not_to_contain_text("hidden voucher")
    screenshot("log-decision-precedents")
