"""Content in three languages: guardrail examples in the reader's language (else the organisation's, else any filled
one), and what people write shown as written, marked with the language it was written in."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from apps.decisions.models import Decision, Guardrail
from apps.decisions.services import decision_submit
from tests.factories import CategoryFactory, DecisionFactory, GuardrailFactory, admin, agent

pytestmark = pytest.mark.django_db


def _examples(page: str) -> dict[str, tuple[str, str]]:
    """The playbook's example lists: kind → (their lang attribute or "", their text)."""
    found = {}
    for kind in ["in", "out"]:
        match = re.search(rf'class="scope--{kind}"><h3>[^<]*</h3><ul(?: lang="(\w+)")?>(.*?)</ul>', page)
        found[kind] = (match[1] or "", re.sub(r"<[^>]+>", " ", match[2]).strip())
    return found


@pytest.fixture
def fee_waiver():
    return GuardrailFactory(
        category=CategoryFactory(name="Fee waiver", name_es="Exención de cargos", name_nl="Kwijtschelding"),
        in_scope="Waive a late fee we caused",
        in_scope_es="Perdonar un recargo que causamos",
        in_scope_nl="Een boete kwijtschelden die wij veroorzaakten",
        out_of_scope="Promise future discounts",
        out_of_scope_es="",
        out_of_scope_nl="",
    )


@pytest.mark.parametrize(
    ("language", "in_scope"),
    [
        ("en", "Waive a late fee we caused"),
        ("es", "Perdonar un recargo que causamos"),
        ("nl", "Een boete kwijtschelden die wij veroorzaakten"),
    ],
)
def test_the_playbook_shows_the_examples_in_the_readers_language(client, fee_waiver, language, in_scope):
    client.force_login(agent(language=language))

    examples = _examples(client.get(reverse("decisions:playbook")).content.decode())

    assert examples["in"] == ("", in_scope)


def test_examples_nobody_translated_fall_back_to_the_organisations_language_marked_as_such(client, fee_waiver):
    client.force_login(agent(language="es"))

    examples = _examples(client.get(reverse("decisions:playbook")).content.decode())

    assert examples["out"] == ("en", "Promise future discounts")


def test_examples_written_only_in_another_language_are_shown_rather_than_nothing(client):
    GuardrailFactory(category__name="Upgrade", in_scope="", in_scope_es="Mejorar el asiento", out_of_scope="")
    client.force_login(agent(language="nl"))

    examples = _examples(client.get(reverse("decisions:playbook")).content.decode())

    assert examples["in"] == ("es", "Mejorar el asiento")


def test_an_admin_fills_the_examples_in_three_languages_in_setup(client):
    client.force_login(admin())
    guardrail = GuardrailFactory(category__name="Refund")

    response = client.post(
        reverse("setup:category", args=[guardrail.category.pk]),
        {
            "name": "Refund",
            "name_es": "Reembolso",
            "name_nl": "Terugbetaling",
            "description": "",
            "limit": "50",
            "in_scope": "Lost parcel",
            "out_of_scope": "Change a contract",
            "in_scope_es": "Paquete perdido",
            "out_of_scope_es": "Cambiar un contrato",
            "in_scope_nl": "Verloren pakket",
            "out_of_scope_nl": "Een contract wijzigen",
        },
    )

    assert response.status_code == 302
    guardrail.refresh_from_db()
    with translation.override("nl"):
        assert guardrail.in_scope_list() == ["Verloren pakket"]
        assert guardrail.out_of_scope_list() == ["Een contract wijzigen"]
    with translation.override("es"):
        assert guardrail.in_scope_list() == ["Paquete perdido"]
    form = client.get(reverse("setup:category", args=[guardrail.category.pk])).content.decode()
    assert "Verloren pakket" in form and 'lang="nl"' in form


def test_the_demo_fills_the_examples_in_three_languages():
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115

    filled = Guardrail.objects.exclude(in_scope="")
    assert filled.count() >= 6
    assert not filled.filter(in_scope_es="").exists() and not filled.filter(in_scope_nl="").exists()
    assert not filled.filter(out_of_scope_es="").exists() and not filled.filter(out_of_scope_nl="").exists()


def test_a_story_records_the_language_its_author_writes_in():
    author = agent(language="nl")
    GuardrailFactory(category__name="Refund")

    story = decision_submit(
        author=author,
        fields={
            "category": GuardrailFactory(category__name="Refund").category,
            "channel": "phone",
            "situation": "De klant wachtte drie weken op zijn pakket.",
            "action": "Ik heb de verzendkosten terugbetaald.",
            "justification": "Onze vervoerder was te laat.",
            "cost": 5,
            "outcome": "",
            "happened_on": "2026-11-17",
        },
    )

    assert story.language == "nl"


def test_a_story_is_marked_with_its_language_on_its_page_and_in_my_stories(client):
    story = DecisionFactory(author=agent(language="nl"), language="nl", status=Decision.Status.SUBMITTED)
    older = DecisionFactory(author=story.author, language="")
    reader = story.author
    reader.language = "es"
    reader.save()
    client.force_login(reader)

    detail = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()
    mine = client.get(reverse("decisions:mine")).content.decode()

    assert f'<h1 id="story-title" class="page-title" lang="nl">{story.action}</h1>' in detail
    assert f'<p lang="nl">{escape(story.situation)}</p>' in detail
    assert f'<p lang="nl">{escape(story.justification)}</p>' in detail
    assert '<html lang="es">' in detail
    assert f'<a href="{reverse("decisions:detail", args=[story.pk])}" lang="nl">' in mine
    # A story logged before languages were recorded is in the organisation's language.
    assert f'<a href="{reverse("decisions:detail", args=[older.pk])}" lang="en">' in mine


def test_a_story_card_in_the_feed_is_marked_with_its_language(client):
    story = DecisionFactory(author=agent(language="es"), language="es", approved=True)
    client.force_login(agent(team=story.team, language="en"))

    feed = client.get(reverse("home")).content.decode()

    assert f'id="story-{story.pk}-title" lang="es">' in feed
    assert '<p class="story__situation" lang="es">' in feed
