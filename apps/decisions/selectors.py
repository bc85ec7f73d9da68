import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.org.models import Department, Membership, Team
from apps.org.selectors import layout_roles_for, stand_in_teams_for, teams_overseen_by

from . import search
from .models import (
    DEFAULT_GUARDRAIL_LIMIT,
    Category,
    Coverage,
    Decision,
    Guardrail,
    OutcomeChange,
    PlaybookAcknowledgement,
    TeamGuardrail,
    TrustStatement,
)


def visible_decisions(*, user) -> QuerySet[Decision]:
    """The decisions `user` may read: every shared story, their own, their teams' live ones (and those of the teams
    in the departments they head); admins see all.

    A withdrawn decision stays visible to its author only (and admins).
    """
    decisions = Decision.objects.all()
    if user.is_staff:
        return decisions
    my_team_ids = Membership.objects.filter(user=user).values("team_id")
    # A department head reads the live stories of every team in their departments (and stands in for a team that
    # has no manager).
    headed = Department.objects.filter(heads=user).values("pk")
    return decisions.filter(
        Q(author=user)
        | Q(status__in=Decision.SHARED_STATUSES)
        | ((Q(team_id__in=my_team_ids) | Q(team__department_id__in=headed)) & ~Q(status=Decision.Status.WITHDRAWN))
    )


def can_manage_decision(*, user, decision: Decision) -> bool:
    """Managers act on decisions of the teams they manage, never on their own; a team without an active manager
    has a stand-in (its department head, or else the admins)."""
    if decision.author_id == user.pk:
        return False
    return (
        Team.objects.filter(pk=decision.team_id)
        .filter(
            Q(memberships__user=user, memberships__role=Membership.Role.MANAGER)
            | Q(pk__in=stand_in_teams_for(user=user).values("pk"))
        )
        .exists()
    )


def may_see_private(*, user, person_id: int, team_id: int) -> bool:
    """What is private to a person in a team (a trust statement addressed to them, their story's customer reference)
    is seen by that person, the team's managers, the heads of its department and admins: nobody else."""
    if user.pk == person_id or user.is_staff:
        return True
    return teams_overseen_by(user=user).filter(pk=team_id).exists()


def may_see_private_details(*, user, decision: Decision, team_ids: set[int] | None) -> bool:
    """Whether `user` sees a story's private details: its customer reference and the trust statement to its author
    that covered it; the same people as see where it stands against the guardrails (`team_ids` from
    `guardrail_detail_team_ids`)."""
    statement = decision.covering_trust_statement if decision.coverage == Coverage.TRUST else None
    if not decision.customer_reference and (statement is None or statement.agent_id is None):
        return False
    return sees_guardrail_detail(user=user, decision=decision, team_ids=team_ids)


def guardrail_detail_team_ids(*, user) -> set[int] | None:
    """The teams whose stories show `user` where they stand against the guardrails ("above the guardrail",
    "flagged for a conversation"): the teams they manage or whose department they head; None means every team
    (admins). Everyone else sees only "Covered", and authors always see their own (`sees_guardrail_detail`)."""
    if user.is_staff:
        return None
    return set(teams_overseen_by(user=user).values_list("pk", flat=True))


def guardrail_detail_team_ids_for(request) -> set[int] | None:
    """`guardrail_detail_team_ids` of the signed-in person, read once per request whatever the page asks; no query
    at all for someone who manages no team and heads no department (most readers), as the layout knows already."""
    if not hasattr(request, "_guardrail_detail_team_ids"):
        roles = layout_roles_for(request)
        oversees = request.user.is_staff or roles["manages"] or roles["heads"]
        request._guardrail_detail_team_ids = guardrail_detail_team_ids(user=request.user) if oversees else set()
    return request._guardrail_detail_team_ids


def sees_guardrail_detail(*, user, decision: Decision, team_ids: set[int] | None) -> bool:
    """Deciding is safe: a story above the guardrail is nobody's business but its author's and those who lead them.
    `team_ids` comes from `guardrail_detail_team_ids`, read once for a whole page of stories."""
    return decision.author_id == user.pk or team_ids is None or decision.team_id in team_ids


