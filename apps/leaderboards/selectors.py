"""Reading the leaderboards: rank the rows of one snapshot in SQL (aggregates and RANK()), for any scope and filter."""

import dataclasses
import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.org.models import Department, Membership, Organisation, Team

from . import periods, services
from .models import BadgeAward, Period, Row, Snapshot, Standing
from .scoring import SCORE_SQL

ORGANISATION, DEPARTMENT, TEAM = "organisation", "department", "team"
PEOPLE, TEAMS = "people", "teams"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One line of a leaderboard: a person (people boards) or a team (team boards)."""

    scope: str
    scope_id: int
    rank: int
    score: int
    stories: int
    celebrations: int
    first_stories: int
    endorsements: int
    colleagues: int  # people boards: different colleagues whose endorsements count; team boards: people with points
    person_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    team_id: int | None = None
    team_name: str = ""
    department_name: str = ""

    @property
    def name(self) -> str:
        if self.person_id is None:
            return self.team_name
        return f"{self.first_name} {self.last_name}".strip() or self.email.split("@")[0]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def rank(
    *,
    snapshot_id: int,
    board: str = PEOPLE,
    scopes: tuple[str, ...] = (ORGANISATION,),
    scope_id: int | None = None,
    category_id: int | None = None,
    channel: str | None = None,
    limit: int | None = None,
    also_person: int | None = None,
    standings: bool = False,
) -> list[Entry]:
    """Ranks one snapshot's rows, in one query, for each of `scopes` (each department and team when several).

    People boards show only active people who are not admins and did not opt out; their ranks are counted among
    them alone. Team boards add up the points of every story of the team (no person is named on them). Equal scores
    share a rank, and the next rank skips (1, 1, 3). `limit` keeps the ranks up to it (and `also_person`'s line).
    With `standings` (the snapshot has them), an unfiltered organisation board ranks the snapshot's stored totals.
    """
    if standings and scopes == (ORGANISATION,) and not (category_id is not None and channel):
        return _rank_standings(
            snapshot_id=snapshot_id,
            board=board,
            category_id=category_id,
            channel=channel or "",
            limit=limit,
            also_person=also_person,
        )
    rows, teams, users, memberships = (
        _q(Row._meta.db_table),
        _q(Team._meta.db_table),
        _q(User._meta.db_table),
        _q(Membership._meta.db_table),
    )
    where, params = ["r.snapshot_id = %s"], [snapshot_id]
    if category_id is not None:
        where.append("r.category_id = %s")
        params.append(category_id)
    if channel:
        where.append("r.channel = %s")
        params.append(channel)
    if scope_id is not None and scopes == (TEAM,):  # the index on (snapshot, team) reads that team's rows only
        where.append("r.team_id = %s")
        params.append(scope_id)
    elif scope_id is not None and scopes == (DEPARTMENT,):
        where.append(f"r.team_id IN (SELECT id FROM {teams} WHERE department_id = %s)")
        params.append(scope_id)
    branches = []
    scope_columns = {ORGANISATION: "0", DEPARTMENT: "department_id", TEAM: "team_id"}
    for scope in scopes:
        column = scope_columns[scope]
        branch = f"SELECT '{scope}' AS scope, {column} AS scope_id, base.* FROM base"
        if scope_id is not None and scope != ORGANISATION:
            branch += f" WHERE {column} = %s"
            params.append(scope_id)
        branches.append(branch)
    group = "scope, scope_id, person_id" if board == PEOPLE else "scope, scope_id, team_id, person_id"
    sums = (
        "SUM(stories) AS stories, SUM(celebrations) AS celebrations, SUM(first_stories) AS first_stories, "
        "SUM(endorsements) AS endorsements"
    )
    sql = f"""
        WITH base AS (
            SELECT r.person_id, r.team_id, t.department_id, r.endorser_id,
                   r.stories, r.celebrations, r.first_stories, r.endorsements
            FROM {rows} r INNER JOIN {teams} t ON t.id = r.team_id
            WHERE {" AND ".join(where)}
        ),
        scoped AS ({" UNION ALL ".join(branches)}),
        per_person AS (
            SELECT {group}, {sums}, COUNT(DISTINCT endorser_id) AS colleagues
            FROM scoped GROUP BY {group}
        )"""
    if board == PEOPLE:
        sql += f""",
        scored AS (
            SELECT p.*, {SCORE_SQL} AS score, u.first_name, u.last_name, u.email
            FROM per_person p INNER JOIN {users} u ON u.id = p.person_id
            WHERE u.is_active = %s AND u.is_staff = %s AND u.show_on_leaderboards = %s
        ),
        ranked AS (
            SELECT scored.*, RANK() OVER (PARTITION BY scope, scope_id ORDER BY score DESC) AS rnk
            FROM scored WHERE score > 0
        )
        SELECT ranked.scope, ranked.scope_id, rnk, score, stories, celebrations, first_stories, endorsements,
               colleagues, person_id, first_name, last_name, email, t.id, t.name, ''
        FROM ranked
        LEFT JOIN {memberships} m ON m.user_id = ranked.person_id AND m.role = 'agent'
        LEFT JOIN {teams} t ON t.id = m.team_id
        """
        params += [True, False, True]
        order = "ranked.scope, ranked.scope_id, rnk, first_name, last_name, email"
    else:
        sql += f""",
        per_team AS (
            SELECT scope, scope_id, team_id, {sums}, SUM({SCORE_SQL}) AS score, COUNT(*) AS colleagues
            FROM per_person GROUP BY scope, scope_id, team_id
        ),
        ranked AS (
            SELECT per_team.*, RANK() OVER (PARTITION BY scope, scope_id ORDER BY score DESC) AS rnk
            FROM per_team WHERE score > 0
        )
        SELECT ranked.scope, ranked.scope_id, rnk, score, stories, celebrations, first_stories, endorsements,
               colleagues, NULL, '', '', '', t.id, t.name, d.name
        FROM ranked
        INNER JOIN {teams} t ON t.id = ranked.team_id
        INNER JOIN {_q(Department._meta.db_table)} d ON d.id = t.department_id
        """
        order = "ranked.scope, ranked.scope_id, rnk, t.name"
    if limit is not None:
        sql += " WHERE rnk <= %s" + (" OR person_id = %s" if board == PEOPLE and also_person else "")
        params += [limit, also_person] if board == PEOPLE and also_person else [limit]
    sql += f" ORDER BY {order}"
    return _entries(sql, params)


def _rank_standings(
    *, snapshot_id: int, board: str, category_id: int | None, channel: str, limit: int | None, also_person: int | None
) -> list[Entry]:
    """The organisation's board (overall, of one category or of one channel) from the snapshot's stored totals: one
    small indexed read, ranked here."""
    category = "s.category_id = %s" if category_id is not None else "s.category_id IS NULL"
    board_params = [snapshot_id, *([category_id] if category_id is not None else []), channel]
    standings, teams, users, memberships, departments = (
        _q(model._meta.db_table) for model in (Standing, Team, User, Membership, Department)
    )
    columns = "s.score, s.stories, s.celebrations, s.first_stories, s.endorsements, s.colleagues"
    if board == PEOPLE and limit is not None:
        return _top_people(
            board_where=f"s.snapshot_id = %s AND {category} AND s.channel = %s",
            board_params=board_params,
            limit=limit,
            also_person=also_person,
        )
    if board == PEOPLE:
        sql = f"""
            WITH ranked AS (
                SELECT {columns}, s.person_id, u.first_name, u.last_name, u.email,
                       RANK() OVER (ORDER BY s.score DESC) AS rnk
                FROM {standings} s INNER JOIN {users} u ON u.id = s.person_id
                WHERE s.snapshot_id = %s AND {category} AND s.channel = %s AND s.person_id IS NOT NULL
                  AND s.score > 0 AND u.is_active = %s AND u.is_staff = %s AND u.show_on_leaderboards = %s
            )
            SELECT 'organisation', 0, rnk, score, stories, celebrations, first_stories, endorsements, colleagues,
                   person_id, first_name, last_name, email, t.id, t.name, ''
            FROM ranked
            LEFT JOIN {memberships} m ON m.user_id = ranked.person_id AND m.role = 'agent'
            LEFT JOIN {teams} t ON t.id = m.team_id"""
        params = [*board_params, True, False, True]
        order = "rnk, first_name, last_name, email"
    else:
        sql = f"""
            WITH ranked AS (
                SELECT {columns}, s.team_id, RANK() OVER (ORDER BY s.score DESC) AS rnk
                FROM {standings} s
                WHERE s.snapshot_id = %s AND {category} AND s.channel = %s AND s.team_id IS NOT NULL AND s.score > 0
            )
            SELECT 'organisation', 0, rnk, score, stories, celebrations, first_stories, endorsements, colleagues,
                   NULL, '', '', '', t.id, t.name, d.name
            FROM ranked
            INNER JOIN {teams} t ON t.id = ranked.team_id
            INNER JOIN {departments} d ON d.id = t.department_id"""
        params = board_params
        order = "rnk, t.name"
    if limit is not None:
        sql += " WHERE rnk <= %s" + (" OR person_id = %s" if board == PEOPLE and also_person else "")
        params += [limit, also_person] if board == PEOPLE and also_person else [limit]
    return _entries(f"{sql} ORDER BY {order}", params)


def _top_people(*, board_where: str, board_params: list, limit: int, also_person: int | None) -> list[Entry]:
    """The first `limit` ranks of a people board from its stored totals, read in score order from the index
    `standing_ranked` until the last score that still ranks (WITH TIES), however many people the organisation has:
    ranks are counted over that prefix, which holds everyone with a higher score. The reader's own line, further down,
    is ranked by counting who scored more: everyone, less the few who are not on the boards (found from the index
    `user_off_leaderboards`), rather than asking for each of thousands whether they are. (Ordering by the board's
    category and channel too, constant here, is what lets PostgreSQL read the index in order: `category_id IS NULL`
    does not count as an equality for it.)"""
    standings, teams, users, memberships = (_q(model._meta.db_table) for model in (Standing, Team, User, Membership))
    eligible = (
        f"FROM {standings} s INNER JOIN {users} u ON u.id = s.person_id "
        f"WHERE {board_where} AND s.person_id IS NOT NULL AND s.score > 0 "
        "AND u.is_active = %s AND u.is_staff = %s AND u.show_on_leaderboards = %s"
    )
    eligible_params = [*board_params, True, False, True]
    columns = (
        "s.score, s.stories, s.celebrations, s.first_stories, s.endorsements, s.colleagues, s.person_id, "
        "u.first_name, u.last_name, u.email"
    )
    if connection.vendor == "postgresql":
        top = (
            f"SELECT {columns} {eligible} ORDER BY s.category_id, s.channel, s.score DESC FETCH FIRST %s ROWS WITH TIES"
        )
        # OFFSET 0 keeps this a lookup per line (by the membership's user index), not a join of every membership.
        team_of_line = (
            f"LEFT JOIN LATERAL (SELECT m.team_id FROM {memberships} m "
            "WHERE m.user_id = ranked.person_id AND m.role = 'agent' OFFSET 0) m ON TRUE"
        )
    else:
        # SQLite (`make run` without a database server) has neither WITH TIES nor LATERAL: the same lines, ranked
        # over every eligible person (a demo organisation's few).
        names = (
            "score, stories, celebrations, first_stories, endorsements, colleagues, person_id, first_name, last_name, "
            "email"
        )
        top = (
            f"SELECT {names} FROM (SELECT {columns}, RANK() OVER (ORDER BY s.score DESC) AS place {eligible}) "
            "WHERE place <= %s"
        )
        team_of_line = (
            f"LEFT JOIN {memberships} m ON m.id = (SELECT MIN(id) FROM {memberships} "
            "WHERE user_id = ranked.person_id AND role = 'agent')"
        )
    sql = f"""
        WITH top AS ({top}),
        me AS (SELECT {columns} {eligible} AND s.person_id = %s),
        ranked AS (
            SELECT top.*, RANK() OVER (ORDER BY score DESC) AS rnk FROM top
            UNION ALL
            SELECT me.*, (
                SELECT COUNT(*) FROM {standings} s WHERE {board_where} AND s.person_id IS NOT NULL
                AND s.score > me.score
            ) - (
                SELECT COUNT(*) FROM {users} u INNER JOIN {standings} s ON s.person_id = u.id
                WHERE NOT (u.is_active = %s AND u.is_staff = %s AND u.show_on_leaderboards = %s)
                AND {board_where} AND s.score > me.score
            ) + 1 FROM me
            WHERE NOT EXISTS (SELECT 1 FROM top WHERE top.person_id = me.person_id)
        )
        SELECT 'organisation', 0, rnk, score, stories, celebrations, first_stories, endorsements, colleagues,
               person_id, first_name, last_name, email, t.id, t.name, ''
        FROM ranked
        {team_of_line}
        LEFT JOIN {teams} t ON t.id = m.team_id
        ORDER BY rnk, first_name, last_name, email"""
    # (no one has the id 0)
    params = [
        *eligible_params,
        limit,
        *eligible_params,
        also_person or 0,
        *board_params,
        True,
        False,
        True,
        *board_params,
    ]
    return _entries(sql, params)


def _entries(sql: str, params: list) -> list[Entry]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fields = [
            "scope",
            "scope_id",
            "rank",
            "score",
            "stories",
            "celebrations",
            "first_stories",
            "endorsements",
            "colleagues",
            "person_id",
            "first_name",
            "last_name",
            "email",
            "team_id",
            "team_name",
            "department_name",
        ]
        numbers = set(fields[1:10]) | {"team_id"}
        return [
            Entry(
                **{
                    key: (int(value) if value is not None else None) if key in numbers else (value or "")
                    for key, value in zip(fields, row, strict=True)
                }
            )
            for row in cursor.fetchall()
        ]


def snapshot_for(
    *, period: str, now: datetime.datetime | None = None, previous: bool = False, org: Organisation | None = None
) -> Snapshot:
    """The snapshot a page shows for `period` (this one, or the one before), computed now if the beat has not yet."""
    now = now or timezone.now()
    tz = periods.org_time_zone(org or Organisation.current())
    first_day = periods.starts_on(period, now.astimezone(tz).date())
    if previous:
        first_day = periods.previous_starts_on(period, first_day)
    snapshot = Snapshot.objects.filter(period=period, starts_on=first_day).first()
    if snapshot is None or (not snapshot.is_final and previous):
        snapshot = services.snapshot_for_calendar(period=period, starts_on=first_day, now=now, tz=tz)
    return snapshot


PERIOD_KEYS = {
    "this-week": (Period.WEEK, False),
    "last-week": (Period.WEEK, True),
    "this-month": (Period.MONTH, False),
    "this-quarter": (Period.QUARTER, False),
    "all-time": (Period.ALL, False),
}


def period_label(snapshot: Snapshot) -> str:
    first = snapshot.starts_on
    if snapshot.period == Period.WEEK:
        return periods.week_title(first)
    if snapshot.period == Period.MONTH:
        return date_format(first, "YEAR_MONTH_FORMAT")
    if snapshot.period == Period.QUARTER:
        return _("Quarter %(number)s, %(year)s") % {"number": (first.month - 1) // 3 + 1, "year": first.year}
    if snapshot.period == Period.ALL:
        return _("All time")
    return date_format(first, "DATE_FORMAT")


PAGE_SIZE = 100  # lines a board shows (and where the viewer stands, further down)


@dataclasses.dataclass
class LeaderboardPage:
    snapshot: Snapshot
    period_label: str
    scope_label: str
    entries: list[Entry]
    me: Entry | None


def past_week_snapshot(*, monday: datetime.date, org: Organisation) -> Snapshot | None:
    """A week that is over, as its final snapshot (computed now if the beat never did); None for this week or later."""
    now = timezone.now()
    tz = periods.org_time_zone(org)
    if monday >= periods.starts_on(Period.WEEK, now.astimezone(tz).date()):
        return None
    snapshot = Snapshot.objects.filter(period=Period.WEEK, starts_on=monday, is_final=True).first()
    return snapshot or services.snapshot_for_calendar(period=Period.WEEK, starts_on=monday, now=now, tz=tz)


def leaderboard_page(
    *,
    board: str,
    viewer,
    period: str,
    scope: str,
    scope_id: int | None,
    category,
    channel: str | None,
    week: datetime.date | None = None,
) -> LeaderboardPage:
    """One board as a page shows it: up to 100 lines, and where the viewer stands even if further down. `week` (a
    Monday) shows that past week instead of `period`."""
    kind, previous = PERIOD_KEYS.get(period, PERIOD_KEYS["this-week"])
    org = Organisation.current()
    snapshot = past_week_snapshot(monday=week, org=org) if week else None
    snapshot = snapshot or snapshot_for(period=kind, previous=previous, org=org)
    scope_label = org.name
    if scope == DEPARTMENT and (department := Department.objects.filter(pk=scope_id).first()):
        scope_label = department.name
    elif scope == TEAM and board == PEOPLE and (team := Team.objects.filter(pk=scope_id).first()):
        scope_label = team.name
    else:
        scope, scope_id = ORGANISATION, None
    entries = rank(
        snapshot_id=snapshot.pk,
        board=board,
        scopes=(scope,),
        scope_id=scope_id,
        category_id=category.pk if category else None,
        channel=channel,
        limit=PAGE_SIZE,
        also_person=viewer.pk,
        standings=snapshot.has_standings,
    )
    me = next((e for e in entries if board == PEOPLE and e.person_id == viewer.pk), None)
    return LeaderboardPage(
        snapshot=snapshot,
        period_label=period_label(snapshot),
        scope_label=scope_label,
        entries=entries[:PAGE_SIZE],
        me=me,
    )


def badges_for(*, user) -> QuerySet[BadgeAward]:
    return BadgeAward.objects.filter(user=user).order_by("awarded_at", "pk")


def badges_awarded_between(*, start, end) -> QuerySet[BadgeAward]:
    """Badges earned in [start, end) by people who may appear on leaderboards."""
    return (
        BadgeAward.objects.filter(awarded_at__gte=start, awarded_at__lt=end)
        .filter(user__is_active=True, user__is_staff=False, user__show_on_leaderboards=True)
        .select_related("user")
        .order_by("awarded_at", "pk")
    )
