class IdConverter:
    """A database id in a URL: at most 18 digits. A longer number would not fit a 64-bit integer (SQLite answers
    OverflowError, PostgreSQL an error), so it is simply a page that does not exist: 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
