from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision
from tests.factories import CompanyValueFactory, GuardrailFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


@pytest.fixture
def goodwill():
    CompanyValueFactory(name="Empathy", slug="empathy")
    return GuardrailFactory(category__name="Goodwill gesture", category__slug="goodwill", limit=Decimal("50")).category


def _fill_story(page):
    page.get_by_label("What was the situation?").fill("A customer waited 40 minutes on hold before we answered.")
    page.get_by_label("What did you decide?").fill("I gave her a voucher for the wait.")
    page.get_by_label("Why? Your justification").fill("Forty minutes is not the service we want to give anyone.")
    page.get_by_label("Category").select_option(label="Goodwill gesture")
    page.get_by_label("Channel").select_option(label="Phone")
    page.get_by_label("Customer outcome").select_option(label="Customer retained")


def test_an_agent_logs_a_decision_and_sees_the_live_covered_hint(page, sign_in, an_agent, goodwill, screenshot):
    sign_in(an_agent)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log a decision").click()
    _fill_story(page)
    hint = page.locator("#coverage-hint")

    page.get_by_label("Cost").fill("20")
    expect(hint).to_contain_text("Covered — inside your $50 limit for goodwill gesture")
    page.get_by_label("Cost").fill("80")
    expect(hint).to_contain_text("Above your guardrail ($50)")
    expect(hint).to_contain_text("You will not be penalised")
    page.get_by_label("Cost").fill("35")
    expect(hint).to_contain_text("Covered")
    page.get_by_text("Empathy").click()
    screenshot("log-decision-form")
    page.get_by_role("button", name="Log this decision").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("I gave her a voucher for the wait.")
    expect(page.get_by_role("status")).to_contain_text("Your story is logged")
    page.get_by_label("Your account").click()
    page.get_by_role("link", name="My stories").click()
    row = page.get_by_role("row", name="I gave her a voucher")
    expect(row).to_contain_text("Covered")
    expect(row).to_contain_text("Waiting for approval")
    decision = Decision.objects.get()
    assert decision.covered and decision.cost == Decimal("35")


def test_a_bad_cost_shows_its_error_next_to_the_field_and_keeps_the_text(page, sign_in, an_agent, goodwill, screenshot):
    sign_in(an_agent)
    page.goto("/stories/new/")
    _fill_story(page)
    page.get_by_label("Cost").fill("-20")

    page.get_by_role("button", name="Log this decision").click()

    expect(page.locator("#id_cost_error")).to_have_text("The cost cannot be negative. Enter 0 if it cost nothing.")
    expect(page.get_by_label("Cost")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("What was the situation?")).to_have_value(
        "A customer waited 40 minutes on hold before we answered."
    )
    expect(page.get_by_label("Category")).to_have_value(str(goodwill.pk))
    screenshot("log-decision-bad-cost")
    assert Decision.objects.count() == 0
