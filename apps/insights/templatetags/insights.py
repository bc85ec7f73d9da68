from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from apps.core.templatetags.leeway import localized_number, money

from ..tables import COUNT, HOURS, MONEY, RATIO, SHARE, TEXT

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
def table_part(table, part: str) -> str:
    """A table's "rows" or "footer" as HTML: written when the figures were stored, if they were, else now."""
    if part in table.html:
        return mark_safe(table.html[part])  # noqa: S308 - written by table_rows
    return table_rows(table.cells if part == "rows" else table.footer_cells, table.currency)


def table_rows(rows, currency: str) -> str:
    """A table's rows, each a `<tr>` whose first cell heads the row: built here in one pass rather than cell by cell
    in the template, which took most of a large page's time (a table per team of a thousand teams)."""
    lines = []
    for row in rows:
        cells = []
        for position, (value, column) in enumerate(row):
            text = conditional_escape(cell(value, column, currency))
            if position == 0:
                cells.append(f'<th scope="row">{text}</th>')
            elif column.kind == TEXT:
                cells.append(f"<td>{text}</td>")
            else:
                cells.append(f'<td class="num">{text}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(lines))  # noqa: S308 - every cell is escaped above


@register.simple_tag
def query_with(filters, **changes) -> str:
    """The address of this view with the filters in force and `changes` (a CSV table, another period)."""
    return "?" + filters.query_for(**changes)
