"""Leaderboard snapshots and badges: computed in SQL, written in a bounded number of statements."""

import datetime
import logging
import time
import zoneinfo

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek
from django.utils import timezone

from apps.decisions.models import Decision
from apps.org.models import Organisation
from apps.recognition.models import Endorsement

from . import periods
from .models import Badge, BadgeAward, Period, Row, ScoreSource, Snapshot, Standing
from .scoring import ENDORSER_WEEKLY_CAP, PAIR_MONTHLY_CAP, SCORE_SQL

logger = logging.getLogger(__name__)

SHARED = Decision.SHARED_STATUSES
ROW_COLUMNS = [
    "person_id",
    "team_id",
    "category_id",
    "channel",
    "endorser_id",
    "stories",
    "celebrations",
    "first_stories",
    "endorsements",
]


def scores_changed() -> None:
    """Something a score counts was written: move the version (in the caller's transaction, one statement)."""
    table = connection.ops.quote_name(ScoreSource._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, version) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET version = {table}.version + 1"
        )


def months_reopen(*, moments) -> int:
    """A write that changes finished months (an endorsement taken back, an endorsed story withdrawn, an admin's edit of
    a shared story): those months are computed again at the next refresh, so all time and the quarters, which add up
    months, stay right. The month of each moment, and the month its week ends in: a week's endorsement cap can carry
    a change into the next month. Locks the months first, so a refresh finishing one of them waits for no one and
    this reopening is never lost under its commit."""
    tz = periods.org_time_zone(Organisation.current())
    firsts = set()
    for moment in moments:
        if moment:
            day = moment.astimezone(tz).date()
            week_ends = periods.starts_on(Period.WEEK, day) + datetime.timedelta(days=6)
            firsts |= {periods.starts_on(Period.MONTH, day), periods.starts_on(Period.MONTH, week_ends)}
    if not firsts:
        return 0
    months = Snapshot.objects.filter(period=Period.MONTH, starts_on__in=firsts)
    locked = list(months.select_for_update().order_by("starts_on").values_list("pk", flat=True))
    return Snapshot.objects.filter(pk__in=locked).update(is_final=False, source_version=None)


def months_reopen_all() -> int:
    """Every month is computed again at the next refresh (the organisation's time zone changed their bounds)."""
    return Snapshot.objects.filter(period=Period.MONTH).update(is_final=False, source_version=None)


def source_version() -> int:
    return ScoreSource.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _in(field: str, start, end) -> Q:
    q = Q(**{f"{field}__lt": end})
    return q & Q(**{f"{field}__gte": start}) if start is not None else q


def story_rows(*, start, end) -> QuerySet:
    """Per (author, team, category, channel): stories approved, celebrated, and first stories, in [start, end)."""
    earlier_shared = Decision.objects.filter(author=OuterRef("author"), status__in=SHARED).filter(
        Q(approved_at__lt=OuterRef("approved_at")) | Q(approved_at=OuterRef("approved_at"), pk__lt=OuterRef("pk"))
    )
    approved_in = _in("approved_at", start, end)
    celebrated_in = Q(status=Decision.Status.CELEBRATED) & _in("celebrated_at", start, end)
    return (
        Decision.objects.filter(status__in=SHARED)
        .filter(approved_in | celebrated_in)
        .annotate(lb_first=~Exists(earlier_shared))
        .annotate(
            lb_person=F("author_id"),
            lb_team=F("team_id"),
            lb_category=F("category_id"),
            lb_channel=F("channel"),
        )
        .values("lb_person", "lb_team", "lb_category", "lb_channel")
        .annotate(
            lb_stories=Count("pk", filter=approved_in),
            lb_celebrations=Count("pk", filter=celebrated_in),
            lb_first_stories=Count("pk", filter=approved_in & Q(lb_first=True)),
        )
        .values_list(
            "lb_person", "lb_team", "lb_category", "lb_channel", "lb_stories", "lb_celebrations", "lb_first_stories"
        )
    )


