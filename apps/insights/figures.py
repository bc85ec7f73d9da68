"""The numbers behind each insights page, and when a page reads them from figures worked out a few minutes ago.

Most scopes are small (a manager's team, a head's department) and their numbers are worked out on every visit. For a
scope of many teams — the whole of a large organisation — that means reading a month of every story on each visit
(over a second at 10,000 agents), so such a page shows figures worked out at most FRESH_FOR ago and says when; a beat
job (config/beat.py, every five minutes) works out the whole organisation's current month so that nobody waits.
"""

import dataclasses
import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.core.cache import generation, next_generation
from apps.leaderboards import periods
from apps.org.models import Organisation

from . import selectors
from .exports import csv_body
from .filters import TEAM, Filters, InsightsFilterForm
from .templatetags.insights import table_rows

# A scope of at least this many teams reads figures worked out at most FRESH_FOR ago (about 400 agents and more).
LARGE_SCOPE_TEAMS = 40
FRESH_FOR = datetime.timedelta(minutes=10)
# Bumped when what the figures are measured against changes (signals.py): the figures stored before are not read again.
GENERATION_KEY = "insights:figures-generation"
# Part of every key: change it when the stored classes change shape, so that a new release never reads an old one's.
STORED_FORMAT = 2


def _team_in_scope(filters: Filters) -> int | None:
    return filters.scope.pk if filters.scope.kind == TEAM else None


# Each page's numbers from the filters in force; the same for every reader of that scope and period (what only some
# readers see is picked out afterwards, by the data's `seen_by`).
BUILDERS: dict[str, Callable[[Organisation, Filters, datetime.datetime], Any]] = {
    "ledger": lambda org, f, now: selectors.ledger(org=org, team_ids=f.scope.team_ids, window=f.window),
    "managers": lambda org, f, now: selectors.managers_on_board(
        org=org, team_ids=f.scope.team_ids, window=f.window, now=now
    ),
    "calibration": lambda org, f, now: selectors.calibration(
        org=org, team_ids=f.scope.team_ids, window=f.window, team_id=_team_in_scope(f)
    ),
    "autonomy": lambda org, f, now: selectors.earned_autonomy(org=org, team_ids=f.scope.team_ids, now=now),
    "reach": lambda org, f, now: selectors.courage_and_reach(
        org=org, team_ids=f.scope.team_ids, window=f.window, now=now
    ),
}


@dataclasses.dataclass(frozen=True)
class Figures:
    data: Any
    as_of: datetime.datetime | None  # when they were worked out, if not for this request


def is_large(filters: Filters) -> bool:
    return filters.scope is not None and len(filters.scope.team_ids) >= LARGE_SCOPE_TEAMS


def _key(page: str, filters: Filters) -> str:
    """One entry per page, language, period and set of teams (a head's "all the teams you oversee" and their
    department are the same teams, and the same figures)."""
    teams = ",".join(str(pk) for pk in sorted(filters.scope.team_ids))
    window = filters.window
    return ":".join(
        [
            "insights:figures",
            str(STORED_FORMAT),
            str(generation(GENERATION_KEY)),
            page,
            filters.scope.kind,  # a team's calibration measures against its own limits
            translation.get_language() or settings.LANGUAGE_CODE,
            window.period,
            window.first_day.isoformat(),
            window.end_day.isoformat(),
            hashlib.sha256(teams.encode()).hexdigest()[:24],
        ]
    )


def figures_for(*, page: str, org: Organisation, filters: Filters, now: datetime.datetime) -> Figures:
    """The page's numbers: worked out now for a small scope; for a large one, the stored figures if they are recent
    enough, else worked out now and stored for the next readers."""
    if not is_large(filters):
        return Figures(BUILDERS[page](org, filters, now), None)
    stored = cache.get(_key(page, filters))
    if stored is not None:
        return stored
    return _work_out(page, org, filters, now)


def _work_out(page: str, org: Organisation, filters: Filters, now: datetime.datetime) -> Figures:
    key = _key(page, filters)  # before building: figures forgotten meanwhile are stored under the old generation
    data = BUILDERS[page](org, filters, now)
    # Written once here rather than by each reader: a thousand teams' rows of formatted numbers.
    for table in [*data.tables, *([data.trend] if hasattr(data, "trend") else [])]:
        table.html = {
            "rows": table_rows(table.cells, table.currency),
            "footer": table_rows(table.footer_cells, table.currency),
        }
        table.csv = csv_body(table)
    figures = Figures(data, now)
    cache.set(key, figures, FRESH_FOR.total_seconds())
    return figures


def figures_forget() -> None:
    """Every stored figure is worked out again on its next visit."""
    next_generation(GENERATION_KEY)


def figures_warm(*, now: datetime.datetime | None = None) -> int:
    """Works out every page of the whole organisation for the current period in each language, as an admin opening
    insights sees it, if the organisation is large enough for its pages to read stored figures. Returns how many."""
    now = now or timezone.now()
    org = Organisation.current()
    admin = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    if admin is None:
        return 0
    today = timezone.localtime(now, periods.org_time_zone(org)).date()
    worked_out = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            filters = InsightsFilterForm({}, viewer=admin, today=today).filters()
            if not is_large(filters):
                return 0
            for page in BUILDERS:
                _work_out(page, org, filters, now)
                worked_out += 1
    return worked_out
