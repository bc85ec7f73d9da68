"""Reading the insights: every number is a SQL aggregate, and each page runs the same few queries whatever the data."""

import dataclasses
import datetime
import math
import statistics
import zoneinfo
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor, Least, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.templatetags.leeway import money as money_format
from apps.decisions.models import (
    DEFAULT_GUARDRAIL_LIMIT,
    Category,
    Channel,
    Decision,
    Guardrail,
    TeamGuardrail,
    TrustStatement,
)
from apps.digests.content import KEPT
from apps.leaderboards import periods
from apps.leaderboards.models import BadgeAward, Period
from apps.org.models import Membership, Organisation, Team
from apps.org.selectors import teams_managed_by
from apps.recognition.models import Endorsement, Review
from apps.recognition.selectors import QUEUE_OVERDUE_AFTER

from . import charts
from .aggregates import Median, Percentile
from .filters import Window
from .tables import COUNT, HOURS, MONEY, RATIO, SHARE, TEXT, Column, Table, money, ratio, share

# The needs-attention list names at most this many overdue stories, the oldest first.
MOST_OVERDUE = 20


@dataclasses.dataclass(frozen=True)
class Numbers:
    """The ledger's numbers for one group of decisions."""

    decisions: int
    covered: int
    total_cost: Decimal
    median_cost: Decimal | None
    small: int
    retained: int
    customer_value: Decimal

    @property
    def covered_share(self) -> Decimal | None:
        return share(self.covered, self.decisions)

    @property
    def small_share(self) -> Decimal | None:
        return share(self.small, self.decisions)

    @property
    def value_kept(self) -> Decimal:
        return money(self.retained * self.customer_value)

    @property
    def value_per_cost(self) -> Decimal | None:
        return ratio(self.value_kept, self.total_cost)

    def cells(self) -> list:
        return [
            self.decisions,
            self.covered_share,
            self.total_cost,
            self.median_cost,
            self.small_share,
            self.retained,
            self.value_kept,
            self.value_per_cost,
        ]


def _aggregates(threshold: Decimal) -> dict:
    return {
        "decisions": Count("pk"),
        "covered": Count("pk", filter=Q(covered=True)),
        "total_cost": Sum("cost"),
        "median_cost": Median("cost"),
        "small": Count("pk", filter=Q(cost__lte=threshold)),
        "retained": Count("pk", filter=Q(outcome__in=KEPT)),
    }


def _numbers(row: dict, org: Organisation) -> Numbers:
    return Numbers(
        decisions=row["decisions"],
        covered=row["covered"],
        total_cost=money(row["total_cost"]),
        median_cost=money(row["median_cost"]) if row["median_cost"] is not None else None,
        small=row["small"],
        retained=row["retained"],
        customer_value=org.customer_lifetime_value,
    )


def decisions_in(*, window: Window, tz: zoneinfo.ZoneInfo, **where) -> QuerySet[Decision]:
    """Stories logged in the window (withdrawn ones are not decisions any more), narrowed by `where`."""
    start, end = window.bounds(tz)
    return Decision.objects.live().filter(created_at__gte=start, created_at__lt=end, **where).order_by()


@dataclasses.dataclass
class Ledger:
    totals: Numbers
    tables: list[Table]
    trend: Table
    charts: list[charts.Chart]

    def table(self, key: str) -> Table | None:
        return next((t for t in [*self.tables, self.trend] if t.key == key), None)


def _ledger_columns(first: str, org: Organisation) -> list[Column]:
    threshold = money(org.small_decision_threshold)
    return [
        Column(first, TEXT),
        Column(_("Stories"), COUNT),
        Column(_("Share covered"), SHARE),
        Column(_("Total cost"), MONEY),
        Column(_("Median cost"), MONEY),
        Column(_("At or under %(amount)s") % {"amount": money_format(threshold, org.currency)}, SHARE),
        Column(_("Customers retained"), COUNT),
        Column(_("Customer value kept"), MONEY),
        Column(_("Value kept per unit of cost"), RATIO),
    ]


def ledger(*, org: Organisation, team_ids, window: Window) -> Ledger:
    """The ROI ledger: totals, the same numbers per department, team, category, channel and company value, and the
    trend per week. Seven queries."""
    tz = periods.org_time_zone(org)
    decisions = decisions_in(window=window, tz=tz, team_id__in=team_ids)
    aggregates = _aggregates(org.small_decision_threshold)
    totals = _numbers(decisions.aggregate(**aggregates), org)

    def breakdown(key: str, title: str, first: str, group: list[str], label) -> Table:
        rows = decisions.values(*group).annotate(**aggregates).order_by("-decisions", *group)
        return Table(
            key=key,
            title=title,
            columns=_ledger_columns(first, org),
            rows=[[label(row), *_numbers(row, org).cells()] for row in rows],
            currency=org.currency,
        )

    names = ["name", "name_es", "name_nl"]
    channel_labels = dict(Channel.choices)
    tables = [
        breakdown(
            "departments",
            _("Per department"),
            _("Department"),
            ["team__department__name"],
            _field("team__department__name"),
        ),
        breakdown("teams", _("Per team"), _("Team"), ["team_id", "team__name", "team__department__name"], _team),
        breakdown(
            "categories",
            _("Per category"),
            _("Category"),
            ["category_id", *(f"category__{n}" for n in names)],
            _localized("category"),
        ),
        breakdown("channels", _("Per channel"), _("Channel"), ["channel"], lambda r: str(channel_labels[r["channel"]])),
        breakdown(
            "values",
            _("Per company value"),
            _("Value"),
            ["values__id", *(f"values__{n}" for n in names)],
            _localized("values"),
        ),
    ]
    # A story that names no company value is not part of the per-value table.
    values_table = tables[-1]
    values_table.rows = [row for row in values_table.rows if row[0]]

    trend = _trend(decisions=decisions, window=window, org=org, tz=tz)
    return Ledger(totals=totals, tables=tables, trend=trend, charts=_trend_charts(trend, org))


