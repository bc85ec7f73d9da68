"""On a 360 px phone every page reachable from the navigation fits the screen (no sideways scrolling), for an agent
and for a manager, and the menu reaches every area."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..factories import DecisionFactory, EndorsementFactory, ReviewFactory, agent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

PHONE = {"width": 360, "height": 780}
LONG = "Ik heb de dubbele afschrijving teruggestort en precies uitgelegd wat er misging bij de verzendkosten."


@pytest.fixture
def stories(team, an_agent, a_manager):
    colleague = agent(team, first_name="Daan", last_name="Visser")
    shared = DecisionFactory(author=colleague, action=LONG, situation=LONG * 3, approved=True)
    EndorsementFactory(decision=shared, endorser=an_agent, comment="Precies goed, " * 10)
    waiting = DecisionFactory(
        author=an_agent,
        action=LONG,
        covered=True,
        coverage="organisation",
        created_at=timezone.now() - datetime.timedelta(days=5),
    )
    reviewed = DecisionFactory(author=an_agent, action="A story in review")
    ReviewFactory(decision=reviewed, opened_by=a_manager)
    return [shared, waiting, reviewed]


def _pages_from_the_menus(page) -> list[str]:
    page.locator(".menu--nav > summary").click()
    hrefs = page.eval_on_selector_all(
        ".menu--nav a[href^='/'], .menu--user a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return [href for href in dict.fromkeys(hrefs) if not href.startswith("/admin/")]


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_every_page_fits_a_360_px_phone(page, sign_in, stories, an_agent, a_manager, role):
    person = an_agent if role == "agent" else a_manager
    page.set_viewport_size(PHONE)
    sign_in(person)

    areas = _pages_from_the_menus(page)
    expect(page.locator(".menu--nav")).to_contain_text("Leaderboards")
    expect(page.locator(".menu--nav")).to_contain_text("Digests")
    if role == "manager":
        expect(page.locator(".menu--nav")).to_contain_text("Manage")
    paths = [*areas, *(f"/stories/{story.pk}/" for story in stories), f"/recognition/decisions/{stories[2].pk}/review/"]

    too_wide = {}
    for path in paths:
        response = page.goto(path)
        if response.status != 200:
            continue
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}
    assert len(paths) >= 9
