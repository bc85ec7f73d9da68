from datetime import UTC
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext

register = template.Library()

CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "MXN": "MX$",
    "COP": "COL$",
    "ARS": "AR$",
    "CAD": "CA$",
    "AUD": "A$",
}


# Where each language writes the symbol (no-break spaces keep amount and symbol on one line), the symbols that
# differ from the table above, and from how many integer digits it groups thousands: Spanish writes 1234 but 12.345.
MONEY_PATTERNS = {"en": "{symbol}{number}", "es": "{number}\u00a0{symbol}", "nl": "{symbol}\u00a0{number}"}
LOCAL_SYMBOLS = {"es": {"USD": "US$"}, "nl": {"USD": "US$"}}
GROUPING_FROM_DIGITS = {"es": 5}


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@register.filter
def localized_number(amount, decimal_pos: int | None = None) -> str:
    """A number in the reader's format, thousands grouped as that language groups them: 1,234.5 · 1234,5 · 1.234,5."""
    digits = GROUPING_FROM_DIGITS.get(_language(), 4)
    grouped = abs(Decimal(amount)) >= 10 ** (digits - 1)
    return number_format(amount, decimal_pos=decimal_pos, use_l10n=True, force_grouping=grouped)


@register.filter
def money(amount, currency: str = "USD") -> str:
    """An amount as the reader's language writes money: €1,234.50 · 1234,50 € · € 1.234,50 ($50 · 50 US$ · US$ 50)."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    decimals = 0 if amount == amount.to_integral_value() else 2
    language = _language()
    symbol = LOCAL_SYMBOLS.get(language, {}).get(currency) or CURRENCY_SYMBOLS.get(currency, currency)
    pattern = MONEY_PATTERNS.get(language, MONEY_PATTERNS["en"])
    if pattern == MONEY_PATTERNS["en"] and symbol.isalpha():
        pattern = "{symbol}\u00a0{number}"  # a currency code, not a symbol: CHF 50
    text = pattern.format(symbol=symbol, number=localized_number(abs(amount), decimals))
    return f"-{text}" if amount < 0 else text


@register.filter
def since(moment) -> str:
    """How long ago, in one unit, in the reader's language: "3 days ago", "hace 3 días", "3 dagen geleden"."""
    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(moment, depth=1)}


@register.filter
def waited(moment) -> str:
    """How long something has waited, in one unit: "3 days", "3 días", "3 dagen"."""
    if not moment:
        return ""
    return timesince(moment, depth=1)


@register.filter
def machine_datetime(moment) -> str:
    """A moment for <time datetime>, to the second in UTC: HTML allows at most three digits of a second's fraction."""
    if not moment:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def written_in(story) -> str:
    """The language a story was written in, for its `lang` attribute: recorded when it was logged, else (older stories)
    the organisation's language. Takes a decision or the language code a digest stored."""
    language = story if isinstance(story, str) else getattr(story, "language", "")
    return language or settings.LANGUAGE_CODE


@register.simple_tag(takes_context=True)
def nav_items(context) -> str:
    """The main navigation's links: the same in the top bar and in the small screens' menu, so written once a page."""
    request = context.get("request")
    written = getattr(request, "_nav_items", None)
    if written is None:
        written = context.template.engine.get_template("includes/nav_items.html").render(context)
        if request is not None:
            request._nav_items = written
    return written
