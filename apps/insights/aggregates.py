"""SQL aggregates that Django does not ship: the median, computed by the database."""

import statistics

from django.db.models import Aggregate


class Median(Aggregate):
    """The median of a column (amounts or durations): PostgreSQL's PERCENTILE_CONT, or on SQLite (the embedded
    default) an aggregate function registered on each connection, so the number is the same on both and still
    computed in SQL. PostgreSQL answers a median of amounts as a float, so callers round it to cents."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function=SQLITE_MEDIAN, template="%(function)s(%(expressions)s)", **extra_context
        )


SQLITE_MEDIAN = "LEEWAY_MEDIAN"


class _SqliteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(float(value))

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def register_sqlite_median(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
