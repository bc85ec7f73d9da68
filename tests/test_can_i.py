"""The "Can I?" help-desk page: prefilled from the help desk's address, the log form's own coverage hint, a story
logged with the ticket's reference, and framing allowed only to the help desks the admin listed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.decisions.models import Decision
from apps.integrations.models import HelpDeskSettings
from apps.org.models import Organisation

from .factories import CategoryFactory, GuardrailFactory, TeamGuardrailFactory

pytestmark = pytest.mark.django_db

ZENDESK = "https://acme.zendesk.com"


@pytest.fixture
def refunds():
    return GuardrailFactory(category=CategoryFactory(name="Refund", slug="refund"), limit=Decimal("50")).category


@pytest.fixture
def help_desk():
    return HelpDeskSettings.objects.create(organisation=Organisation.current(), frame_origins=ZENDESK)


def test_the_help_desks_address_prefills_category_cost_channel_and_ticket(client, an_agent, refunds):
    client.force_login(an_agent)

    page = client.get(reverse("can_i:page"), {"category": "refund", "cost": "30", "channel": "chat", "ticket": "4521"})

    form = page.context["form"]
    assert form["category"].value() == refunds.pk
    assert form["cost"].value() == "30"
    assert form["channel"].value() == "chat"
    assert form["customer_reference"].value() == "4521"
    # The live hint is the log form's own (decisions:coverage_hint), loaded at once with what is filled in.
    assert reverse("decisions:coverage_hint") in page.content.decode()


def test_the_coverage_hint_it_asks_for_names_the_rule_and_the_limit(client, an_agent, team, refunds):
    TeamGuardrailFactory(team=team, category=refunds, limit=Decimal("80"))
    client.force_login(an_agent)

    hint = client.get(reverse("decisions:coverage_hint"), {"category": refunds.pk, "cost": "70"}).content.decode()
    page = client.get(reverse("can_i:page")).content.decode()

    assert "Covered" in hint and "80" in hint
    assert "<td>Team limit</td>" in page and "$80" in page


def test_an_agent_logs_the_story_from_the_sidebar_with_the_ticket_as_customer_reference(client, an_agent, refunds):
    client.force_login(an_agent)
    query = "?category=refund&cost=30&channel=chat&ticket=4521"

    response = client.post(
        reverse("can_i:page") + query,
        {
            "category": refunds.pk,
            "cost": "30",
            "channel": "chat",
            "customer_reference": "4521",
            "situation": "Parcel lost twice; refunded the shipping.",
            "justification": "Losing this customer costs far more than the shipping.",
        },
    )

    assert response.status_code == 302 and response["Location"].endswith(query.replace("?", "?", 1))
    story = Decision.objects.get()
    assert (story.customer_reference, story.channel, story.category, story.cost) == ("4521", "chat", refunds, 30)
    assert story.author == an_agent and story.covered
    after = client.get(response["Location"]).content.decode()
    assert "Logged." in after and reverse("decisions:detail", args=[story.pk]) in after


def test_a_story_with_a_missing_reason_is_not_logged_and_keeps_what_was_typed(client, an_agent, refunds):
    client.force_login(an_agent)

    page = client.post(
        reverse("can_i:page"),
        {
            "category": refunds.pk,
            "cost": "30",
            "channel": "chat",
            "situation": "Refunded the shipping.",
            "justification": "",
        },
    ).content.decode()

    assert not Decision.objects.exists()
    assert "Refunded the shipping." in page and 'role="alert"' in page


def test_only_the_listed_help_desks_may_frame_the_page(client, an_agent, help_desk):
    client.force_login(an_agent)

    can_i = client.get(reverse("can_i:page"))
    home = client.get(reverse("home"))

    assert "X-Frame-Options" not in can_i
    assert f"frame-ancestors 'self' {ZENDESK}" in can_i["Content-Security-Policy"]
    assert home["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in home["Content-Security-Policy"]


def test_the_sign_in_page_is_frameable_only_on_the_way_to_can_i(client, help_desk):
    on_the_way = client.get(reverse("account_login"), {"next": "/can-i/?ticket=4521"})
    elsewhere = client.get(reverse("account_login"), {"next": "/insights/"})
    sneaky = client.get(reverse("account_login"), {"next": "https://evil.example/can-i/"})

    assert f"frame-ancestors 'self' {ZENDESK}" in on_the_way["Content-Security-Policy"]
    assert "X-Frame-Options" not in on_the_way
    for response in (elsewhere, sneaky):
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_signing_out_visitors_are_sent_to_sign_in_and_back(client):
    response = client.get(reverse("can_i:page"), {"ticket": "4521"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "can-i" in response["Location"]
