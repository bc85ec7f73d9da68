"""Real-browser tests: Playwright drives Debian's Chromium against Django's live server."""

import contextlib
import os
import shutil
import threading
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


class _RequestsInFlight:
    """Wraps the live server's WSGI app to know when no request is being answered."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            return _Answered(self.app(environ, start_response), self._done)
        except BaseException:
            self._done()
            raise

    def _done(self):
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait_until_idle(self, timeout: float) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout=timeout)


class _Answered:
    """A response that reports when the server has closed it (Django finishes the request, its database work
    included, in close())."""

    def __init__(self, response, done):
        self.response = response
        self.done = done

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.done()


@pytest.fixture
def requests_in_flight(live_server) -> _RequestsInFlight:
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), _RequestsInFlight):
        httpd.set_app(_RequestsInFlight(httpd.get_app()))
    return httpd.get_app()


@pytest.fixture
def page(browser, live_server, settle_context) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    settle_context(context)


@pytest.fixture
def settle_context(requests_in_flight):
    """Let the last requests (an htmx swap, a redirect) finish on the server before the test database is emptied.

    A view still inside its transaction while the flush truncates every table is a deadlock, and a view that reaches
    the database after the test has ended crashes the test process. So: wait for every page the test opened (it may
    have closed the first one), close the browser context, then wait until the live server answers no request.
    A test that opens a browser context of its own settles it with this too.
    """

    def _settle(context) -> None:
        for open_page in context.pages:
            with contextlib.suppress(PlaywrightError):
                open_page.wait_for_load_state("load", timeout=5_000)
                open_page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=5_000)
        context.close()
        requests_in_flight.wait_until_idle(timeout=10)

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