def with_card_data(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Everything a story card shows, fetched in a constant number of queries."""
    # Joined: what every card has. Read apart: what only some have. Seven tables in one query cost PostgreSQL more to
    # plan than the three small queries cost to run.
    return decisions.select_related("author", "team", "category").prefetch_related(
        "values", "celebrated_by", "covering_trust_statement__author"
    )


def _filtered(decisions: QuerySet[Decision], filters: dict) -> QuerySet[Decision]:
    for name in ("team", "category", "channel"):
        if filters.get(name):
            decisions = decisions.filter(**{name: filters[name]})
    if filters.get("department"):
        decisions = decisions.filter(team__department=filters["department"])
    if filters.get("value"):
        decisions = decisions.filter(values=filters["value"])
    return decisions


def feed_for_user(*, user, filters: dict | None = None) -> QuerySet[Decision]:
    """The home feed: shared stories from the whole organisation plus my teams' submitted ones, newest first."""
    my_team_ids = Membership.objects.filter(user=user).values("team_id")
    decisions = Decision.objects.filter(
        Q(status__in=Decision.SHARED_STATUSES) | Q(status=Decision.Status.SUBMITTED, team_id__in=my_team_ids)
    )
    filters = filters or {}
    decisions = _filtered(decisions, filters)
    if filters.get("q"):
        return with_card_data(search.matching(decisions, filters["q"])).order_by("-search_rank", "-created_at", "-pk")
    return with_card_data(decisions).order_by("-created_at", "-pk")


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_CURSOR = re.compile(r"^(\d{1,18})_(\d{1,18})$")


def feed_cursor(decision: Decision) -> str:
    """Where the next page of the feed starts: just after this story (its moment in microseconds, and its id)."""
    return cursor_at(decision.created_at, decision.pk)


def cursor_at(moment: datetime.datetime, pk: int) -> str:
    return f"{(moment - _EPOCH) // datetime.timedelta(microseconds=1)}_{pk}"


def parse_feed_cursor(value: str | None) -> tuple[datetime.datetime, int] | None:
    """The (created_at, id) a cursor names; None for no cursor or a malformed one (the first page)."""
    match = _CURSOR.match(value or "")
    if not match:
        return None
    try:
        moment = _EPOCH + datetime.timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return moment, int(match[2])


@dataclass
class FeedPage:
    stories: list[tuple[int, datetime.datetime]]  # (id, created_at) in the order shown: cards.story_cards
    next_cursor: str | None  # where "Older" continues; None on the last page
    # Search results are ranked, so they page by offset (bounded by the matches, not by the history).
    next_offset: int | None = None


def feed_page(*, user, filters: dict | None = None, cursor: str | None = None, offset: int = 0, size: int) -> FeedPage:
    """One page of the feed, newest first, after `cursor` (keyset pagination: the same cost on page 1 and page
    1,000, and no COUNT over the whole history): see newest_in_sql.

    With a search query the stories come best match first instead, `size` from `offset`."""
    filters = filters or {}
    if filters.get("q"):
        matches = feed_for_user(user=user, filters=filters).select_related(None).prefetch_related(None)
        found = list(matches.values_list("pk", "created_at")[offset : offset + size + 1])
        more = len(found) > size
        return FeedPage(stories=found[:size], next_cursor=None, next_offset=offset + size if more else None)
    after = parse_feed_cursor(cursor)
    newest = newest_in_sql if connection.vendor == "postgresql" else newest_in_orm
    rows = newest(user=user, filters=filters, after=after, limit=size + 1)
    shown = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last_pk, last_at = shown[-1]
        next_cursor = cursor_at(last_at, last_pk)
    return FeedPage(stories=shown, next_cursor=next_cursor)


# Both read the feed's newest stories, (id, created_at), after `after` (a cursor's moment and id) if given: the
# shared ones and my teams' submitted ones. Two branches, not one OR: each is read newest first from its own partial
# index (decision_shared_newest, decision_submitted_by_team) and stops after `limit` rows, however many stories the
# organisation has; ids and moments only, read from the indexes alone.


def newest_in_orm(*, user, filters: dict, after: tuple | None, limit: int) -> list[tuple[int, datetime.datetime]]:
    """In two queries, merged here: SQLite (`make run` without a database server) allows no LIMIT in a UNION's
    parts. `newest_in_sql` must give the same rows (tests/test_feed_and_pages.py compares them)."""
    decisions = _filtered(Decision.objects.all(), filters)
    if after is not None:
        moment, pk = after
        # The redundant `created_at <= moment` bounds the index scan; the OR breaks ties between equal moments.
        decisions = decisions.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(pk__lt=pk))
    decisions = decisions.order_by("-created_at", "-pk").values_list("pk", "created_at")
    shared = decisions.filter(status__in=Decision.SHARED_STATUSES)
    submitted = decisions.filter(
        status=Decision.Status.SUBMITTED, team_id__in=Membership.objects.filter(user=user).values("team_id")
    )
    rows = sorted([*shared[:limit], *submitted[:limit]], key=lambda row: (row[1], row[0]), reverse=True)
    return rows[:limit]


