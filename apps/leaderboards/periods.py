"""Weeks, months and quarters in the organisation's time zone (weeks start on Monday, as ISO weeks do)."""

import datetime
import zoneinfo

from apps.org.models import Organisation

from .models import Period

# "All time" needs a name in the snapshot table; no story is older than this.
ALL_TIME_STARTS_ON = datetime.date(2000, 1, 1)


def org_time_zone(org: Organisation) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(org.time_zone or "UTC")


def local_midnight(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=tz)


def starts_on(period: str, day: datetime.date) -> datetime.date:
    """The first day of the period that contains `day`."""
    if period == Period.WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    if period == Period.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == Period.ALL:
        return ALL_TIME_STARTS_ON
    raise ValueError(f"No calendar for {period!r}")


def next_starts_on(period: str, first_day: datetime.date) -> datetime.date:
    if period == Period.WEEK:
        return first_day + datetime.timedelta(days=7)
    months = 1 if period == Period.MONTH else 3
    month = first_day.month - 1 + months
    return datetime.date(first_day.year + month // 12, month % 12 + 1, 1)


def previous_starts_on(period: str, first_day: datetime.date) -> datetime.date:
    return starts_on(period, first_day - datetime.timedelta(days=1))


def bounds(period: str, first_day: datetime.date, tz: zoneinfo.ZoneInfo, now: datetime.datetime):
    """(start, end) of a calendar period as aware datetimes; all time has no start and ends now."""
    if period == Period.ALL:
        return None, now
    return local_midnight(first_day, tz), local_midnight(next_starts_on(period, first_day), tz)


def iso_week_label(monday: datetime.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
