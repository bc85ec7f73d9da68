"""English as Leeway writes it (British, like the rest of the interface): 16 Nov 2026, 16/11/2026, 14:05, 1,234.50.

Django's `en` defaults are American ("Nov. 16, 2026", "11/16/2026", "2:05 p.m."); docs/glossary.md lists one style
per language.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j M"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, like the weeks of digests and leaderboards
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
