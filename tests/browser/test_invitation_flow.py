"""The invitation flow in a real browser: an admin adds a person, the person opens the link from their email,
chooses a password, lands on their welcome page, and the same link then refuses a second use."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.setup import services
from tests.factories import GuardrailFactory, admin, manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


def test_an_admin_invites_a_person_who_chooses_a_password_and_is_welcomed(
    browser, live_server, page, sign_in, team, screenshot, settle_context
):
    GuardrailFactory(category__name="Fee waiver")
    manager(team, first_name="Grace", last_name="Okafor")
    morgan = admin(first_name="Morgan", last_name="Lee")
    sign_in(morgan)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    page.get_by_role("link", name="Add a person").first.click()
    page.get_by_label("Email address").fill("nina@acme.example")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_label("Team (optional)").select_option(label=f"{team.name} · {team.department.name}")
    page.get_by_role("button", name="Add and invite").click()
    expect(page.get_by_text("Nina Berg is added and invited by email.")).to_be_visible()
    expect(page.get_by_text("Invited", exact=True)).to_be_visible()
    screenshot("setup-person-invited")

    services.invitations_send_pending()  # what the worker does once the person is saved
    (message,) = mail.outbox
    link = re.search(r"https?://\S+(/welcome/invitation/\S+/)", message.body).group(1)

    newcomer = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome, Nina")
    newcomer.get_by_label("Password *", exact=True).fill("a-long-new-secret-9")
    newcomer.get_by_label("Password (again) *", exact=True).fill("a-long-new-secret-9")
    newcomer.get_by_role("button", name="Choose this password and sign in").click()

    newcomer.wait_for_url("**/welcome/")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome to Leeway, Nina")
    expect(newcomer.get_by_text(f"You are in {team.name}")).to_be_visible()
    expect(newcomer.get_by_text("Your manager is Grace Okafor.")).to_be_visible()
    expect(newcomer.get_by_text("Fee waiver: up to $50")).to_be_visible()
    expect(newcomer.get_by_role("link", name="Log your first story")).to_be_visible()

    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("This invitation has been used")
    settle_context(newcomer.context)