def _trend(*, decisions, window: Window, org: Organisation, tz) -> Table:
    rows = {
        row["week"]: row
        for row in decisions.annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week")
        .annotate(decisions=Count("pk"), total_cost=Sum("cost"), retained=Count("pk", filter=Q(outcome__in=KEPT)))
    }
    table = Table(
        key="trend",
        title=_("Per week"),
        columns=[
            Column(_("Week of"), TEXT),
            Column(_("Stories"), COUNT),
            Column(_("Total cost"), MONEY),
            Column(_("Customer value kept"), MONEY),
        ],
        currency=org.currency,
    )
    by_day = {week.date(): row for week, row in rows.items()}
    for monday, first_day in window.weeks():
        row = by_day.get(monday, {"decisions": 0, "total_cost": 0, "retained": 0})
        table.rows.append(
            [
                date_format(first_day, "MONTH_DAY_FORMAT"),
                row["decisions"],
                money(row["total_cost"]),
                money(row["retained"] * org.customer_lifetime_value),
            ]
        )
    return table


def _trend_charts(trend: Table, org: Organisation) -> list[charts.Chart]:
    labels = [row[0] for row in trend.rows]
    return [
        charts.bar_chart(
            key="decisions",
            title=_("Stories per week"),
            labels=labels,
            series=[(_("Stories"), [row[1] for row in trend.rows])],
        ),
        charts.bar_chart(
            key="value",
            title=_("Cost and customer value kept per week"),
            labels=labels,
            series=[
                (_("Total cost"), [row[2] for row in trend.rows]),
                (_("Customer value kept"), [row[3] for row in trend.rows]),
            ],
            formatter=lambda amount: money_format(amount, org.currency),
        ),
    ]


def _field(name: str):
    return lambda row: row[name]


def _team(row: dict) -> str:
    return f"{row['team__name']} · {row['team__department__name']}"


def _localized(prefix: str, separator: str = "__"):
    """The reader's name of a category or value from its three name columns (as `LocalizedName.label` picks it)."""

    def label(row: dict) -> str:
        language = (get_language() or "en")[:2]
        return row.get(f"{prefix}{separator}name_{language}") or row[f"{prefix}{separator}name"] or ""

    return label


@dataclasses.dataclass
class MyStats:
    decisions: int
    covered: int
    celebrations: int
    endorsements: int
    endorsers: int
    badges: list[BadgeAward]
    tables: list[Table]
    charts: list[charts.Chart]

    @property
    def covered_share(self) -> Decimal | None:
        return share(self.covered, self.decisions)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def my_stats(*, org: Organisation, user, window: Window) -> MyStats:
    """A person's own numbers: their stories and how many were covered, the celebrations and endorsements they
    received (and from how many colleagues), their badges, and how much of their limit they use per category. Five
    queries."""
    tz = periods.org_time_zone(org)
    start, end = window.bounds(tz)
    mine = decisions_in(window=window, tz=tz, author=user)
    celebrations = Decision.objects.live().filter(author=user, celebrated_at__gte=start, celebrated_at__lt=end).count()
    received = Endorsement.objects.filter(decision_author=user, created_at__gte=start, created_at__lt=end).aggregate(
        endorsements=Count("pk"), endorsers=Count("endorser", distinct=True)
    )
    names = ["name", "name_es", "name_nl"]
    label = _localized("category")
    limit_used = ExpressionWrapper(F("cost") * 100 / F("limit_in_force"), output_field=DecimalField())
    per_category = (
        mine.values("category_id", *(f"category__{n}" for n in names))
        .annotate(
            decisions=Count("pk"),
            covered=Count("pk", filter=Q(covered=True)),
            total_cost=Sum("cost"),
            median_cost=Median("cost"),
            highest_cost=Max("cost"),
            limit_used=Avg(limit_used, filter=Q(limit_in_force__gt=0)),
        )
        .order_by("-decisions", "category_id")
    )
    categories = Table(
        key="categories",
        title=_("My limits, per category"),
        columns=[
            Column(_("Category"), TEXT),
            Column(_("Stories"), COUNT),
            Column(_("Share covered"), SHARE),
            Column(_("Total cost"), MONEY),
            Column(_("Median cost"), MONEY),
            Column(_("Highest cost"), MONEY),
            Column(_("Share of my limit used, on average"), SHARE),
        ],
        currency=org.currency,
    )
    totals = {"decisions": 0, "covered": 0}
    for row in per_category:
        totals["decisions"] += row["decisions"]
        totals["covered"] += row["covered"]
        categories.rows.append(
            [
                label(row),
                row["decisions"],
                share(row["covered"], row["decisions"]),
                money(row["total_cost"]),
                money(row["median_cost"]),
                money(row["highest_cost"]),
                Decimal(row["limit_used"]).quantize(Decimal("0.1")) if row["limit_used"] is not None else None,
            ]
        )
    trend = _trend(decisions=mine, window=window, org=org, tz=tz)
    return MyStats(
        decisions=totals["decisions"],
        covered=totals["covered"],
        celebrations=celebrations,
        endorsements=received["endorsements"],
        endorsers=received["endorsers"],
        badges=list(BadgeAward.objects.filter(user=user)),
        tables=[categories, trend],
        charts=_trend_charts(trend, org),
    )


