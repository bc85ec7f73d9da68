"""One format per language: money, dates and relative times as a native English, Spanish or Dutch reader writes them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.core.templatetags.leeway import money, since
from apps.decisions.models import Decision
from tests.factories import DecisionFactory, agent

NBSP = "\u00a0"


def _in(language: str, function, *args):
    with translation.override(language):
        return function(*args)


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("en", "1234.50", "EUR", "€1,234.50"),
        ("en", "50", "USD", "$50"),
        ("en", "12.5", "GBP", "£12.50"),
        ("es", "1234.50", "EUR", f"1234,50{NBSP}€"),
        ("es", "12345.50", "EUR", f"12.345,50{NBSP}€"),
        ("es", "50", "USD", f"50{NBSP}US$"),
        ("nl", "1234.50", "EUR", f"€{NBSP}1.234,50"),
        ("nl", "50", "USD", f"US${NBSP}50"),
        ("en", "50", "CHF", f"CHF{NBSP}50"),
        ("es", "-20", "EUR", f"-20{NBSP}€"),
    ],
)
def test_money_is_written_as_each_language_writes_it(language, amount, currency, shown):
    assert _in(language, money, Decimal(amount), currency) == shown


@pytest.mark.parametrize(
    ("language", "date", "short"),
    [("en", "16 Nov 2026", "16/11/2026"), ("es", "16 nov 2026", "16/11/2026"), ("nl", "16 nov 2026", "16-11-2026")],
)
def test_dates_have_one_style_per_language(language, date, short):
    day = datetime.date(2026, 11, 16)

    assert _in(language, date_format, day, "DATE_FORMAT") == date
    assert _in(language, date_format, day, "SHORT_DATE_FORMAT") == short


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "3 days ago"), ("es", "hace 3 días"), ("nl", "3 dagen geleden")]
)
def test_a_relative_time_shows_one_unit(language, shown):
    moment = timezone.now() - datetime.timedelta(days=3, hours=8)

    assert _in(language, since, moment).replace(NBSP, " ") == shown


def test_a_moment_ago_reads_as_just_now():
    assert _in("es", since, timezone.now()) == "hace un momento"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(NBSP, " ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "cost", "logged", "happened"),
    [
        ("en", "€1,234.50", "3 days ago", "happened on 15 Nov 2026"),
        ("es", "1234,50 €", "hace 3 días", "15 nov 2026"),
        ("nl", "€ 1.234,50", "3 dagen geleden", "15 nov 2026"),
    ],
)
def test_a_story_shows_its_cost_date_and_age_in_the_readers_language(client, language, cost, logged, happened):
    author = agent(language=language)
    story = DecisionFactory(
        author=author,
        cost=Decimal("1234.50"),
        currency="EUR",
        happened_on=datetime.date(2026, 11, 15),
    )
    Decision.objects.filter(pk=story.pk).update(created_at=timezone.now() - datetime.timedelta(days=3, hours=8))
    client.force_login(author)

    text = _text(client.get(reverse("decisions:detail", args=[story.pk])))

    assert cost in text
    assert logged in text
    assert "8 hours" not in text and "8 horas" not in text and "8 uur" not in text
    assert happened in text


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "11,101 people"), ("es", "11.101 personas"), ("nl", "11.101 mensen")],
)
def test_a_count_in_a_sentence_is_grouped_as_the_reader_writes_numbers(language, shown):
    template = Template(
        "{% load i18n leeway %}{% blocktranslate count counter=n with shown=n|localized_number %}"
        "{{ shown }} person{% plural %}{{ shown }} people{% endblocktranslate %}"
    )

    assert _in(language, template.render, Context({"n": 11101})) == shown
