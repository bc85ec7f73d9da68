"""A table of numbers as the page shows it and as its CSV export writes it: one definition, so both always agree."""

import dataclasses
from decimal import Decimal

TEXT, COUNT, SHARE, MONEY, RATIO, HOURS = "text", "count", "share", "money", "ratio", "hours"


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    kind: str = COUNT


@dataclasses.dataclass
class Table:
    key: str  # its name in the CSV link: ?csv=<key>
    title: str
    columns: list[Column]
    rows: list[list] = dataclasses.field(default_factory=list)
    currency: str = "USD"
    footer: list[list] = dataclasses.field(default_factory=list)  # a benchmark under the rows (a median)
    empty: str = ""  # what the page says when there are no rows
    # The rows and footer as HTML, written once when the table is stored with figures read by many (see figures.py).
    html: dict[str, str] = dataclasses.field(default_factory=dict)
    csv: str = ""  # its header and rows as CSV text, likewise

    @property
    def cells(self) -> list[list[tuple]]:
        """Each row as (value, column) pairs, for the page."""
        return [list(zip(row, self.columns, strict=True)) for row in self.rows]

    @property
    def footer_cells(self) -> list[list[tuple]]:
        return [list(zip(row, self.columns, strict=True)) for row in self.footer]


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or none when there is nothing to share."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"))


def money(amount) -> Decimal:
    """An amount rounded to cents (the median comes from the database as a float)."""
    return Decimal(str(amount or 0)).quantize(Decimal("0.01"))