# --- Managers on board --------------------------------------------------------------------------------------------


def _counts_per(counted: dict[str, tuple[QuerySet, str]]) -> dict[tuple[int, str], int]:
    """{(id, name): how many}: each named queryset's rows counted per value of its field (a person, a team), in one
    UNION ALL of grouped passes: each set is read once, rather than once per person."""
    parts = [
        queryset.order_by()
        .values(key=F(field))
        .annotate(name=Value(name, output_field=CharField()), n=Count("*"))
        .values_list("key", "name", "n")
        for name, (queryset, field) in counted.items()
    ]
    return {(key, name): n for key, name, n in parts[0].union(*parts[1:], all=True)}


def _hours(duration: datetime.timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 3600).quantize(Decimal("0.1"))


@dataclasses.dataclass
class Onboard:
    managers: Table
    departments: Table
    attention: Table

    @property
    def tables(self) -> list[Table]:
        return [self.attention, self.managers, self.departments]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


MANAGER_METRICS = [
    "waiting",
    "median_wait",
    "longest_wait",
    "approvals",
    "celebrations",
    "endorsements",
    "reviews_opened",
    "reviews_closed",
    "trust_written",
    "trust_in_force",
    "acknowledged",
]


def _onboard_columns(first: str) -> list[Column]:
    return [
        Column(first, TEXT),
        Column(_("Stories waiting now"), COUNT),
        Column(_("Median wait to approval"), HOURS),
        Column(_("Longest wait to approval"), HOURS),
        Column(_("Approvals"), COUNT),
        Column(_("Celebrations"), COUNT),
        Column(_("Endorsements given"), COUNT),
        Column(_("Reviews opened"), COUNT),
        Column(_("Reviews closed"), COUNT),
        Column(_("Trust statements written"), COUNT),
        Column(_("Trust statements in force"), COUNT),
        Column(_("Playbook acknowledged in their teams"), SHARE),
    ]


def _manager_numbers(*, start, end, today, leading: list[tuple], managers: set[int] | None = None) -> tuple[list, list]:
    """(people, their numbers) for the active managers among `managers` (every one if None), given `leading`, every
    manager's (user, team, department): three queries, each a grouped pass over the rows of those managers' teams and
    of those people."""

    def within(model, field: str) -> QuerySet:
        return model.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})

    # Every team each manager leads.
    teams_of: dict[int, list[int]] = {}
    for user_id, team_id, _department in leading:
        if managers is None or user_id in managers:
            teams_of.setdefault(user_id, []).append(team_id)
    leaders = Membership.objects.filter(role=Membership.Role.MANAGER)
    if managers is None:  # every row counts: no list of ids to compare each row with
        manager_ids, of_their_teams = leaders.values("user_id"), {}
    else:
        leaders = leaders.filter(user_id__in=managers)
        manager_ids = list(teams_of)
        of_their_teams = {"team_id__in": sorted({team for teams in teams_of.values() for team in teams})}
    people = list(User.objects.filter(pk__in=manager_ids, is_active=True).order_by("first_name", "last_name", "pk"))

    def by_manager(person: str) -> dict:
        return {f"{person}__in": manager_ids}

    in_force = TrustStatement.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)
    agents = Membership.objects.filter(role=Membership.Role.AGENT, user__is_active=True, **of_their_teams)
    # An agent acknowledged the playbook as it is now: after the organisation's and their team's rules last changed.
    rules_changed = Guardrail.objects.order_by("-updated_at").values("updated_at")[:1]
    team_rules_changed = (
        TeamGuardrail.objects.filter(team=OuterRef("team")).order_by().values("team").annotate(m=Max("updated_at"))
    )
    acknowledged = agents.annotate(
        rules_changed=Subquery(rules_changed), team_changed=Subquery(team_rules_changed.values("m")[:1])
    ).filter(
        Q(rules_changed__isnull=True) | Q(user__playbook_ack__acknowledged_at__gte=F("rules_changed")),
        Q(team_changed__isnull=True) | Q(user__playbook_ack__acknowledged_at__gte=F("team_changed")),
        user__playbook_ack__isnull=False,
    )
    # Counted per team, then added up over the teams each manager leads.
    per_team = {
        "waiting": Decision.objects.filter(~_in_review(), status=Decision.Status.SUBMITTED, **of_their_teams),
        "agents": agents,
        "acknowledged": acknowledged,
    }
    # Counted per person who did it.
    per_person = {
        "approvals": (within(Decision, "approved_at").filter(**by_manager("approved_by")), "approved_by"),
        "celebrations": (within(Decision, "celebrated_at").filter(**by_manager("celebrated_by")), "celebrated_by"),
        "endorsements": (within(Endorsement, "created_at").filter(**by_manager("endorser")), "endorser"),
        "reviews_opened": (within(Review, "opened_at").filter(**by_manager("opened_by")), "opened_by"),
        "reviews_closed": (within(Review, "closed_at").filter(**by_manager("closed_by")), "closed_by"),
        "trust_written": (within(TrustStatement, "created_at").filter(**by_manager("author")), "author"),
        "trust_in_force": (in_force.filter(**by_manager("author")), "author"),
        "trust_ever": (TrustStatement.objects.filter(**by_manager("author")), "author"),
    }
    counts = _counts_per({name: (queryset, "team") for name, queryset in per_team.items()} | per_person)
    # The wait to approval of the stories of the teams a manager leads: a median is not added up, so per manager.
    wait = ExpressionWrapper(F("approved_at") - F("created_at"), output_field=DurationField())
    waits = {
        row["person"]: row
        for row in within(Decision, "approved_at")
        .filter(team__memberships__in=leaders)
        .order_by()
        .values(person=F("team__memberships__user"))
        .annotate(median_wait=Median(wait), longest_wait=Max(wait))
    }
    numbers = [
        {name: counts.get((person.pk, name), 0) for name in per_person}
        | {name: sum(counts.get((team, name), 0) for team in teams_of.get(person.pk, ())) for name in per_team}
        | {name: waits.get(person.pk, {}).get(name) for name in ("median_wait", "longest_wait")}
        for person in people
    ]
    return people, numbers