def counted_endorsements(*, start, end, tz) -> QuerySet[Endorsement]:
    """The endorsements in [start, end) that score, after the weekly cap per endorser and the monthly cap per pair.

    Each endorsement is ranked within its endorser's calendar week and within its (endorser, person) calendar month,
    by time; it counts if both ranks are within the caps. The ranks look back to the start of the earliest week or
    month that overlaps the period, so a period that starts mid-month still sees the month's earlier endorsements.
    """
    ranked = Endorsement.objects.order_by().exclude(decision__status=Decision.Status.WITHDRAWN)
    if start is not None:
        local_start = start.astimezone(tz).date()
        look_back = min(periods.starts_on(Period.WEEK, local_start), periods.starts_on(Period.MONTH, local_start))
        ranked = ranked.filter(created_at__gte=periods.local_midnight(look_back, tz))
        if (end.astimezone(tz).date() - local_start).days <= 7:  # in days of the calendar: a week with a DST change too
            # A week looks back to the start of its month: only the endorsers who endorsed within it are ranked (their
            # earlier endorsements rank those that count; the others' would be ranked for nothing). At 10,000 agents
            # a week's rows: 0.55 -> 0.20 s. Longer periods look back a few days at most, and the filter costs more.
            active = Endorsement.objects.filter(created_at__gte=start, created_at__lt=end).values("endorser_id")
            ranked = ranked.filter(endorser_id__in=active)
    ranked = ranked.filter(created_at__lt=end).annotate(
        n_week=Window(
            RowNumber(),
            partition_by=[F("endorser_id"), TruncWeek("created_at", tzinfo=tz)],
            order_by=[F("created_at").asc(), F("pk").asc()],
        ),
        n_pair=Window(
            RowNumber(),
            partition_by=[F("endorser_id"), F("decision_author_id"), TruncMonth("created_at", tzinfo=tz)],
            order_by=[F("created_at").asc(), F("pk").asc()],
        ),
    )
    counted = ranked.filter(n_week__lte=ENDORSER_WEEKLY_CAP, n_pair__lte=PAIR_MONTHLY_CAP).values("pk")
    return Endorsement.objects.filter(_in("created_at", start, end), pk__in=counted)


def endorsement_rows(*, start, end, tz) -> QuerySet:
    """Per (person, team, category, channel, endorser): how many of that colleague's endorsements count."""
    return (
        counted_endorsements(start=start, end=end, tz=tz)
        .annotate(
            lb_person=F("decision_author_id"),
            lb_team=F("decision__team_id"),
            lb_category=F("decision__category_id"),
            lb_channel=F("decision__channel"),
            lb_endorser=F("endorser_id"),
        )
        .values("lb_person", "lb_team", "lb_category", "lb_channel", "lb_endorser")
        .annotate(lb_endorsements=Count("pk"))
        .values_list("lb_person", "lb_team", "lb_category", "lb_channel", "lb_endorser", "lb_endorsements")
    )


def _new_rows(*, start, end, tz) -> tuple[str, list]:
    """The period's rows, worked out from the stories and endorsements: a SELECT of ROW_COLUMNS, and its parameters."""
    stories_sql, stories_params = story_rows(start=start, end=end).query.sql_with_params()
    endorsements_sql, endorsements_params = endorsement_rows(start=start, end=end, tz=tz).query.sql_with_params()
    return (
        "SELECT s.lb_person, s.lb_team, s.lb_category, s.lb_channel, CAST(NULL AS bigint), "
        f"s.lb_stories, s.lb_celebrations, s.lb_first_stories, 0 FROM ({stories_sql}) s "
        "UNION ALL SELECT e.lb_person, e.lb_team, e.lb_category, e.lb_channel, e.lb_endorser, 0, 0, 0, "
        f"e.lb_endorsements FROM ({endorsements_sql}) e",
        [*stories_params, *endorsements_params],
    )


def _insert_rows(snapshot: Snapshot, *, start, end, tz) -> None:
    """INSERT … SELECT: the rows go from the decisions to the snapshot without passing through Python."""
    table = connection.ops.quote_name(Row._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ["snapshot_id", *ROW_COLUMNS])
    rows, params = _new_rows(start=start, end=end, tz=tz)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT %s, n.* FROM ({rows}) n", [snapshot.pk, *params])


# The rows and standings of a current period, after a change, are rewritten only where they differ: a tick after a
# few new stories replaced the month's hundreds of thousands of rows and every standing (at 10,000 agents, 3× the time
# of working the rows out), where a few rows and a few people's standings had moved. The same for a quarter and all
# time: their months are added up again, but only what that changes is written (all time: 705,000 rows and 143,000
# standings written again at 10,000 agents × 26 weeks, 7 of the tick's 12 s, for the few people a change moved).
NEW, MOVED = "lb_new", "lb_moved"


