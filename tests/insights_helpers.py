"""Reading an insights page's tables and CSV files as a person would, to compare them number by number."""

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser


class _TableReader(HTMLParser):
    def __init__(self, key: str):
        super().__init__()
        self.key, self.inside, self.depth, self.rows, self.cell = key, False, 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("data-table") == self.key:
            self.inside, self.depth = True, 0
        if not self.inside:
            return
        if tag == "section":
            self.depth += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "section":
            self.depth -= 1
            self.inside = self.depth > 0

    def handle_data(self, data):
        if self.inside and self.cell is not None:
            self.cell += data


def page_table(html: str, key: str) -> list[list[str]]:
    """The rows of the table `key` on a page, header row first, as the reader sees each cell."""
    reader = _TableReader(key)
    reader.feed(html)
    return reader.rows


def read_csv(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """(filters in force, table with its header row) of an exported CSV file."""
    assert content.startswith("\ufeff".encode()), "a spreadsheet needs the byte-order mark to read UTF-8"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1 :]


def number(text: str) -> Decimal | None:
    """A number as shown on a page ($1,200, €12.50, 66.7%, 20.0×) or written in a CSV file; none for a dash/blank."""
    digits = re.sub(r"[^\d.]", "", text)
    return Decimal(digits) if digits else None


def same_numbers(page_rows: list[list[str]], csv_rows: list[list[str]]) -> bool:
    """The CSV says what the page says: the same labels and, cell by cell, the same numbers."""
    assert len(page_rows) == len(csv_rows), (page_rows, csv_rows)
    for page_row, csv_row in zip(page_rows[1:], csv_rows[1:], strict=True):
        assert page_row[0] == csv_row[0].lstrip("'")
        assert [number(c) for c in page_row[1:]] == [number(c) for c in csv_row[1:]], (page_row, csv_row)
    return True
