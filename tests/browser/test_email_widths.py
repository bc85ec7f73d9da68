"""Every email's HTML, opened in Chromium as a mail app would show it: readable from a 320 px phone to a 600 px
reading pane without sideways scrolling, and dark when the reader's system is dark. Screenshots of the digest and a
notification, light and dark, at both widths, go to test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.email_helpers import BASE_URL, every_email, html_of

pytestmark = pytest.mark.django_db

WIDTHS = (320, 600)
LOGO = Path(__file__).resolve().parent.parent.parent / "static" / "img" / "leeway-mark-email.png"
SHOT = {"digest": "email-digest", "celebrated": "email-notification-celebrated"}


def serve_logo(route):
    if route.request.url.endswith("/static/img/leeway-mark-email.png"):
        route.fulfill(path=str(LOGO), content_type="image/png")
    else:
        route.abort()


def luminance(css_colour: str) -> float:
    red, green, blue = (int(part) for part in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


@pytest.fixture
def emails(settings):
    settings.LEEWAY_BASE_URL = BASE_URL
    return every_email("nl")


def test_every_email_fits_from_320_to_600_pixels_and_turns_dark_with_the_system(browser, emails):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
            # Images live at LEEWAY_BASE_URL, which does not exist here: its logo is served from static/, nothing else.
            context.route("**/*", serve_logo)
            page = context.new_page()
            try:
                for kind, email in emails.items():
                    page.set_content(html_of(email))
                    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                    assert scroll_width <= inner_width, f"{kind} scrolls sideways at {width} px ({scroll_width})"
                    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                    if scheme == "dark":
                        assert luminance(background) < 0.2, f"{kind} stays light in dark mode ({background})"
                    else:
                        assert luminance(background) > 0.8, f"{kind} is dark in light mode ({background})"
                    if kind in SHOT:
                        page.screenshot(path=str(SCREENSHOTS / f"{SHOT[kind]}-{width}-{scheme}.png"), full_page=True)
            finally:
                context.close()
