"""Dutch as Leeway writes it: 16 nov 2026, 16-11-2026, 14:05, 1.234,50.

Django's `nl` defaults spell the month out ("16 november 2026"), long for tables and cards; docs/glossary.md lists one
style per language.
"""

DATE_FORMAT = "j b Y"  # "b": the month in three lower-case letters, as this language writes it
DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j b"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
