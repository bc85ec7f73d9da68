"""In a real browser: a department head reads the ROI ledger, changes period and scope, and downloads a table as
CSV; a manager adopts a suggested limit for their team. Screenshots in English and Spanish."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.decisions.models import TeamGuardrail, TrustStatement
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    TeamFactory,
    agent,
    department_head,
    manager,
    recently,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


@pytest.fixture
def care(db):
    care = DepartmentFactory(name="Customer Care")
    billing = TeamFactory(name="Billing & Accounts", department=care)
    orders = TeamFactory(name="Orders & Returns", department=care)
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver", name_es="Exención de cargos")).category
    ana, tom = agent(billing, first_name="Ana"), agent(orders, first_name="Tom")
    when = recently()
    for author, cost in ((ana, 20), (ana, 30), (ana, 40), (ana, 45), (tom, 60), (ana, 70), (tom, 0)):
        DecisionFactory(author=author, category=fee, cost=Decimal(cost), created_at=when)
    return {
        "billing": billing,
        "fee": fee,
        "helen": department_head(care, first_name="Helen", last_name="Carter"),
        "grace": manager(billing, first_name="Grace", last_name="Okafor"),
    }


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_department_head_reads_the_ledger_and_downloads_a_table(page, sign_in, care, screenshot, language):
    helen = care["helen"]
    helen.language = language
    helen.save()
    sign_in(helen)

    page.locator(".mainnav a[href='/insights/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "ROI ledger" if language == "en" else "Balance de retorno"
    )
    expect(page.locator(".stat__value").first).to_have_text("7")
    screenshot(f"insights-ledger-{language}")

    page.locator("#id_period").select_option("quarter")  # submits on change
    expect(page).to_have_url(re.compile(r"period=quarter"))
    page.locator("#id_scope").select_option(f"team-{care['billing'].pk}")
    page.get_by_role("button", name="Show" if language == "en" else "Mostrar").click()
    expect(page).to_have_url(re.compile(rf"scope=team-{care['billing'].pk}"))
    expect(page.locator(".stat__value").first).to_have_text("5")
    expect(page.locator("svg.chart__svg")).to_have_count(2)

    with page.expect_download() as download:
        page.locator("section[data-table='categories'] a[download]").click()
    content = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert content.startswith("\ufeff")
    assert ("Exención de cargos,5" if language == "es" else "Fee waiver,5") in content
    assert "Billing & Accounts · Customer Care" in content
    screenshot(f"insights-ledger-team-{language}")


def test_a_manager_adopts_a_suggested_limit_for_their_team(page, sign_in, care, screenshot):
    sign_in(care["grace"])

    page.goto(f"/insights/calibration/?scope=team-{care['billing'].pk}")
    expect(page.get_by_text("Suggested limit: $60")).to_be_visible()
    screenshot("insights-calibration")
    page.get_by_role("button", name="Adopt it as the team's limit").click()

    expect(page.get_by_text("Fee waiver: Billing & Accounts's own limit is now $60.")).to_be_visible()
    assert TeamGuardrail.objects.get(team=care["billing"], category=care["fee"]).limit == Decimal("60")


def test_a_manager_publishes_an_earned_autonomy_trust_statement(page, sign_in, care, screenshot):
    ana = care["billing"].memberships.get(role="agent").user
    for day in range(10):
        DecisionFactory(
            author=ana, category=care["fee"], cost=Decimal(20), covered=True, coverage="organisation",
            limit_in_force=Decimal(50), created_at=timezone.now() - datetime.timedelta(days=day + 2),
        )  # fmt: skip
    sign_in(care["grace"])

    page.goto("/insights/autonomy/")
    offer = page.locator(".autonomy-offer")
    expect(offer).to_contain_text("Fee waiver")
    offer.get_by_label("I trust you to …").fill("I trust you to waive fees up to $75 on your own.")
    screenshot("insights-autonomy")
    offer.get_by_role("button", name="Publish this trust statement").click()

    expect(page.get_by_text("Your trust statement is published.")).to_be_visible()
    statement = TrustStatement.objects.get(agent=ana)
    assert statement.raised_limit == Decimal("75") and statement.text.startswith("I trust you to waive fees")