# The footer's medians of every manager in the organisation are the same for every reader: worked out once in each
# such stretch of time (a head's page otherwise reads only their own managers' numbers, whatever the organisation's
# size).
ORGANISATION_MEDIANS_FOR = datetime.timedelta(minutes=10)


def managers_on_board(*, org: Organisation, team_ids, window: Window, now: datetime.datetime) -> Onboard:
    """Per manager of the teams in scope, what they did in the window and what waits for them now, beside the
    median of every manager in the organisation; the same added up per department; and what needs attention.
    Four queries, each a grouped pass over its rows (never one per manager), and two for what needs attention."""
    tz = periods.org_time_zone(org)
    start, end = window.bounds(tz)
    today = timezone.localtime(now, tz).date()
    in_scope = set(team_ids)
    leading = list(
        Membership.objects.filter(role=Membership.Role.MANAGER).values_list(
            "user_id", "team_id", "team__department__name"
        )
    )
    departments_of: dict[int, set[str]] = {}
    for user_id, team_id, department in leading:
        if team_id in in_scope:
            departments_of.setdefault(user_id, set()).add(department)
    everyone = all(team_id in in_scope for _user, team_id, _department in leading)
    people, numbers = _manager_numbers(
        start=start, end=end, today=today, leading=leading, managers=None if everyone else set(departments_of)
    )

    def cells(row: dict) -> list:
        return [
            row["waiting"],
            _hours(row["median_wait"]),
            _hours(row["longest_wait"]),
            row["approvals"],
            row["celebrations"],
            row["endorsements"],
            row["reviews_opened"],
            row["reviews_closed"],
            row["trust_written"],
            row["trust_in_force"],
            share(row["acknowledged"], row["agents"]),
        ]

    managers = Table(
        "managers", _("Per manager"), _onboard_columns(_("Manager")), empty=_("No manager leads a team in this scope.")
    )
    for person, row in zip(people, numbers, strict=True):
        if person.pk in departments_of:
            managers.rows.append([person.get_full_name() or person.email, *cells(row)])
    if managers.rows:
        if everyone:
            medians = _medians([cells(row) for row in numbers])
        else:
            # Ten minutes of the clock (not of the cache's expiry): every reader sees the same medians in them.
            every = ORGANISATION_MEDIANS_FOR.total_seconds()
            medians = cache.get_or_set(
                f"insights:managers-medians:{start.isoformat()}:{end.isoformat()}:{now.timestamp() // every:.0f}",
                lambda: _medians(
                    [cells(row) for row in _manager_numbers(start=start, end=end, today=today, leading=leading)[1]]
                ),
                every,
            )
        managers.footer.append([_("Median of all managers"), *medians])

    departments = Table(
        "departments",
        _("Per department"),
        _onboard_columns(_("Department")),
        empty=_("No manager leads a team in this scope."),
    )
    for name in sorted({d for names in departments_of.values() for d in names}):
        members = [
            row for person, row in zip(people, numbers, strict=True) if name in departments_of.get(person.pk, ())
        ]
        total = {key: sum(row[key] for row in members) for key in MANAGER_METRICS if not key.endswith("_wait")}
        total |= {"agents": sum(row["agents"] for row in members), "median_wait": None}
        total["longest_wait"] = max((row["longest_wait"] for row in members if row["longest_wait"]), default=None)
        departments.rows.append([name, *cells(total)])

    return Onboard(
        managers=managers,
        departments=departments,
        attention=_needs_attention(
            team_ids=team_ids, people=people, numbers=numbers, departments_of=departments_of, now=now, tz=tz
        ),
    )


