from datetime import UTC
from decimal import Decimal

from django import template
from django.utils.formats import number_format

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


@register.filter
def money(amount, currency: str = "USD") -> str:
    """An amount with its currency symbol, in the reader's number format: $50, €12,50."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    decimals = 0 if amount == amount.to_integral_value() else 2
    number = number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{number}"


@register.filter
def machine_datetime(moment) -> str:
    """A moment for <time datetime>, to the second in UTC: HTML allows at most three digits of a second's fraction."""
    if not moment:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