def newest_in_sql(*, user, filters: dict, after: tuple | None, limit: int) -> list[tuple[int, datetime.datetime]]:
    """In one PostgreSQL statement, written out: every page of the feed runs it, and the ORM took 1.6 ms to build
    what PostgreSQL runs in a quarter of one (at 10,000 agents)."""
    conditions, params = [], []
    for name, column in (("team", "team_id"), ("category", "category_id")):
        if filters.get(name):
            conditions.append(f"d.{column} = %s")
            params.append(filters[name].pk)
    if filters.get("channel"):
        conditions.append("d.channel = %s")
        params.append(filters["channel"])
    if filters.get("department"):
        conditions.append(f"d.team_id IN (SELECT id FROM {Team._meta.db_table} WHERE department_id = %s)")
        params.append(filters["department"].pk)
    if filters.get("value"):
        values = Decision.values.field
        through = values.remote_field.through._meta.db_table
        decision_column, value_column = values.m2m_column_name(), values.m2m_reverse_name()
        conditions.append(f"d.id IN (SELECT {decision_column} FROM {through} WHERE {value_column} = %s)")
        params.append(filters["value"].pk)
    if after is not None:
        moment, pk = after
        conditions.append("d.created_at <= %s AND (d.created_at < %s OR d.id < %s)")
        params += [moment, moment, pk]
    where = "".join(f" AND {condition}" for condition in conditions)
    decisions, memberships = Decision._meta.db_table, Membership._meta.db_table
    # The statuses written in, not passed: the planner matches them to the partial indexes' conditions.
    shared = ", ".join(f"'{status}'" for status in Decision.SHARED_STATUSES)
    sql = f"""
        SELECT * FROM (
            SELECT d.id, d.created_at FROM {decisions} d
            WHERE d.status IN ({shared}){where}
            ORDER BY d.created_at DESC, d.id DESC LIMIT %s
        ) AS shared
        UNION ALL
        SELECT * FROM (
            SELECT d.id, d.created_at FROM {decisions} d
            WHERE d.status = '{Decision.Status.SUBMITTED}'
            AND d.team_id IN (SELECT team_id FROM {memberships} WHERE user_id = %s){where}
            ORDER BY d.created_at DESC, d.id DESC LIMIT %s
        ) AS mine
        ORDER BY 2 DESC, 1 DESC LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, user.pk, *params, limit, limit])
        return [tuple(row) for row in cursor.fetchall()]


# How many precedents the log form shows while the agent types.
PRECEDENTS = 3


def precedents_for(*, user, text: str, category: Category | None) -> list[Decision]:
    """Up to three approved or celebrated stories like the one being typed, among those `user` may read: the most
    similar words first (stemmed in each language), the same category and celebrated ones ahead of the others. With
    no words yet, the latest celebrated stories of the category, then its latest approved ones. One or two queries
    (with words, search reads the latest matches first: see search.RANKED_AT_MOST)."""
    # Shared stories are everyone's to read (see visible_decisions): asked for directly, without the conditions on
    # teams and departments that cannot add to them and that made PostgreSQL join every match to its team.
    shared = Decision.objects.shared().exclude(author=user)
    if search.words_of(text):
        first = [ExpressionWrapper(Q(category=category), output_field=BooleanField()).desc()] if category else []
        stories = search.similar(shared, text).order_by(
            *first, "-search_rank", F("celebrated_at").desc(nulls_last=True), "-created_at"
        )
    elif category is not None:
        # Two reads rather than one ORDER BY celebrated_at NULLS LAST, which no index serves (all shared stories of
        # the category were sorted: 0.2 s at 10,000 agents).
        in_category = shared.filter(category=category).select_related("author", "category")
        celebrated = in_category.filter(celebrated_at__isnull=False).order_by("-celebrated_at", "-pk")
        celebrated = list(celebrated[:PRECEDENTS])
        if len(celebrated) == PRECEDENTS:
            return celebrated
        latest = in_category.filter(celebrated_at__isnull=True).order_by("-created_at", "-pk")
        return celebrated + list(latest[: PRECEDENTS - len(celebrated)])
    else:
        return []
    # The authors are read for the three shown, not joined: joined, PostgreSQL hashed every person to rank a thousand
    # matches (11 of 18 ms at 10,000 agents).
    return list(stories.select_related("category").prefetch_related("author")[:PRECEDENTS])


def decisions_of(*, user) -> QuerySet[Decision]:
    return with_card_data(Decision.objects.filter(author=user)).order_by("-created_at", "-pk")


def base_limit(*, team: Team, category: Category) -> tuple[Decimal, str, Guardrail | None, TeamGuardrail | None]:
    """A team's limit for a category before any trust statement: the team's own limit replaces the organisation's.
    Returns (limit, Coverage kind, the organisation's guardrail, the team's)."""
    guardrail = Guardrail.objects.filter(category=category).first()
    team_guardrail = TeamGuardrail.objects.filter(team=team, category=category).first()
    if team_guardrail is not None:
        return team_guardrail.limit, Coverage.TEAM, guardrail, team_guardrail
    return (guardrail.limit if guardrail else DEFAULT_GUARDRAIL_LIMIT), Coverage.ORGANISATION, guardrail, None


def playbook_changed_at(*, team: Team | None) -> datetime.datetime | None:
    """When the rules that apply to a team last changed: the organisation's guardrails or the team's own."""
    org = Guardrail.objects.aggregate(latest=Max("updated_at"))["latest"]
    own = TeamGuardrail.objects.filter(team=team).aggregate(latest=Max("updated_at"))["latest"] if team else None
    return max(filter(None, [org, own]), default=None)


def playbook_acknowledged_at(*, user, team: Team | None) -> datetime.datetime | None:
    """When `user` acknowledged the playbook as it is now; None if never, or if the rules changed since."""
    ack = PlaybookAcknowledgement.objects.filter(user=user).first()
    if ack is None:
        return None
    changed = playbook_changed_at(team=team)
    return None if changed is not None and changed > ack.acknowledged_at else ack.acknowledged_at


@dataclass
class PlaybookRule:
    category: Category
    organisation_limit: Decimal
    team_limit: Decimal | None
    trust_statement: TrustStatement | None
    in_scope: list[str] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)
    # The languages the examples are shown in (the reader's when an admin filled it in), for `lang` attributes.
    in_scope_language: str = ""
    out_of_scope_language: str = ""

    @property
    def my_limit(self) -> Decimal:
        base = self.team_limit if self.team_limit is not None else self.organisation_limit
        raised = self.trust_statement.raised_limit if self.trust_statement else None
        return max(base, raised) if raised is not None else base


def playbook_for(*, user, team: Team | None, on: datetime.date | None = None) -> dict:
    """What may I decide without asking? The rules per category as they apply to `user` today, and the trust
    statements addressed to them or their team. Three queries whatever the size."""
    on = on or timezone.localdate()
    categories = Category.objects.filter(is_active=True).select_related("guardrail")
    team_limits = (
        dict(TeamGuardrail.objects.filter(team=team).values_list("category_id", "limit")) if team is not None else {}
    )
    statements = []
    if team is not None:
        statements = list(
            TrustStatement.objects.filter(Q(agent__isnull=True) | Q(agent=user), team=team, starts_on__lte=on)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
            .select_related("author", "agent", "category")
            .order_by("-starts_on", "-pk")
        )
    best_raise: dict[int, TrustStatement] = {}
    for statement in statements:
        if statement.raised_limit is None:
            continue
        current = best_raise.get(statement.category_id)
        if current is None or statement.raised_limit > current.raised_limit:
            best_raise[statement.category_id] = statement
    rules = []
    for category in categories:
        guardrail = getattr(category, "guardrail", None)
        in_scope_language, in_scope = guardrail.examples("in_scope") if guardrail else ("", [])
        out_of_scope_language, out_of_scope = guardrail.examples("out_of_scope") if guardrail else ("", [])
        rules.append(
            PlaybookRule(
                category=category,
                organisation_limit=guardrail.limit if guardrail else DEFAULT_GUARDRAIL_LIMIT,
                team_limit=team_limits.get(category.pk),
                trust_statement=best_raise.get(category.pk),
                in_scope=in_scope,
                out_of_scope=out_of_scope,
                in_scope_language=in_scope_language,
                out_of_scope_language=out_of_scope_language,
            )
        )
    return {"rules": rules, "trust_statements": statements}


def team_acknowledgements(*, team: Team) -> list[dict]:
    """For a manager: who in the team has acknowledged the playbook as it is now."""
    changed = playbook_changed_at(team=team)
    members = (
        Membership.objects.filter(team=team, role=Membership.Role.AGENT, user__is_active=True)
        .select_related("user", "user__playbook_ack")
        .order_by("user__first_name", "user__last_name")
    )
    rows = []
    for membership in members:
        ack = getattr(membership.user, "playbook_ack", None)
        current = ack is not None and (changed is None or ack.acknowledged_at >= changed)
        rows.append({"user": membership.user, "acknowledged_at": ack.acknowledged_at if current else None})
    return rows


def story_path(decision_id: int) -> str:
    """The address of a story's page (for links in emails, digests and redirects)."""
    return reverse("decisions:detail", args=[decision_id])


def with_viewer_manages(decisions: QuerySet[Decision], *, user) -> QuerySet[Decision]:
    """Adds `viewer_manages`: whether `user` manages the decision's team (in the same query)."""
    return decisions.annotate(
        viewer_manages=Exists(
            Membership.objects.filter(user=user, team_id=OuterRef("team_id"), role=Membership.Role.MANAGER)
        )
    )


def outcome_history(*, decision: Decision) -> list[OutcomeChange]:
    """Each time the story's outcome was confirmed or corrected, oldest first."""
    return list(decision.outcome_changes.select_related("changed_by"))
