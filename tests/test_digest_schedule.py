"""The digests go out at the organisation's digest day and time, in its time zone, as its settings say: each one
celebrates the last full week, Monday to Sunday (week 47 of 2026 is 16–22 November)."""

import datetime

import pytest
import time_machine
from django.conf import settings

from apps.digests.models import Edition
from apps.digests.services import digests_dispatch_due
from apps.leaderboards.periods import iso_week_label
from apps.org.models import Organisation
from tests.factories import a_week_to_celebrate

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def organisation(db):
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=UTC), tick=False):
        a_week_to_celebrate(when=datetime.datetime(2026, 11, 18, 10, tzinfo=UTC))
    org = Organisation.current()
    org.time_zone, org.digest_weekday, org.digest_time = "Europe/Madrid", 4, datetime.time(16, 0)  # Friday 16:00
    org.save()
    return org


def tick(moment: datetime.datetime) -> list[str]:
    """One beat tick at `moment`: the weeks built so far."""
    with time_machine.travel(moment, tick=False):
        digests_dispatch_due()
    return [iso_week_label(e.week_start) for e in Edition.objects.order_by("week_start")]


def test_nothing_is_built_before_the_digest_time_in_the_organisations_time_zone(organisation):
    # Friday 27 November, 15:59 in Madrid (14:59 UTC): week 47 is over, its digest is not due yet.
    assert tick(datetime.datetime(2026, 11, 27, 14, 59, tzinfo=UTC)) == []


def test_the_week_is_built_once_the_digest_time_has_passed_and_only_once(organisation):
    assert tick(datetime.datetime(2026, 11, 27, 15, 0, tzinfo=UTC)) == ["2026-W47"]
    week_47 = Edition.objects.get()
    # Monday to Monday, midnight in Madrid.
    assert week_47.period_start == datetime.datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    assert week_47.period_end == datetime.datetime(2026, 11, 22, 23, 0, tzinfo=UTC)

    assert tick(datetime.datetime(2026, 11, 27, 15, 5, tzinfo=UTC)) == ["2026-W47"]
    assert tick(datetime.datetime(2026, 11, 29, 22, 55, tzinfo=UTC)) == ["2026-W47"]
    assert Edition.objects.get().built_at == week_47.built_at


def test_by_default_the_digest_opens_the_next_week():
    org = Organisation.current()
    assert (org.digest_weekday, org.digest_time) == (0, datetime.time(8, 0))  # Monday 08:00
    org.time_zone = "Europe/Madrid"
    org.save()
    assert tick(datetime.datetime(2026, 11, 23, 6, 59, tzinfo=UTC)) == []
    assert tick(datetime.datetime(2026, 11, 23, 7, 0, tzinfo=UTC)) == ["2026-W47"]


def test_changing_the_digest_day_time_and_zone_moves_the_next_digest(organisation):
    tick(datetime.datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    organisation.digest_weekday, organisation.digest_time = 1, datetime.time(9, 30)  # Tuesday 9:30…
    organisation.time_zone = "America/Mexico_City"  # …in Mexico City (15:30 UTC)
    organisation.save()

    assert tick(datetime.datetime(2026, 12, 1, 15, 29, tzinfo=UTC)) == ["2026-W47"]
    assert tick(datetime.datetime(2026, 12, 1, 15, 31, tzinfo=UTC)) == ["2026-W47", "2026-W48"]
    week_48 = Edition.objects.get(week_start=datetime.date(2026, 11, 23))
    # The calendar week in the organisation's (new) time zone: midnight in Mexico City is 06:00 UTC.
    assert week_48.period_start == datetime.datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert week_48.period_end == datetime.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_the_beat_checks_often_and_each_check_expires_before_the_next():
    for name in ("digests-dispatch-due", "leaderboards-refresh"):
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["options"]["expires"] < entry["schedule"] <= 300
    assert settings.CELERY_BEAT_SCHEDULE["digests-dispatch-due"]["task"] == "digests.dispatch_due"


def test_a_week_missed_by_an_outage_across_the_turn_of_the_week_is_still_built(organisation):
    # Nothing ran from Friday's digest time until just after midnight on Monday in Madrid: week 47 is still built.
    assert tick(datetime.datetime(2026, 11, 29, 23, 30, tzinfo=UTC)) == ["2026-W47"]


def test_a_week_long_past_is_not_built_late(organisation):
    # Wednesday of the week after, five days after the moment: too late to celebrate, nothing is sent.
    assert tick(datetime.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) == []
