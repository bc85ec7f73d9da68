"""Demo data for this app, loaded by `manage.py seed_demo` after the apps before it (see that command)."""

import datetime

from django.utils import timezone

from apps.decisions.models import Decision

from . import periods
from .models import Period
from .services import badges_award, leaderboards_refresh, scores_changed, snapshot_for_calendar


def seed(*, today, seeded: dict) -> None:
    """Leaderboard snapshots for the last few weeks and every badge the demo stories earned. Idempotent; nothing to
    do while there are no approved stories."""
    if not Decision.objects.shared().exists():
        return
    scores_changed()  # the demo writes stories and endorsements in bulk, without signals
    now = timezone.now()
    week = periods.starts_on(Period.WEEK, today)
    for weeks_ago in (4, 3, 2):
        snapshot_for_calendar(period=Period.WEEK, starts_on=week - datetime.timedelta(weeks=weeks_ago), now=now)
    leaderboards_refresh(now=now)
    badges_award()
