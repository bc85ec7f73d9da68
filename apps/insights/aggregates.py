"""SQL aggregates that Django does not ship: a percentile (the median and others), computed by the database."""

import math

from django.db.models import Aggregate


class Percentile(Aggregate):
    """A continuous percentile of a column (amounts or durations): PostgreSQL's PERCENTILE_CONT, or on SQLite (the
    embedded default) an aggregate function registered on each connection, so the number is the same on both and
    still computed in SQL. PostgreSQL answers a percentile of amounts as a float, so callers round it to cents."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, fraction=self.fraction, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # The fraction (a float of ours, never user input) travels as a second argument of the registered function.
        clone = self.copy()
        clone.function = SQLITE_PERCENTILE
        clone.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return clone.as_sql(compiler, connection, **extra_context)


class Median(Percentile):
    name = "Median"

    def __init__(self, expression, **extra):
        super().__init__(expression, 0.5, **extra)


SQLITE_PERCENTILE = "LEEWAY_PERCENTILE"


class _SqlitePercentile:
    """PERCENTILE_CONT's interpolation, for SQLite."""

    def __init__(self):
        self.values, self.fraction = [], 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(float(value))

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        position = (len(values) - 1) * self.fraction
        low, high = math.floor(position), math.ceil(position)
        return values[low] + (values[high] - values[low]) * (position - low)


def register_sqlite_percentile(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SqlitePercentile)