def _in_review() -> Exists:
    """A story has a review. As NOT EXISTS rather than a LEFT JOIN ... IS NULL, which PostgreSQL estimated at a few
    rows of thousands and answered with a nested loop over every team (the overdue list: 99 ms → 1 ms)."""
    return Exists(Review.objects.filter(decision=OuterRef("pk")))


def _medians(rows: list[list]) -> list:
    """Each column's median across managers (a manager with no number in a column is left out of it); a median of
    whole counts stays whole unless it falls between two."""
    medians = []
    for column in zip(*rows, strict=True):
        values = [value for value in column if value is not None]
        if not values:
            medians.append(None)
            continue
        median = statistics.median(values)
        whole = all(isinstance(value, int) for value in values) and median == int(median)
        medians.append(int(median) if whole else Decimal(median).quantize(Decimal("0.1")))
    return medians


def _needs_attention(*, team_ids, people, numbers, departments_of, now, tz) -> Table:
    """Stories waiting longer than the queue calls overdue, teams with no celebration this calendar month, and
    managers whose trust statements have all lapsed. Two queries."""
    table = Table(
        "attention",
        _("Needs attention"),
        [Column(_("What"), TEXT), Column(_("Where"), TEXT), Column(_("Since"), TEXT)],
        empty=_("Nothing needs attention: no story waits too long, every team celebrated this month."),
    )
    overdue = (
        Decision.objects.filter(
            ~_in_review(),
            team_id__in=team_ids,
            status=Decision.Status.SUBMITTED,
            created_at__lt=now - QUEUE_OVERDUE_AFTER,
        )
        .select_related("team", "author")
        .order_by("created_at", "pk")[:MOST_OVERDUE]
    )
    for decision in overdue:
        days = (now - decision.created_at).days
        table.rows.append(
            [
                ngettext("A story has waited %(days)s day", "A story has waited %(days)s days", days) % {"days": days},
                f"{decision.team.name} · {decision.author.get_full_name()}",
                date_format(timezone.localtime(decision.created_at, tz), "DATE_FORMAT"),
            ]
        )
    month_start = periods.local_midnight(periods.starts_on(Period.MONTH, timezone.localtime(now, tz).date()), tz)
    celebrated = Decision.objects.filter(team=OuterRef("pk"), celebrated_at__gte=month_start)
    quiet_teams = (
        Team.objects.filter(~Exists(celebrated), pk__in=team_ids)
        .select_related("department")
        .order_by("department__name", "name")
    )
    for team in quiet_teams:
        table.rows.append(
            [
                _("No celebration this month"),
                f"{team.name} · {team.department.name}",
                date_format(month_start.date(), "DATE_FORMAT"),
            ]
        )
    for person, row in zip(people, numbers, strict=True):
        if person.pk in departments_of and row["trust_ever"] and not row["trust_in_force"]:
            table.rows.append([_("Every trust statement has lapsed"), person.get_full_name() or person.email, ""])
    return table


# --- Guardrail calibration ----------------------------------------------------------------------------------------

# A histogram's bars are a fifth of the limit wide, up to twice the limit; the last bar holds everything above.
BINS_PER_LIMIT, LAST_BIN = 5, 10
# The suggestion: the cost under which this share of the decisions that kept the customer fell ...
SUGGESTION_PERCENTILE = 0.9
# ... once there are at least this many of them in the period.
SUGGESTION_SAMPLE = 5


@dataclasses.dataclass
class CategoryCalibration:
    category: Category
    limit: Decimal
    team_id: int | None  # the scope is this one team: its limit is the one to tune
    numbers: dict
    chart: charts.Chart
    suggested: Decimal | None

    @property
    def above_share(self) -> Decimal | None:
        return share(self.numbers["above"], self.numbers["decisions"])

    @property
    def kept_within_share(self) -> Decimal | None:
        return share(self.numbers["kept_within"], self.numbers["decisions"] - self.numbers["above"])

    @property
    def kept_above_share(self) -> Decimal | None:
        return share(self.numbers["kept_above"], self.numbers["above"])

    @property
    def kept_percentile(self) -> Decimal | None:
        value = self.numbers["kept_percentile"]
        return money(value) if value is not None else None


@dataclasses.dataclass
class Calibration:
    categories: list[CategoryCalibration]
    summary: Table
    histograms: Table

    @property
    def tables(self) -> list[Table]:
        return [self.summary, self.histograms]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def _limit_in_scope(team_id: int | None):
    """The limit each decision's category has in the scope: the organisation's, or the team's own when the scope is
    one team that set one."""
    # The few guardrails written into the query rather than joined: joined, PostgreSQL read the month's stories
    # category by category through the category index (a head's ten teams at 10,000 agents: 55 ms) instead of through
    # the teams' own index (5 ms).
    limits = [
        When(category_id=category_id, then=Value(limit))
        for category_id, limit in Guardrail.objects.values_list("category_id", "limit")
    ]
    organisation = Case(*limits, default=Value(DEFAULT_GUARDRAIL_LIMIT), output_field=DecimalField())
    if team_id is None:
        return organisation
    own = TeamGuardrail.objects.filter(team_id=team_id, category=OuterRef("category_id")).values("limit")[:1]
    return Coalesce(Subquery(own), organisation, output_field=DecimalField())


