"""Reading the insights: every number is a SQL aggregate, and each page runs the same few queries whatever the data."""

import dataclasses
import zoneinfo
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.templatetags.leeway import money as money_format
from apps.decisions.models import Channel, Decision
from apps.digests.content import KEPT
from apps.leaderboards import periods
from apps.leaderboards.models import BadgeAward
from apps.org.models import Organisation
from apps.recognition.models import Endorsement

from . import charts
from .aggregates import Median
from .filters import Window
from .tables import COUNT, MONEY, RATIO, SHARE, TEXT, Column, Table, money, ratio, share


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
        Column(_("Decisions"), COUNT),
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
            Column(_("Decisions"), COUNT),
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
                date_format(first_day, "j M"),
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
            title=_("Decisions per week"),
            labels=labels,
            series=[(_("Decisions"), [row[1] for row in trend.rows])],
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


def _localized(prefix: str):
    """The reader's name of a category or value from its three name columns (as `LocalizedName.label` picks it)."""

    def label(row: dict) -> str:
        language = (get_language() or "en")[:2]
        return row.get(f"{prefix}__name_{language}") or row[f"{prefix}__name"] or ""

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
            Column(_("Decisions"), COUNT),
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
