"""Real-browser tests: Playwright drives Debian's Chromium against Django's live server."""

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("LEEWAY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    _settle(context)


def _settle(context) -> None:
    """Let the last requests (an htmx swap, a redirect) finish on the server before the test database is emptied.

    A view still inside its transaction while the flush truncates every table is a deadlock, and a view that reaches
    the database after the test has ended crashes the test process. So: wait for every page the test opened (it may
    have closed the first one), close the browser context, then wait for the live server's request threads to end.
    """
    for open_page in context.pages:
        with contextlib.suppress(PlaywrightError):
            open_page.wait_for_load_state("load", timeout=5_000)
            open_page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=5_000)
    context.close()
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        # socketserver names each request's thread after its target, process_request_thread.
        if "process_request_thread" in thread.name:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def settle_context():
    """For a test that opens a browser context of its own: settle it as the page fixture settles its own."""
    return _settle


@pytest.fixture
def sign_in(page, password):
    def _sign_in(user, expect_url="/"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(f"**{expect_url}")
        return page

    return _sign_in


@pytest.fixture
def screenshot(page):
    def _shot(name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot
