"""Weeks, months and quarters in the organisation's time zone (weeks start on Monday, as ISO weeks do)."""

import datetime
import zoneinfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


def day_span(first: datetime.date, last: datetime.date) -> str:
    """Two days as every page and email writes a span: "16 Nov – 22 Nov 2026" (one day alone when they are equal)."""
    if first == last:
        return date_format(first, "DATE_FORMAT")
    if first.year != last.year:  # "28 Dec 2026 – 3 Jan 2027": each day says its year
        return f"{date_format(first, 'DATE_FORMAT')} – {date_format(last, 'DATE_FORMAT')}"
    return f"{date_format(first, 'MONTH_DAY_FORMAT')} – {date_format(last, 'DATE_FORMAT')}"


def week_number(monday: datetime.date) -> int:
    return monday.isocalendar()[1]


def week_title(monday: datetime.date) -> str:
    """The one name of a week, in leaderboards, digests and insights alike: "Week 47 · 16 Nov – 22 Nov 2026" (the ISO
    week, Monday to Sunday in the organisation's time zone)."""
    return _("Week %(number)s · %(dates)s") % {
        "number": week_number(monday),
        "dates": day_span(monday, monday + datetime.timedelta(days=6)),
    }
