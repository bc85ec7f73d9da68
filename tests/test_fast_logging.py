"""Fast logging: five things are required (what happened and what I decided, why, category, cost, channel); the date
defaults to today in my time zone; the headline, outcome and values can wait and be added later by editing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision
from apps.decisions.services import headline_from
from tests.factories import CompanyValueFactory, DecisionFactory, GuardrailFactory, agent

pytestmark = pytest.mark.django_db

# 23:30 UTC on 29 November is already 30 November in Auckland and still the 29th in Mexico City.
LATE_EVENING_UTC = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def goodwill():
    return GuardrailFactory(category__name="Goodwill gesture").category


@pytest.fixture
def essentials(goodwill):
    return {
        "situation": "A customer waited 40 minutes on hold, so I gave her a voucher for the wait.",
        "justification": "Forty minutes is not the service we want to give anyone.",
        "category": goodwill.pk,
        "cost": "15",
        "channel": "phone",
    }


def test_it_logs_a_story_from_the_five_essentials_alone(client, an_agent, essentials):
    client.force_login(an_agent)

    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        response = client.post(reverse("decisions:create"), essentials)

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert decision.action == essentials["situation"]  # the headline comes from the story itself
    assert decision.outcome == "" and not decision.values.exists()
    assert decision.happened_on == datetime.date(2026, 11, 29) and decision.covered


@pytest.mark.parametrize(
    ("time_zone", "today"), [("Pacific/Auckland", "2026-11-30"), ("America/Mexico_City", "2026-11-29")]
)
def test_the_date_defaults_to_today_in_the_persons_time_zone(client, an_agent, time_zone, today):
    an_agent.time_zone = time_zone
    an_agent.save()
    client.force_login(an_agent)

    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        page = client.get(reverse("decisions:create")).content.decode()

    assert f'name="happened_on" value="{today}"' in page


def test_the_form_marks_only_the_essentials_as_required_and_folds_the_rest(client, an_agent):
    client.force_login(an_agent)

    page = client.get(reverse("decisions:create")).content.decode()

    required = page.count('class="field__required"')
    assert required == 5
    folded = page.split('class="form-more"', 1)[1].split("</details>", 1)[0]
    for label in ("Headline", "Customer outcome", "Which of our values does it show?", "Customer reference"):
        assert label in folded


def test_the_coverage_hint_sits_right_after_the_cost_field(client, an_agent):
    client.force_login(an_agent)

    page = client.get(reverse("decisions:create")).content.decode()

    after_cost = page.split('id="id_cost"', 1)[1]
    # The next thing after the cost input is the hint: nothing (not even the date) comes between them.
    assert after_cost.index('id="coverage-hint"') < after_cost.index('id="id_happened_on"')


def test_the_form_keeps_a_draft_in_the_browser_without_inline_script(client, an_agent):
    client.force_login(an_agent)

    page = client.get(reverse("decisions:create")).content.decode()

    assert f'data-draft="decision-new-{an_agent.pk}"' in page and "data-draft-restore" in page
    assert "<script>" not in page and "onclick" not in page


def test_the_outcome_and_values_are_added_later_by_editing(client, an_agent, essentials):
    empathy = CompanyValueFactory(name="Empathy")
    client.force_login(an_agent)
    client.post(reverse("decisions:create"), essentials)
    decision = Decision.objects.get()
    form = client.get(reverse("decisions:edit", args=[decision.pk])).content.decode()
    assert 'class="form-more" open' in form

    client.post(
        reverse("decisions:edit", args=[decision.pk]),
        {**essentials, "action": "A voucher for a long wait", "outcome": "retained", "values": [empathy.pk]},
    )

    decision.refresh_from_db()
    assert (decision.action, decision.outcome) == ("A voucher for a long wait", "retained")
    assert list(decision.values.all()) == [empathy]


def test_a_missing_essential_is_named_next_to_its_field_and_the_rest_is_kept(client, an_agent, essentials):
    client.force_login(an_agent)

    response = client.post(reverse("decisions:create"), {**essentials, "channel": ""})

    page = response.content.decode()
    assert "This field is required" in page.split('id="id_channel_error"', 1)[1].split("</div>", 1)[0]
    assert essentials["situation"] in page
    assert Decision.objects.count() == 0


def test_a_long_story_gets_a_headline_cut_at_a_word():
    text = "The customer " + "waited a long time on hold " * 10

    headline = headline_from(text)

    assert len(headline) <= 120 and headline.endswith("…") and not headline.endswith(" …")
    assert text.startswith(headline[:-1])


def test_the_author_adds_the_outcome_and_values_once_the_story_is_shared(client, an_agent):
    empathy = CompanyValueFactory(name="Empathy")
    story = DecisionFactory(author=an_agent, approved=True, outcome="")
    client.force_login(an_agent)
    assert "How did it turn out?" in client.get(reverse("decisions:detail", args=[story.pk])).content.decode()

    client.post(reverse("decisions:outcome", args=[story.pk]), {"outcome": "delighted", "values": [empathy.pk]})

    story.refresh_from_db()
    assert story.outcome == "delighted" and list(story.values.all()) == [empathy]
    assert story.status == "approved"


def test_nobody_else_adds_an_outcome(client, an_agent, team):
    story = DecisionFactory(author=an_agent, approved=True, outcome="")
    client.force_login(agent(team))

    assert "How did it turn out?" not in client.get(reverse("decisions:detail", args=[story.pk])).content.decode()
    assert client.post(reverse("decisions:outcome", args=[story.pk]), {"outcome": "lost"}).status_code == 403
    story.refresh_from_db()
    assert story.outcome == ""
