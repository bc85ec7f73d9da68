from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from apps.core.templatetags.leeway import localized_number, money

from ..tables import COUNT, HOURS, MONEY, RATIO, SHARE

register = template.Library()


@register.simple_tag
def cell(value, column, currency: str) -> str:
    """A table cell (or a total, given its kind) as the page shows it, in the reader's number format; an empty cell
    reads as a dash."""
    kind = getattr(column, "kind", column)
    if value is None:
        return "—"
    if kind == MONEY:
        return money(value, currency)
    if kind == SHARE:
        # Spanish writes a space before the sign (66,7 %); English and Dutch do not (66.7%, 66,7%).
        sign = "\u00a0%" if get_language() == "es" else "%"
        return f"{number_format(value, decimal_pos=1, use_l10n=True)}{sign}"
    if kind == RATIO:
        return f"{number_format(value, decimal_pos=1, use_l10n=True)}×"
    if kind == HOURS:
        return f"{number_format(value, decimal_pos=1, use_l10n=True)} h"
    if kind == COUNT:
        return localized_number(value)
    return value


@register.simple_tag
def query_with(filters, **changes) -> str:
    """The address of this view with the filters in force and `changes` (a CSV table, another period)."""
    return "?" + filters.query_for(**changes)
