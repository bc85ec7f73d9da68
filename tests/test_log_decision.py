import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.decisions.models import Decision
from apps.org.models import Organisation
from tests.factories import CompanyValueFactory, GuardrailFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goodwill():
    return GuardrailFactory(category__name="Goodwill gesture").category


@pytest.fixture
def story(goodwill):
    return {
        "situation": "The customer waited 40 minutes on hold.",
        "action": "I gave her a voucher for the wait.",
        "justification": "Forty minutes is not the service we want to give anyone.",
        "category": goodwill.pk,
        "channel": "phone",
        "cost": "15",
        "outcome": "retained",
        "happened_on": timezone.localdate().isoformat(),
        "customer_reference": "CASE-123",
    }


def test_it_logs_a_covered_decision_for_the_authors_team(client, an_agent, team, story):
    empathy = CompanyValueFactory(name="Empathy")
    client.force_login(an_agent)

    response = client.post(reverse("decisions:create"), {**story, "values": [empathy.pk]})

    decision = Decision.objects.get()
    assert response.url == reverse("decisions:detail", args=[decision.pk])
    assert (decision.author, decision.team, decision.status) == (an_agent, team, "submitted")
    assert decision.covered and decision.currency == "USD"
    assert list(decision.values.all()) == [empathy]


def test_it_ignores_fields_the_form_does_not_own(client, an_agent, story):
    someone_else = UserFactory()
    client.force_login(an_agent)

    client.post(
        reverse("decisions:create"),
        {**story, "cost": "999", "status": "celebrated", "author": someone_else.pk, "covered": "on", "team": 999},
    )

    decision = Decision.objects.get()
    assert decision.author == an_agent and decision.status == "submitted" and not decision.covered


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("cost", "-5", "The cost cannot be negative"),
        ("cost", "twelve", "Enter the cost as a number"),
        ("cost", "250000", "Please check the amount"),
        ("justification", "", "This field is required"),
        ("justification", "Felt right", "Tell us why in a sentence or two"),
        ("happened_on", "2999-01-01", "That date is in the future"),
        ("happened_on", "0001-01-01", "That date is too far in the past"),
        ("happened_on", "1999-12-31", "That date is too far in the past"),
        ("customer_reference", "4111 1111 1111 1111", "This looks like a card number."),
        ("customer_reference", "ana.garcia@example.com", "This looks like an email address."),
        ("customer_reference", "+34 612 345 678", "This looks like a phone number."),
        ("situation", "x" * 2001, "Ensure this value has at most 2000 characters"),
        ("category", "99999", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_keeps_the_text_and_saves_nothing(
    client, an_agent, story, field, bad, message
):
    client.force_login(an_agent)

    response = client.post(reverse("decisions:create"), {**story, field: bad})

    page = response.content.decode()
    assert response.status_code == 200
    error_block = page.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    assert "The customer waited 40 minutes on hold." in page or field == "situation"
    assert Decision.objects.count() == 0


def test_an_empty_form_sent_as_it_is_says_what_is_missing_next_to_each_field(client, an_agent):
    client.force_login(an_agent)

    response = client.post(reverse("decisions:create"), {})

    page = response.content.decode()
    for field in ("situation", "justification", "category", "channel", "cost"):  # what a story needs; the rest waits
        error_block = page.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
        assert "This field is required." in error_block, field
    for optional in ("action", "outcome", "happened_on"):
        assert f'id="id_{optional}_error"' not in page, optional
    assert Decision.objects.count() == 0


def test_a_ticket_number_is_a_fine_customer_reference(client, an_agent, story):
    client.force_login(an_agent)

    client.post(reverse("decisions:create"), {**story, "customer_reference": "TCK-2026-004512"})

    assert Decision.objects.get().customer_reference == "TCK-2026-004512"


def test_bidirectional_control_characters_are_taken_out_of_the_text(client, an_agent, story):
    """A right-to-left override makes text display in another order than it was written."""
    client.force_login(an_agent)

    client.post(reverse("decisions:create"), {**story, "action": "I refunded \u202e05$ \u2066the fee\u2069."})

    assert Decision.objects.get().action == "I refunded 05$ the fee."


def test_the_cost_ceiling_comes_from_the_organisation(client, an_agent, story):
    org = Organisation.current()
    org.cost_ceiling = 100
    org.save()
    client.force_login(an_agent)

    response = client.post(reverse("decisions:create"), {**story, "cost": "150"})

    assert "That is more than $100" in response.content.decode()


def test_html_is_shown_as_text_and_unicode_survives_the_round_trip(client, an_agent, story):
    client.force_login(an_agent)
    text = "<script>alert('x')</script> Café ñandú 🎉 مرحبا بالعميل"

    client.post(reverse("decisions:create"), {**story, "action": text})
    decision = Decision.objects.get()
    page = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()

    assert decision.action == text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Café ñandú 🎉 مرحبا بالعميل" in page


def test_someone_without_a_team_is_told_why_they_cannot_log_yet(client, story):
    loner = UserFactory()
    client.force_login(loner)

    response = client.post(reverse("decisions:create"), story)

    assert "You are not in a team yet" in response.content.decode()
    assert Decision.objects.count() == 0


def test_the_live_hint_says_where_the_agent_stands(client, an_agent, goodwill):
    client.force_login(an_agent)
    url = reverse("decisions:coverage_hint")

    inside = client.get(url, {"category": goodwill.pk, "cost": "20"}).content.decode()
    above = client.get(url, {"category": goodwill.pk, "cost": "80"}).content.decode()
    incomplete = client.get(url, {"category": goodwill.pk, "cost": ""}).content.decode()

    assert "Covered" in inside and "inside your $50 limit for" in inside
    assert "Above your guardrail ($50)" in above and "You will not be penalised" in above
    assert "Choose a category and enter the cost" in incomplete


def test_the_author_edits_a_submitted_decision_and_coverage_is_decided_again(client, an_agent, story):
    client.force_login(an_agent)
    client.post(reverse("decisions:create"), story)
    decision = Decision.objects.get()

    client.post(reverse("decisions:edit", args=[decision.pk]), {**story, "cost": "75"})

    decision.refresh_from_db()
    assert decision.cost == 75 and not decision.covered


def test_the_author_withdraws_a_submitted_decision(client, an_agent, story):
    client.force_login(an_agent)
    client.post(reverse("decisions:create"), story)
    decision = Decision.objects.get()

    response = client.post(reverse("decisions:withdraw", args=[decision.pk]))

    decision.refresh_from_db()
    assert response.url == reverse("decisions:mine")
    assert decision.status == "withdrawn" and decision.withdrawn_at is not None


def test_a_decision_on_yesterday_in_the_agents_time_zone_is_fine(client, an_agent, story):
    client.force_login(an_agent)

    client.post(
        reverse("decisions:create"),
        {**story, "happened_on": (timezone.localdate() - datetime.timedelta(1)).isoformat()},
    )

    assert Decision.objects.count() == 1
