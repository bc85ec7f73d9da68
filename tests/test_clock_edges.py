"""The awkward moments: the turn of a month, quarter and year (ISO week 2026-W53 spans New Year), the daylight-saving
changes of an organisation in Madrid, Mexico City's fixed offset (no daylight saving since 2022), and people who live
14 hours ahead of UTC or 12 hours behind it. Weeks, months and quarters are the organisation's, in its time zone."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision
from apps.digests.models import Edition
from apps.digests.services import digests_dispatch_due
from apps.leaderboards import periods
from apps.leaderboards.models import Period, Snapshot
from apps.leaderboards.selectors import rank
from apps.leaderboards.services import leaderboards_refresh, snapshot_for_calendar
from apps.org.models import Organisation
from tests.factories import DecisionFactory, GuardrailFactory, agent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
day = datetime.date


def moment(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def organisation_in(time_zone: str, *, digest_weekday=4, digest_time=datetime.time(16, 0)) -> Organisation:
    org = Organisation.current()
    org.time_zone, org.digest_weekday, org.digest_time = time_zone, digest_weekday, digest_time
    org.save()
    return org


def current_periods_at(now: datetime.datetime) -> dict[str, datetime.date]:
    with time_machine.travel(now, tick=False):
        leaderboards_refresh()
    current = {}
    for snapshot in Snapshot.objects.filter(is_final=False).exclude(period=Period.ALL):
        current[snapshot.period] = snapshot.starts_on
    return current


def tick(now: datetime.datetime) -> list[str]:
    """One beat tick at `now`: the digest weeks built so far."""
    with time_machine.travel(now, tick=False):
        digests_dispatch_due()
    return [periods.iso_week_label(edition.week_start) for edition in Edition.objects.order_by("week_start")]


# --- The turn of the year -------------------------------------------------------------------------------------------


def test_the_week_that_spans_new_year_is_2026_w53():
    monday = periods.starts_on(Period.WEEK, day(2027, 1, 1))

    assert monday == day(2026, 12, 28)
    assert periods.iso_week_label(monday) == "2026-W53"
    assert periods.next_starts_on(Period.WEEK, monday) == day(2027, 1, 4)
    assert periods.iso_week_label(day(2027, 1, 4)) == "2027-W01"


def test_months_and_quarters_turn_over_with_the_year():
    assert periods.next_starts_on(Period.MONTH, day(2026, 12, 1)) == day(2027, 1, 1)
    assert periods.next_starts_on(Period.QUARTER, day(2026, 10, 1)) == day(2027, 1, 1)
    assert periods.previous_starts_on(Period.MONTH, day(2027, 1, 1)) == day(2026, 12, 1)
    assert periods.previous_starts_on(Period.QUARTER, day(2027, 1, 1)) == day(2026, 10, 1)
    assert periods.starts_on(Period.QUARTER, day(2026, 12, 31)) == day(2026, 10, 1)


def test_half_an_hour_into_2027_the_leaderboards_are_on_the_new_month_and_quarter_and_2026_is_final():
    organisation_in("UTC")

    current = current_periods_at(moment(2027, 1, 1, 0, 30))

    assert current == {Period.WEEK: day(2026, 12, 28), Period.MONTH: day(2027, 1, 1), Period.QUARTER: day(2027, 1, 1)}
    assert Snapshot.objects.get(period=Period.MONTH, starts_on=day(2026, 12, 1)).is_final
    assert Snapshot.objects.get(period=Period.QUARTER, starts_on=day(2026, 10, 1)).is_final


def test_a_story_approved_a_minute_before_midnight_on_new_years_eve_counts_for_december_and_week_53():
    organisation_in("UTC")
    ana = agent(first_name="Ana", last_name="García")
    DecisionFactory(author=ana, approved=True, approved_at=moment(2026, 12, 31, 23, 59))
    now = moment(2027, 1, 1, 0, 30)

    def points(period, starts_on):
        snapshot = snapshot_for_calendar(period=period, starts_on=starts_on, now=now)
        return {entry.name: entry.score for entry in rank(snapshot_id=snapshot.pk)}

    assert points(Period.MONTH, day(2026, 12, 1)).get("Ana García", 0) > 0
    assert points(Period.MONTH, day(2027, 1, 1)).get("Ana García", 0) == 0
    assert points(Period.WEEK, day(2026, 12, 28)).get("Ana García", 0) > 0


def test_the_digest_of_week_52_goes_out_on_new_years_day_and_week_53s_a_week_later():
    organisation_in("Europe/Madrid")  # Friday 16:00 in Madrid is 15:00 UTC in winter

    assert tick(moment(2027, 1, 1, 14, 59)) == []
    assert tick(moment(2027, 1, 1, 15, 0)) == ["2026-W52"]
    assert tick(moment(2027, 1, 8, 15, 0)) == ["2026-W52", "2026-W53"]
    week_53 = Edition.objects.get(week_start=day(2026, 12, 28))
    assert (week_53.period_start, week_53.period_end) == (moment(2026, 12, 27, 23, 0), moment(2027, 1, 3, 23, 0))


# --- Daylight saving in Madrid --------------------------------------------------------------------------------------


def test_the_week_of_the_spring_change_is_an_hour_shorter_in_madrid():
    start, end = periods.bounds(Period.WEEK, day(2027, 3, 22), MADRID, now=moment(2027, 4, 1, 0, 0))

    assert (start, end) == (moment(2027, 3, 21, 23, 0), moment(2027, 3, 28, 22, 0))
    # (Subtracting two times of one zone would give their wall-clock difference, 7 days: count in UTC.)
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=167)


def test_a_story_approved_at_midnight_after_the_spring_change_belongs_to_the_new_week():
    organisation_in("Europe/Madrid")
    ana, tom = agent(first_name="Ana", last_name="García"), agent(first_name="Tom", last_name="Becker")
    DecisionFactory(author=ana, approved=True, approved_at=moment(2027, 3, 28, 21, 59))  # Sunday 23:59 in Madrid
    DecisionFactory(author=tom, approved=True, approved_at=moment(2027, 3, 28, 22, 0))  # Monday 00:00 in Madrid
    now = moment(2027, 3, 29, 12, 0)

    def named(starts_on):
        snapshot = snapshot_for_calendar(period=Period.WEEK, starts_on=starts_on, now=now)
        return {entry.name for entry in rank(snapshot_id=snapshot.pk)}

    assert "Ana García" in named(day(2027, 3, 22)) and "Tom Becker" not in named(day(2027, 3, 22))
    assert "Tom Becker" in named(day(2027, 3, 29)) and "Ana García" not in named(day(2027, 3, 29))


def test_right_after_the_clocks_go_forward_it_is_still_the_same_week_in_madrid():
    organisation_in("Europe/Madrid")

    # 01:30 UTC on Sunday 28 March 2027 is 03:30 in Madrid, half an hour after 02:00 became 03:00.
    assert current_periods_at(moment(2027, 3, 28, 1, 30))[Period.WEEK] == day(2027, 3, 22)


def test_half_past_midnight_on_1_november_in_madrid_is_a_new_week_and_month_while_utc_is_still_in_october():
    organisation_in("Europe/Madrid")

    # 23:30 UTC on Sunday 31 October 2027 is 00:30 on Monday 1 November in Madrid (winter time since 03:00 that day).
    current = current_periods_at(moment(2027, 10, 31, 23, 30))

    assert current == {Period.WEEK: day(2027, 11, 1), Period.MONTH: day(2027, 11, 1), Period.QUARTER: day(2027, 10, 1)}
    assert Snapshot.objects.get(period=Period.MONTH, starts_on=day(2027, 10, 1)).is_final


def test_the_digest_keeps_its_local_time_across_the_spring_change_and_covers_the_shorter_week():
    organisation_in("Europe/Madrid")

    assert tick(moment(2027, 3, 26, 15, 0)) == ["2027-W11"]  # Friday 16:00 CET
    assert tick(moment(2027, 4, 2, 13, 59)) == ["2027-W11"]
    assert tick(moment(2027, 4, 2, 14, 0)) == ["2027-W11", "2027-W12"]  # Friday 16:00 CEST

    # Week 12 is the leaderboard's week 12: Monday 00:00 CET to Monday 00:00 CEST, 167 hours.
    week_12 = Edition.objects.get(week_start=day(2027, 3, 22))
    assert (week_12.period_start, week_12.period_end) == (moment(2027, 3, 21, 23, 0), moment(2027, 3, 28, 22, 0))


def test_the_digest_keeps_its_local_time_across_the_autumn_change():
    organisation_in("Europe/Madrid")

    assert tick(moment(2027, 10, 29, 14, 0)) == ["2027-W42"]  # Friday 16:00 CEST
    assert tick(moment(2027, 11, 5, 14, 59)) == ["2027-W42"]
    assert tick(moment(2027, 11, 5, 15, 0)) == ["2027-W42", "2027-W43"]  # Friday 16:00 CET

    # Week 43 ends at Monday 00:00 CET, an hour longer than the others (169 hours).
    week_43 = Edition.objects.get(week_start=day(2027, 10, 25))
    assert (week_43.period_start, week_43.period_end) == (moment(2027, 10, 24, 22, 0), moment(2027, 10, 31, 23, 0))


# --- Mexico City: one offset all year since 2022 --------------------------------------------------------------------


def test_in_mexico_city_the_digest_stays_at_22_utc_when_europe_and_the_us_change_their_clocks():
    organisation_in("America/Mexico_City")

    assert tick(moment(2027, 10, 29, 21, 59)) == []
    assert tick(moment(2027, 10, 29, 22, 0)) == ["2027-W42"]
    assert tick(moment(2027, 11, 5, 21, 59)) == ["2027-W42"]
    assert tick(moment(2027, 11, 5, 22, 0)) == ["2027-W42", "2027-W43"]


def test_mexico_citys_last_daylight_saving_change_in_2022_moved_the_digest_by_an_hour_in_utc():
    organisation_in("America/Mexico_City")

    assert tick(moment(2022, 10, 28, 21, 0)) == ["2022-W42"]  # 16:00 CDT (UTC-5)
    assert tick(moment(2022, 11, 4, 21, 0)) == ["2022-W42"]
    assert tick(moment(2022, 11, 4, 22, 0)) == ["2022-W42", "2022-W43"]  # 16:00 CST (UTC-6), as ever since


# --- People far from the organisation -------------------------------------------------------------------------------


@pytest.fixture
def goodwill():
    return GuardrailFactory(category__name="Goodwill gesture").category


def story(category, happened_on: datetime.date) -> dict:
    return {
        "situation": "The customer waited 40 minutes on hold.",
        "action": "I gave her a voucher for the wait.",
        "justification": "Forty minutes is not the service we want to give anyone.",
        "category": category.pk,
        "channel": "phone",
        "cost": "15",
        "outcome": "retained",
        "happened_on": happened_on.isoformat(),
    }


def test_someone_14_hours_ahead_logs_a_story_on_their_own_today(client, team, goodwill):
    organisation_in("Europe/London")
    kiri = agent(team, time_zone="Pacific/Kiritimati")  # UTC+14
    client.force_login(kiri)

    # 11:00 UTC on Tuesday 24 November is 01:00 on Wednesday 25 November in Kiritimati.
    with time_machine.travel(moment(2026, 11, 24, 11, 0), tick=False):
        form = client.get(reverse("decisions:create")).content.decode()
        client.post(reverse("decisions:create"), story(goodwill, day(2026, 11, 25)))

    assert 'value="2026-11-25"' in form
    assert Decision.objects.get(author=kiri).happened_on == day(2026, 11, 25)


def test_someone_12_hours_behind_cannot_date_a_story_tomorrow(client, team, goodwill):
    organisation_in("Europe/London")
    baker = agent(team, time_zone="Etc/GMT+12")  # UTC-12 (the sign is POSIX's)
    client.force_login(baker)

    # 10:00 UTC on Wednesday 25 November is still 22:00 on Tuesday 24 November for them.
    with time_machine.travel(moment(2026, 11, 25, 10, 0), tick=False):
        form = client.get(reverse("decisions:create")).content.decode()
        refused = client.post(reverse("decisions:create"), story(goodwill, day(2026, 11, 25)))
        accepted = client.post(reverse("decisions:create"), story(goodwill, day(2026, 11, 24)))

    assert 'value="2026-11-24"' in form
    assert "That date is in the future" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Decision.objects.values_list("happened_on", flat=True)) == [day(2026, 11, 24)]
