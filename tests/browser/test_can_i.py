"""The "Can I?" page inside a help desk's sidebar: a page on another origin frames it, the agent signs in inside the
frame, sees whether they are covered and logs the story with the ticket number; an origin the admin did not list
cannot frame it at all."""

import contextlib
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision
from apps.integrations.models import HelpDeskSettings
from apps.org.models import Organisation
from tests.factories import GuardrailFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

QUERY = "?category=refund&cost=30&channel=chat&ticket=4521"


@contextlib.contextmanager
def help_desk_page(live_server_url: str):
    """A stand-in help desk on another port: one page whose sidebar is an iframe of Leeway's "Can I?" page."""
    host = urlsplit(live_server_url).hostname
    html = (
        "<!DOCTYPE html><html><head><title>Ticket 4521</title></head><body><h1>Ticket 4521</h1>"
        f'<iframe title="Leeway" src="{live_server_url}/can-i/{QUERY}" width="360" height="720"></iframe>'
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def refunds():
    return GuardrailFactory(category__name="Refund", category__slug="refund", limit=Decimal("50")).category


def test_an_agent_signs_in_and_logs_a_story_inside_an_allowed_help_desks_sidebar(
    page, live_server, an_agent, password, refunds, screenshot
):
    with help_desk_page(live_server.url) as help_desk:
        HelpDeskSettings.objects.create(organisation=Organisation.current(), frame_origins=help_desk)
        page.set_default_timeout(30_000)  # a frame inside a page: two servers on a busy machine
        page.goto(help_desk, wait_until="domcontentloaded")
        sidebar = page.frame_locator("iframe[title=Leeway]")

        # Not signed in yet: the sign-in page shows inside the frame, and leads back to "Can I?".
        sidebar.get_by_label("Email").fill(an_agent.email)
        sidebar.get_by_label("Password").fill(password)
        sidebar.get_by_role("button", name="Sign In").click()

        expect(sidebar.get_by_role("heading", name="Can I?")).to_be_visible(timeout=30_000)
        expect(sidebar.locator("#coverage-hint")).to_contain_text(
            "Covered — inside your $50 limit for refund", timeout=15_000
        )
        expect(sidebar.get_by_label("Customer reference")).to_have_value("4521")
        sidebar.get_by_label("Cost").fill("80")
        expect(sidebar.locator("#coverage-hint")).to_contain_text("Above your guardrail ($50)")
        sidebar.get_by_label("Cost").fill("30")
        expect(sidebar.locator("#coverage-hint")).to_contain_text("Covered")
        sidebar.get_by_text("Log it now").click()
        sidebar.get_by_label("What happened, and what did you decide?").fill("Parcel lost twice; refunded shipping.")
        sidebar.get_by_label("Why? Your justification").fill("Losing this customer costs far more than shipping.")
        sidebar.get_by_role("button", name="Log this story").click()

        expect(sidebar.get_by_text("Logged. Thank you!")).to_be_visible(timeout=30_000)
        screenshot("can-i-in-a-help-desk")
    story = Decision.objects.get()
    assert (story.author, story.customer_reference, story.channel, story.cost) == (an_agent, "4521", "chat", 30)
    assert story.covered


def test_a_help_desk_the_admin_did_not_list_cannot_frame_the_page(page, live_server, sign_in, an_agent, refunds):
    HelpDeskSettings.objects.create(organisation=Organisation.current(), frame_origins="https://acme.zendesk.com")
    sign_in(an_agent)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)

    with help_desk_page(live_server.url) as help_desk:
        page.goto(help_desk)
        page.wait_for_load_state("load")
        expect(page.get_by_role("heading", name="Ticket 4521")).to_be_visible()
        sidebar = page.frame_locator("iframe[title=Leeway]")
        expect(sidebar.get_by_role("heading", name="Can I?")).to_have_count(0)
        page.wait_for_timeout(500)
        expect(sidebar.get_by_role("heading", name="Can I?")).to_have_count(0)
    assert any("frame-ancestors" in text for text in refused)
