class IdConverter:
    """A database id in a URL: at most 18 digits. A longer number would not fit a 64-bit integer (SQLite answers
    OverflowError, PostgreSQL an error), so it is simply a page that does not exist: 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def as_id(value) -> int | None:
    """A database id given in a query string, a form or an API (the same rule as IdConverter's), or None: "²" is a
    digit to `str.isdigit` but no number to `int`, and 30 digits fit no column; either was a server error."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
