"""Nobody waits forever: how long a story has waited for its manager, counted in working days (Monday to Friday) in
the organisation's time zone, and which stories are overdue, escalated or due for automatic approval."""

import datetime
import zoneinfo

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.decisions.models import Decision
from apps.org.models import Organisation
from apps.org.selectors import organisation_time_zone

from .models import Review


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The date `count` working days before `day` (weekends do not count)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def waited_since(*, working_days: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """Stories logged before this moment have waited at least `working_days` working days by `now`."""
    tz = zoneinfo.ZoneInfo(organisation_time_zone())
    today = timezone.localtime(now or timezone.now(), tz).date()
    cutoff = working_days_before(today, working_days) + datetime.timedelta(days=1)
    return datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=tz)


def waiting_decisions() -> QuerySet[Decision]:
    """Stories waiting for a manager: submitted, not returned to their author, not in a review."""
    return Decision.objects.filter(status=Decision.Status.SUBMITTED, returned_at__isnull=True).exclude(
        Exists(Review.objects.filter(decision=OuterRef("pk")))
    )


def overdue_for_reminder(*, organisation: Organisation, now=None) -> QuerySet[Decision]:
    return waiting_decisions().filter(
        created_at__lt=waited_since(working_days=organisation.reminder_after_days, now=now)
    )


def escalated(*, organisation: Organisation, now=None) -> QuerySet[Decision]:
    return waiting_decisions().filter(
        created_at__lt=waited_since(working_days=organisation.escalate_after_days, now=now)
    )


def due_for_auto_approval(*, organisation: Organisation, now=None) -> QuerySet[Decision]:
    if not organisation.auto_approve_after_days:
        return Decision.objects.none()
    return waiting_decisions().filter(
        covered=True, created_at__lt=waited_since(working_days=organisation.auto_approve_after_days, now=now)
    )