def nice_limit(amount: float) -> Decimal:
    """A suggested limit people can remember: rounded up to 5 under 100, to 10 under 1,000, else to 50."""
    step = 5 if amount < 100 else 10 if amount < 1000 else 50
    return Decimal(math.ceil(amount / step) * step)


def calibration(*, org: Organisation, team_ids, window: Window, team_id: int | None) -> Calibration:
    """Per category in the scope and period: the spread of costs against the limit (a histogram), the share above
    it, how often the customer stayed within and above it, cost against value kept, and a suggested limit — the cost
    under which 90% of the decisions that kept the customer fell. Three queries."""
    tz = periods.org_time_zone(org)
    limit = _limit_in_scope(team_id)
    decisions = decisions_in(window=window, tz=tz, team_id__in=team_ids).annotate(limit=limit)
    kept = Q(outcome__in=KEPT)
    per_category = {
        row["category_id"]: row
        for row in decisions.values("category_id", "limit").annotate(
            decisions=Count("pk"),
            above=Count("pk", filter=Q(cost__gt=F("limit"))),
            kept_within=Count("pk", filter=kept & Q(cost__lte=F("limit"))),
            kept_above=Count("pk", filter=kept & Q(cost__gt=F("limit"))),
            retained=Count("pk", filter=kept),
            total_cost=Sum("cost"),
            kept_percentile=Percentile("cost", SUGGESTION_PERCENTILE, filter=kept),
        )
    }
    bins = {}
    for row in (
        decisions.filter(limit__gt=0)
        .annotate(
            bin=Least(
                Floor(F("cost") * Value(Decimal(BINS_PER_LIMIT)) / F("limit")),
                Value(Decimal(LAST_BIN)),
                output_field=DecimalField(),
            )
        )
        .values("category_id", "bin")
        .annotate(n=Count("pk"))
    ):
        bins[(row["category_id"], int(row["bin"]))] = row["n"]

    categories = []
    for category in (
        Category.objects.filter(pk__in=per_category).select_related("guardrail").order_by("position", "name")
    ):
        numbers = per_category[category.pk]
        category_limit = money(numbers["limit"])
        labels = [money_format(category_limit * i / BINS_PER_LIMIT, org.currency) for i in range(LAST_BIN)] + [
            f"{money_format(category_limit * 2, org.currency)}+"
        ]
        chart = charts.bar_chart(
            key=f"costs-{category.pk}",
            title=_("How %(category)s decisions cost") % {"category": category.label},
            labels=labels,
            series=[(_("Stories"), [bins.get((category.pk, i), 0) for i in range(LAST_BIN + 1)])],
            marker=(BINS_PER_LIMIT, _("limit %(amount)s") % {"amount": money_format(category_limit, org.currency)}),
        )
        suggested = None
        if numbers["retained"] >= SUGGESTION_SAMPLE and numbers["kept_percentile"] is not None:
            suggested = nice_limit(float(numbers["kept_percentile"]))
            if suggested == category_limit:
                suggested = None
        categories.append(
            CategoryCalibration(
                category=category,
                limit=category_limit,
                team_id=team_id,
                numbers=numbers,
                chart=chart,
                suggested=suggested,
            )
        )
    summary = Table(
        "categories",
        _("Per category"),
        [
            Column(_("Category"), TEXT),
            Column(_("Limit"), MONEY),
            Column(_("Stories"), COUNT),
            Column(_("Above the limit"), SHARE),
            Column(_("Customers kept, within the limit"), SHARE),
            Column(_("Customers kept, above the limit"), SHARE),
            Column(_("Total cost"), MONEY),
            Column(_("Customer value kept"), MONEY),
            Column(_("Suggested limit"), MONEY),
        ],
        currency=org.currency,
    )
    histograms = Table(
        "histograms",
        _("How costs are spread"),
        [Column(_("Category"), TEXT), Column(_("From"), MONEY), Column(_("Stories"), COUNT)],
        currency=org.currency,
    )
    for item in categories:
        summary.rows.append(
            [
                item.category.label,
                item.limit,
                item.numbers["decisions"],
                item.above_share,
                item.kept_within_share,
                item.kept_above_share,
                money(item.numbers["total_cost"]),
                money(item.numbers["retained"] * org.customer_lifetime_value),
                item.suggested,
            ]
        )
        for i in range(LAST_BIN + 1):
            histograms.rows.append(
                [item.category.label, money(item.limit * i / BINS_PER_LIMIT), bins.get((item.category.pk, i), 0)]
            )
    return Calibration(categories=categories, summary=summary, histograms=histograms)


# --- Courage and reach --------------------------------------------------------------------------------------------

REACH_WEEKS = (4, 8)
# Concentration: the share of endorsements that went to the most endorsed tenth of a team's people.
TOP_SHARE = Decimal("0.1")


