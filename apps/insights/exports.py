"""CSV export: one helper for every table, opening correctly in a spreadsheet and safe to open there."""

import csv
import io

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .tables import HOURS, MONEY, RATIO, SHARE, Table

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header(table: Table, index: int) -> str:
    column = table.columns[index]
    if column.kind == MONEY:
        return f"{column.header} ({table.currency})"
    if column.kind == SHARE:
        return f"{column.header} (%)"
    if column.kind == HOURS:
        return f"{column.header} ({_('hours')})"
    return column.header


def csv_response(*, table: Table, filters: list[tuple[str, str]], filename: str) -> HttpResponse:
    """`table` as a UTF-8 CSV with a byte-order mark (so spreadsheets read accents right), headed by the filters in
    force and then the table's own header row, in the reader's language. Numbers are written plainly (12.50, 66.7);
    every text cell that a spreadsheet would run as a formula is neutralised with a leading apostrophe."""
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([neutralise(_("Table")), neutralise(table.title)])
    for name, value in filters:
        writer.writerow([neutralise(name), neutralise(value)])
    writer.writerow([])
    text.write(table.csv or csv_body(table))
    # Written whole, not row by row into the response: each write of a thousand rows encoded on its own.
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def csv_body(table: Table) -> str:
    """The table's header row and rows as CSV text (stored with figures read by many, see figures.py)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([neutralise(header(table, i)) for i in range(len(table.columns))])
    for row in [*table.rows, *table.footer]:
        writer.writerow([_csv_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return text.getvalue()


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind in (MONEY, SHARE, RATIO, HOURS):
        return str(value)
    return neutralise(value)