def _update_rows(snapshot: Snapshot, *, rows: str, params: list) -> None:
    """The period's rows worked out again (`rows`: a SELECT of ROW_COLUMNS, from the stories or summing months) into a
    temporary table; the stored rows that are not among them are deleted, the new ones that are not stored are
    inserted (one statement), and the people and teams of those rows are noted in MOVED for `_insert_standings`.
    PostgreSQL only (data-modifying WITH)."""
    table = connection.ops.quote_name(Row._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ROW_COLUMNS)
    # A story's row has no endorser: COALESCE keeps the comparison an equality PostgreSQL can hash.
    same = " AND ".join(
        f"COALESCE(n.{column}, 0) = COALESCE(r.{column}, 0)" if column == "endorser_id" else f"n.{column} = r.{column}"
        for column in ROW_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW} ({columns}) ON COMMIT DROP AS {rows}", params)
        cursor.execute(f"CREATE TEMPORARY TABLE {MOVED} (person_id bigint, team_id bigint) ON COMMIT DROP")
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} r WHERE r.snapshot_id = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {NEW} n WHERE {same}) RETURNING r.person_id, r.team_id), "
            f"added AS (INSERT INTO {table} (snapshot_id, {columns}) SELECT %s, n.* FROM {NEW} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.snapshot_id = %s AND {same}) "
            "RETURNING person_id, team_id) "
            f"INSERT INTO {MOVED} SELECT person_id, team_id FROM gone UNION SELECT person_id, team_id FROM added",
            [snapshot.pk, snapshot.pk, snapshot.pk],
        )
        cursor.execute(f"ANALYZE {MOVED}")
        standings = connection.ops.quote_name(Standing._meta.db_table)
        cursor.execute(
            f"DELETE FROM {standings} WHERE snapshot_id = %s AND (person_id IN (SELECT person_id FROM {MOVED}) "
            f"OR team_id IN (SELECT team_id FROM {MOVED}))",
            [snapshot.pk],
        )
    _insert_standings(snapshot, moved_only=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {NEW}, {MOVED}")  # before the commit: a second snapshot in this transaction


# Quarters and all time are the sums of their months. Every approval, celebration and endorsement belongs to exactly
# one month, and the endorsement caps are worked out per calendar week and month whatever the period (see
# `counted_endorsements`), so adding up a period's months gives the very rows that computing the whole period would.
# A month that has ended is final: after a change, a refresh recomputes the current month and adds up, instead of
# going through the whole history again.
SUMMED_FROM_MONTHS = (Period.QUARTER, Period.ALL)
# A quarter or all time whose last computation took long (a large organisation's) is recomputed after a change only
# once the time since then is that many times as long: the beat's worker spends at most about a fifth of its time on
# them, and those boards trail the stories by a few minutes ("updated … ago" says by how much).
SLOW_COMPUTE_SECONDS = 5.0
RECOMPUTE_SHARE = 4


def _summed_rows(months: list[Snapshot]) -> tuple[str, list]:
    """The rows of a quarter or all time: its months' rows added up, a SELECT of ROW_COLUMNS, and its parameters."""
    table = connection.ops.quote_name(Row._meta.db_table)
    keys = "person_id, team_id, category_id, channel, endorser_id"
    placeholders = ", ".join(["%s"] * len(months))
    return (
        f"SELECT {keys}, SUM(stories), SUM(celebrations), SUM(first_stories), SUM(endorsements) FROM {table} "
        f"WHERE snapshot_id IN ({placeholders}) GROUP BY {keys}",
        [month.pk for month in months],
    )


def _sum_months(snapshot: Snapshot, months: list[Snapshot]) -> None:
    if not months:
        return
    table = connection.ops.quote_name(Row._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ["snapshot_id", *ROW_COLUMNS])
    rows, params = _summed_rows(months)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT %s, n.* FROM ({rows}) n", [snapshot.pk, *params])


def _insert_standings(snapshot: Snapshot, *, moved_only: bool = False) -> None:
    """Each person's and each team's totals over the snapshot's rows — overall, per category and per channel — as the
    organisation's boards rank them: two INSERT … SELECT whatever the number of people, each one pass over the rows
    grouped three ways at once (GROUPING SETS: a third of the time of three passes). With `moved_only`, only the
    standings of the people and teams in MOVED (see `_update_rows`)."""
    rows, standings = (connection.ops.quote_name(m._meta.db_table) for m in (Row, Standing))
    columns = (
        "snapshot_id, person_id, team_id, category_id, channel, score, stories, celebrations, first_stories, "
        "endorsements, colleagues"
    )
    sums = (
        "SUM(stories) AS stories, SUM(celebrations) AS celebrations, SUM(first_stories) AS first_stories, "
        "SUM(endorsements) AS endorsements, COUNT(DISTINCT endorser_id) AS colleagues"
    )

    def three_ways(keys: str, moved: str) -> tuple[str, list]:
        """The rows' sums per `keys`: overall (category and channel NULL), per category and per channel; `way` tells
        them apart (as GROUPING(category_id, channel) numbers them: 3 overall, 1 per category, 2 per channel)."""
        only = f" AND {moved} IN (SELECT {moved} FROM {MOVED})" if moved_only else ""
        if connection.vendor == "postgresql":
            return (
                f"SELECT {keys}, category_id, channel, GROUPING(category_id, channel) AS way, {sums} FROM {rows} "
                f"WHERE snapshot_id = %s{only} "
                f"GROUP BY GROUPING SETS (({keys}), ({keys}, category_id), ({keys}, channel))",
                [snapshot.pk],
            )
        # SQLite (`make run` without a database server) has no GROUPING SETS: the three groupings one after another.
        ways = [
            ("NULL", "NULL", 3, ""),
            ("category_id", "NULL", 1, ", category_id"),
            ("NULL", "channel", 2, ", channel"),
        ]
        return (
            " UNION ALL ".join(
                f"SELECT {keys}, {category} AS category_id, {channel} AS channel, {way} AS way, {sums} FROM {rows} "
                f"WHERE snapshot_id = %s{only} GROUP BY {keys}{by}"
                for category, channel, way, by in ways
            ),
            [snapshot.pk] * len(ways),
        )

    with connection.cursor() as cursor:
        people, people_params = three_ways("person_id", "person_id")
        cursor.execute(
            f"INSERT INTO {standings} ({columns}) SELECT %s, person_id, NULL, category_id, COALESCE(channel, ''), "
            f"{SCORE_SQL}, stories, celebrations, first_stories, endorsements, colleagues FROM ({people}) p",
            [snapshot.pk, *people_params],
        )
        # A team's points are its people's (each counted within the team); "colleagues": the people with points.
        team_people, team_people_params = three_ways("team_id, person_id", "team_id")
        cursor.execute(
            f"INSERT INTO {standings} ({columns}) SELECT %s, NULL, team_id, category_id, COALESCE(channel, ''), "
            "SUM(score), SUM(stories), SUM(celebrations), SUM(first_stories), SUM(endorsements), COUNT(*) "
            f"FROM (SELECT team_id, category_id, channel, way, stories, celebrations, first_stories, endorsements, "
            f"{SCORE_SQL} AS score FROM ({team_people}) tp) t "
            "GROUP BY team_id, way, category_id, channel",
            [snapshot.pk, *team_people_params],
        )


def _is_unchanged(snapshot: Snapshot, *, period: str, start, end, version: int) -> bool:
    """Nothing a score counts was written since the rows were computed, over the same bounds (all time's end aside:
    nothing can have happened between its end and now without moving the version)."""
    return (
        snapshot.source_version == version
        and snapshot.start == start
        and (snapshot.end == end or (period == Period.ALL and end >= snapshot.end))
    )


def _months_within(*, period: str, start, end, now, tz) -> list[Snapshot]:
    """The month snapshots a quarter or all time adds up: those that have begun, final once over (computed if
    missing or stale). Computed before the period's own row is locked, so that locks are always taken in the same
    order (months, then quarters, then all time)."""
    if period == Period.ALL:
        # Points come from approvals (celebrations follow them) and endorsements (a story can be endorsed before
        # its manager approves it).
        firsts = [
            Decision.objects.filter(status__in=SHARED).aggregate(first=Min("approved_at"))["first"],
            Endorsement.objects.aggregate(first=Min("created_at"))["first"],
        ]
        firsts = [moment for moment in firsts if moment is not None]
        if not firsts:
            return []
        first = min(firsts)
        first_day = periods.starts_on(Period.MONTH, first.astimezone(tz).date())
    else:
        first_day = start.astimezone(tz).date()
    until = min(end, now)
    days, day = [], first_day
    while periods.local_midnight(day, tz) < until:
        days.append(day)
        day = periods.next_starts_on(Period.MONTH, day)
    final = {s.starts_on: s for s in Snapshot.objects.filter(period=Period.MONTH, starts_on__in=days, is_final=True)}
    return [final.get(day) or snapshot_for_calendar(period=Period.MONTH, starts_on=day, now=now, tz=tz) for day in days]


def snapshot_compute(
    *,
    period: str,
    starts_on: datetime.date,
    start: datetime.datetime | None,
    end: datetime.datetime,
    final: bool,
    now: datetime.datetime | None = None,
    tz: zoneinfo.ZoneInfo | None = None,
) -> Snapshot:
    """(Re)computes one period's rows and standings. A final snapshot is left as it is: past periods stay as they were.

    When nothing a score counts has been written since the rows were computed (the same `ScoreSource` version) and the
    period's bounds are the same, the rows are kept and only the snapshot's end, time and finality move: a refresh with
    nothing new costs a few milliseconds. Quarters and all time add up their months (see `SUMMED_FROM_MONTHS`), each
    month computed and committed on its own first, so that no lock on a month is taken while a quarter or all time is
    locked."""
    now = now or timezone.now()
    tz = tz or periods.org_time_zone(Organisation.current())
    started = time.monotonic()
    version = source_version()
    months = None
    if period in SUMMED_FROM_MONTHS:
        current = Snapshot.objects.filter(period=period, starts_on=starts_on).first()
        if current is None or not (
            current.is_final or _is_unchanged(current, period=period, start=start, end=end, version=version)
        ):
            slow = current is not None and current.compute_seconds >= SLOW_COMPUTE_SECONDS
            if slow and now - current.computed_at < datetime.timedelta(
                seconds=current.compute_seconds * RECOMPUTE_SHARE
            ):
                return current
            months = _months_within(period=period, start=start, end=end, now=now, tz=tz)
    return _snapshot_write(
        period=period,
        starts_on=starts_on,
        start=start,
        end=end,
        final=final,
        now=now,
        tz=tz,
        version=version,
        months=months,
        started=started,
    )


@transaction.atomic
def _snapshot_write(*, period, starts_on, start, end, final, now, tz, version, months, started) -> Snapshot:
    snapshot, created = Snapshot.objects.get_or_create(
        period=period,
        starts_on=starts_on,
        defaults={"start": start, "end": end, "computed_at": now, "is_final": False},
    )
    # Two workers refreshing the same period take turns; the second one sees the first one's work.
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    if snapshot.is_final or (snapshot.source_version or 0) > version:
        return snapshot  # final, or computed meanwhile from newer writes than this worker saw
    if created or not _is_unchanged(snapshot, period=period, start=start, end=end, version=version):
        if period in SUMMED_FROM_MONTHS and months is None:
            return snapshot  # written meanwhile (after this worker's first look): the next tick adds up the months
        # In place only where every standing is known good: to have them all worked out again (a new scoring formula),
        # a migration clears `has_standings` (clearing `source_version` only has the rows compared again).
        if (
            not created
            and snapshot.has_standings
            and (period not in SUMMED_FROM_MONTHS or months)
            and connection.vendor == "postgresql"
        ):
            rows, params = (
                _summed_rows(months) if period in SUMMED_FROM_MONTHS else _new_rows(start=start, end=end, tz=tz)
            )
            _update_rows(snapshot, rows=rows, params=params)
        else:
            if not created:
                Row.objects.filter(snapshot=snapshot).delete()
                Standing.objects.filter(snapshot=snapshot).delete()
            if period in SUMMED_FROM_MONTHS:
                _sum_months(snapshot, months)
            else:
                _insert_rows(snapshot, start=start, end=end, tz=tz)
            _insert_standings(snapshot)
        snapshot.has_standings = True
        snapshot.compute_seconds = time.monotonic() - started
    snapshot.start, snapshot.end, snapshot.computed_at, snapshot.is_final = start, end, now, final
    snapshot.source_version = version
    snapshot.save(
        update_fields=["start", "end", "computed_at", "is_final", "source_version", "has_standings", "compute_seconds"]
    )
    return snapshot


# A period becomes final a few minutes after it ends: a write stamped just before the end (an approval's time is set
# before its transaction commits) still lands in it.
FINAL_AFTER = datetime.timedelta(minutes=5)


def snapshot_for_calendar(
    *,
    period: str,
    starts_on: datetime.date,
    now: datetime.datetime | None = None,
    tz: zoneinfo.ZoneInfo | None = None,
) -> Snapshot:
    """Computes a week, month, quarter or all time; a period that has ended becomes final."""
    now = now or timezone.now()
    tz = tz or periods.org_time_zone(Organisation.current())
    start, end = periods.bounds(period, starts_on, tz, now)
    final = period != Period.ALL and end + FINAL_AFTER <= now
    return snapshot_compute(period=period, starts_on=starts_on, start=start, end=end, final=final, now=now, tz=tz)


def leaderboards_refresh(*, now: datetime.datetime | None = None) -> list[Snapshot]:
    """Refreshes the current week, month, quarter and all time, and finalises the periods that just ended.

    Runs a fixed number of statements however many people and stories there are. (Badges are awarded as the events
    happen; `badges_award`, hourly, catches any that were missed.)
    """
    now = now or timezone.now()
    tz = periods.org_time_zone(Organisation.current())
    today = now.astimezone(tz).date()
    snapshots = []
    for period in (Period.WEEK, Period.MONTH, Period.QUARTER):
        current = periods.starts_on(period, today)
        previous = periods.previous_starts_on(period, current)
        if not Snapshot.objects.filter(period=period, starts_on=previous, is_final=True).exists():
            snapshots.append(snapshot_for_calendar(period=period, starts_on=previous, now=now, tz=tz))
        snapshots.append(snapshot_for_calendar(period=period, starts_on=current, now=now, tz=tz))
    snapshots.append(snapshot_for_calendar(period=Period.ALL, starts_on=periods.ALL_TIME_STARTS_ON, now=now, tz=tz))
    return snapshots


# --- Badges --------------------------------------------------------------------------------------------------------


def _nth(queryset: QuerySet, *, partition: str, order: str, n: int) -> QuerySet:
    """Per `partition`, the `order` value of the n-th row (people with fewer rows are left out)."""
    return (
        queryset.order_by()
        .annotate(lb_n=Window(RowNumber(), partition_by=[F(partition)], order_by=[F(order).asc(), F("pk").asc()]))
        .filter(lb_n=n)
        .values_list(partition, order)
    )


def badges_award(*, user_ids: list[int] | None = None) -> None:
    """Awards every badge earned and not yet awarded; idempotent. `awarded_at` is when the earning event happened.

    Called on each approval, celebration and endorsement (for the people concerned) and, as a safety net, hourly by
    the beat (for everyone). A fixed number of queries whatever the number of people.
    """
    decisions = Decision.objects.filter(status__in=SHARED)
    endorsements = Endorsement.objects.exclude(decision__status=Decision.Status.WITHDRAWN)
    if user_ids is not None:
        decisions = decisions.filter(author_id__in=user_ids)
        endorsements = endorsements.filter(decision_author_id__in=user_ids)
    celebrated = decisions.filter(status=Decision.Status.CELEBRATED)
    earned: list[tuple[str, QuerySet]] = [
        (
            Badge.FIRST_STORY,
            decisions.values("author_id").annotate(at=Min("approved_at")).values_list("author_id", "at"),
        ),
        (
            Badge.FIRST_CELEBRATION,
            celebrated.values("author_id").annotate(at=Min("celebrated_at")).values_list("author_id", "at"),
        ),
        (Badge.FIVE_CELEBRATIONS, _nth(celebrated, partition="author_id", order="celebrated_at", n=5)),
        (Badge.TEN_COVERED, _nth(decisions.filter(covered=True), partition="author_id", order="approved_at", n=10)),
        (
            Badge.FIVE_COLLEAGUES,
            # Each colleague's first endorsement of the person, in order: the fifth one earns the badge.
            endorsements.order_by()
            .values("decision_author_id", "endorser_id")
            .annotate(first=Min("created_at"))
            .annotate(
                lb_n=Window(
                    RowNumber(), partition_by=[F("decision_author_id")], order_by=[F("first").asc(), F("endorser_id")]
                )
            )
            .filter(lb_n=5)
            .values_list("decision_author_id", "first"),
        ),
    ]
    awards = [
        BadgeAward(user_id=user_id, badge=badge, awarded_at=at) for badge, rows in earned for user_id, at in rows if at
    ]
    BadgeAward.objects.bulk_create(awards, ignore_conflicts=True)


def badges_award_as_it_happens(*, user_ids: list[int]) -> None:
    """Awards badges in the transaction of the write that earned them (an approval, a celebration, an endorsement),
    so a write that is rolled back awards nothing. In a savepoint: a failure here never breaks that write, and the
    hourly job awards whatever was missed (e.g. two endorsements committed at the same instant)."""
    try:
        with transaction.atomic():
            badges_award(user_ids=user_ids)
    except Exception:
        logger.exception("Could not award badges to %s; the hourly job will.", user_ids)