@dataclasses.dataclass(frozen=True)
class QuietPerson:
    name: str
    team_id: int
    team: str
    not_logged: bool
    not_recognised: bool


@dataclasses.dataclass
class Reach:
    teams: Table
    quiet: list[QuietPerson]

    @property
    def tables(self) -> list[Table]:
        return [self.teams]

    def table(self, key: str) -> Table | None:
        return self.teams if key == self.teams.key else None

    def seen_by(self, viewer) -> "Reach":
        """The quiet people are listed only for their own managers. One query."""
        managed = set(teams_managed_by(user=viewer).values_list("pk", flat=True))
        return dataclasses.replace(self, quiet=[person for person in self.quiet if person.team_id in managed])


def courage_and_reach(*, org: Organisation, team_ids, window: Window, now: datetime.datetime) -> Reach:
    """Per team: the share of its agents who logged a story in the last 4 and 8 weeks (counted back from the end of
    the period, or now), the share recognised (endorsed or celebrated) in 8 weeks, and how concentrated the period's
    endorsements are; and the agents who have not logged or not been recognised in 8 weeks, never ranked (`seen_by`
    keeps those a reader manages). Three queries."""
    tz = periods.org_time_zone(org)
    start, end = window.bounds(tz)
    until = min(end, now)
    since = {weeks: until - datetime.timedelta(weeks=weeks) for weeks in REACH_WEEKS}
    stories = Decision.objects.live().filter(author=OuterRef("user"), created_at__lt=until)
    endorsed = Endorsement.objects.filter(
        decision_author=OuterRef("user"), created_at__lt=until, created_at__gte=since[8]
    )
    celebrated = Decision.objects.filter(author=OuterRef("user"), celebrated_at__lt=until, celebrated_at__gte=since[8])
    agents = list(
        Membership.objects.filter(team_id__in=team_ids, role=Membership.Role.AGENT, user__is_active=True)
        .select_related("user", "team", "team__department")
        .annotate(
            logged_4=Exists(stories.filter(created_at__gte=since[4])),
            logged_8=Exists(stories.filter(created_at__gte=since[8])),
            recognised=ExpressionWrapper(Q(Exists(endorsed)) | Q(Exists(celebrated)), output_field=BooleanField()),
        )
        .order_by("team__department__name", "team__name", "user__first_name", "user__last_name")
    )
    received: dict[int, list[int]] = {}
    # The authors of the teams' stories, as a list: through them PostgreSQL reads the period's endorsements of these
    # people only (by the author and time index) rather than every endorsement of the period in the organisation (a
    # head's ten teams at 10,000 agents: 53 -> 16 ms).
    authors = list(
        Decision.objects.filter(team_id__in=team_ids).order_by().values_list("author_id", flat=True).distinct()
    )
    for row in (
        Endorsement.objects.filter(
            decision_author_id__in=authors,
            decision__team_id__in=team_ids,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("decision__team_id", "decision_author")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        received.setdefault(row["decision__team_id"], []).append(row["n"])

    table = Table(
        "teams",
        _("Per team"),
        [
            Column(_("Team"), TEXT),
            Column(_("Agents"), COUNT),
            Column(_("Logged a story in 4 weeks"), SHARE),
            Column(_("Logged a story in 8 weeks"), SHARE),
            Column(_("Recognised in 8 weeks"), SHARE),
            Column(_("Endorsements in the period"), COUNT),
            Column(_("Share going to the most endorsed tenth of people"), SHARE),
        ],
        empty=_("No agents in this scope."),
    )
    quiet = []
    by_team: dict[int, list[Membership]] = {}
    for membership in agents:
        by_team.setdefault(membership.team_id, []).append(membership)
        if not (membership.logged_8 and membership.recognised):
            quiet.append(
                QuietPerson(
                    name=membership.user.get_full_name() or membership.user.email,
                    team_id=membership.team_id,
                    team=membership.team.name,
                    not_logged=not membership.logged_8,
                    not_recognised=not membership.recognised,
                )
            )
    for members in by_team.values():
        team = members[0].team
        counts = sorted(received.get(team.pk, []), reverse=True)
        top = max(1, math.ceil(len(members) * TOP_SHARE))
        table.rows.append(
            [
                f"{team.name} · {team.department.name}",
                len(members),
                share(sum(m.logged_4 for m in members), len(members)),
                share(sum(m.logged_8 for m in members), len(members)),
                share(sum(m.recognised for m in members), len(members)),
                sum(counts),
                share(sum(counts[:top]), sum(counts)),
            ]
        )
    return Reach(teams=table, quiet=quiet)


# --- Earned autonomy ----------------------------------------------------------------------------------------------

# The raised limit offered: half as much again as the limit the agent's decisions were taken under, rounded up.
AUTONOMY_RAISE = Decimal("1.5")


@dataclasses.dataclass(frozen=True)
class AutonomyOffer:
    agent_id: int
    agent_name: str
    team_id: int
    team_name: str
    category_id: int
    category: str
    covered: int
    kept: int
    limit: Decimal
    proposed: Decimal
    text: str

    @property
    def kept_share(self) -> Decimal | None:
        return share(self.kept, self.covered)


@dataclasses.dataclass
class Autonomy:
    offers: list[AutonomyOffer]
    candidates: Table
    managed_team_ids: set[int] = dataclasses.field(default_factory=set)  # the reader's teams, by `seen_by`

    @property
    def tables(self) -> list[Table]:
        return [self.candidates]

    def table(self, key: str) -> Table | None:
        return self.candidates if key == self.candidates.key else None

    def seen_by(self, viewer) -> "Autonomy":
        """The offers go to the agent's own manager: which teams the reader manages. One query."""
        managed = set(teams_managed_by(user=viewer).values_list("pk", flat=True))
        return dataclasses.replace(self, managed_team_ids=managed)


def autonomy_offers(*, org: Organisation, team_ids, now: datetime.datetime) -> list[AutonomyOffer]:
    """Agents whose record in a category has earned a raised limit, by the organisation's thresholds: at least N
    covered decisions in the last D days, at least P% of them customers kept, none in an open review, and no trust
    statement already raising that limit for them. Their manager gets a ready-made trust statement; the agent is
    never told. One query."""
    tz = periods.org_time_zone(org)
    today = timezone.localtime(now, tz).date()
    names = ["name", "name_es", "name_nl"]
    raised = TrustStatement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        agent=OuterRef("author_id"),
        category=OuterRef("category_id"),
        raised_limit__isnull=False,
        starts_on__lte=today,
    )
    agent_of_team = Membership.objects.filter(
        user=OuterRef("author_id"), team=OuterRef("team_id"), role=Membership.Role.AGENT
    )
    # Grouped by ids only; the names are read for the groups that earned an offer (a handful), not for every story.
    user, team, category = (
        model.objects.filter(pk=OuterRef(key)).order_by()
        for model, key in ((User, "author_id"), (Team, "team_id"), (Category, "category_id"))
    )
    shown = {
        "first_name": user.values("first_name"),
        "last_name": user.values("last_name"),
        "email": user.values("email"),
        "team_name": team.values("name"),
        **{f"category_{n}": category.values(n) for n in names},
    }
    rows = (
        Decision.objects.live()
        .filter(
            Exists(agent_of_team),
            ~Exists(raised),
            team_id__in=team_ids,
            created_at__gte=now - datetime.timedelta(days=org.autonomy_days),
        )
        .values("author_id", "team_id", "category_id")
        .annotate(
            covered_count=Count("pk", filter=Q(covered=True)),
            kept_count=Count("pk", filter=Q(covered=True, outcome__in=KEPT)),
            in_review=Count("pk", filter=Q(review__status=Review.Status.OPEN)),
            limit=Max("limit_in_force", filter=Q(covered=True)),
        )
        .filter(covered_count__gte=org.autonomy_min_covered, in_review=0)
        .annotate(kept_percent=ExpressionWrapper(F("kept_count") * 100, output_field=DecimalField()))
        .filter(kept_percent__gte=F("covered_count") * org.autonomy_min_kept_percent)
        .annotate(**{alias: Subquery(name) for alias, name in shown.items()})
        .order_by("team_name", "first_name", "last_name", "category_id")
    )
    label = _localized("category", separator="_")
    offers = []
    for row in rows:
        limit = money(row["limit"] or DEFAULT_GUARDRAIL_LIMIT)
        proposed = nice_limit(float(limit * AUTONOMY_RAISE))
        category = label(row)
        offers.append(
            AutonomyOffer(
                agent_id=row["author_id"],
                agent_name=f"{row['first_name']} {row['last_name']}".strip() or row["email"],
                team_id=row["team_id"],
                team_name=row["team_name"],
                category_id=row["category_id"],
                category=category,
                covered=row["covered_count"],
                kept=row["kept_count"],
                limit=limit,
                proposed=proposed,
                text=_(
                    "I trust you to decide on %(category)s up to %(amount)s on your own: of your last %(covered)s "
                    "covered decisions, %(kept)s kept the customer."
                )
                % {
                    "category": category.lower(),
                    "amount": money_format(proposed, org.currency),
                    "covered": row["covered_count"],
                    "kept": row["kept_count"],
                },
            )
        )
    return offers


def earned_autonomy(*, org: Organisation, team_ids, now: datetime.datetime) -> Autonomy:
    """The offers in the scope, as a table (`seen_by` says which of them go to a reader). One query."""
    offers = autonomy_offers(org=org, team_ids=team_ids, now=now)
    candidates = Table(
        "candidates",
        _("Agents whose record has earned a raised limit"),
        [
            Column(_("Agent"), TEXT),
            Column(_("Team"), TEXT),
            Column(_("Category"), TEXT),
            Column(_("Covered decisions"), COUNT),
            Column(_("Customers kept"), SHARE),
            Column(_("Limit"), MONEY),
            Column(_("Suggested limit"), MONEY),
        ],
        rows=[[o.agent_name, o.team_name, o.category, o.covered, o.kept_share, o.limit, o.proposed] for o in offers],
        currency=org.currency,
        empty=_("Nobody's record has earned a raised limit yet."),
    )
    return Autonomy(offers=offers, candidates=candidates)
