"""Demo data for this app, loaded by `manage.py seed_demo` after the apps before it (see that command)."""

import datetime

from django.utils import timezone

from apps.decisions.models import Decision
from apps.leaderboards import periods
from apps.leaderboards.models import Period

from .models import Edition
from .services import edition_build

DEMO_WEEKS = 3


def seed(*, today, seeded: dict) -> None:
    """The digests of the last few weeks, built from the demo stories, so that the archive has something to show.
    Nobody is emailed for these weeks. Idempotent; nothing to do while there are no stories."""
    if not Decision.objects.exists():
        return
    this_week = periods.starts_on(Period.WEEK, today)
    for weeks_ago in range(DEMO_WEEKS, 0, -1):
        week_start = this_week - datetime.timedelta(weeks=weeks_ago)
        if not Edition.objects.filter(week_start=week_start, built_at__isnull=False).exists():
            edition_build(week_start=week_start, deliver=False, now=timezone.now())
