import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.org.models import Membership, Team
from apps.org.selectors import teams_overseen_by

from .models import (
    DEFAULT_GUARDRAIL_LIMIT,
    Category,
    Coverage,
    Decision,
    Guardrail,
    PlaybookAcknowledgement,
    TeamGuardrail,
    TrustStatement,
)


def visible_decisions(*, user) -> QuerySet[Decision]:
    """The decisions `user` may read: every shared story, their own, their teams' live ones; admins see all.

    A withdrawn decision stays visible to its author only (and admins).
    """
    decisions = Decision.objects.all()
    if user.is_staff:
        return decisions
    my_team_ids = Membership.objects.filter(user=user).values("team_id")
    return decisions.filter(
        Q(author=user)
        | Q(status__in=Decision.SHARED_STATUSES)
        | (Q(team_id__in=my_team_ids) & ~Q(status=Decision.Status.WITHDRAWN))
    )


def can_manage_decision(*, user, decision: Decision) -> bool:
    """Managers act on decisions of the teams they manage, never on their own."""
    if decision.author_id == user.pk:
        return False
    return Membership.objects.filter(user=user, team_id=decision.team_id, role=Membership.Role.MANAGER).exists()


def may_see_private(*, user, person_id: int, team_id: int) -> bool:
    """What is private to a person in a team (a trust statement addressed to them, their story's customer reference)
    is seen by that person, the team's managers, the heads of its department and admins: nobody else."""
    if user.pk == person_id or user.is_staff:
        return True
    return teams_overseen_by(user=user).filter(pk=team_id).exists()


def may_see_private_details(*, user, decision: Decision) -> bool:
    """Whether `user` sees a story's private details: its customer reference and the trust statement to its author
    that covered it. Costs a query only when the story has such details."""
    statement = decision.covering_trust_statement if decision.coverage == Coverage.TRUST else None
    if not decision.customer_reference and (statement is None or statement.agent_id is None):
        return False
    return may_see_private(user=user, person_id=decision.author_id, team_id=decision.team_id)


def with_card_data(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Everything a story card shows, fetched in a constant number of queries."""
    return decisions.select_related("author", "team", "category", "covering_trust_statement__author").prefetch_related(
        "values"
    )


def feed_for_user(*, user, filters: dict | None = None) -> QuerySet[Decision]:
    """The home feed: shared stories from the whole organisation plus my teams' submitted ones, newest first."""
    my_team_ids = Membership.objects.filter(user=user).values("team_id")
    decisions = Decision.objects.filter(
        Q(status__in=Decision.SHARED_STATUSES) | Q(status=Decision.Status.SUBMITTED, team_id__in=my_team_ids)
    )
    filters = filters or {}
    for name in ("team", "category", "channel"):
        if filters.get(name):
            decisions = decisions.filter(**{name: filters[name]})
    if filters.get("value"):
        decisions = decisions.filter(values=filters["value"])
    return with_card_data(decisions).order_by("-created_at", "-pk")


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
        rules.append(
            PlaybookRule(
                category=category,
                organisation_limit=guardrail.limit if guardrail else DEFAULT_GUARDRAIL_LIMIT,
                team_limit=team_limits.get(category.pk),
                trust_statement=best_raise.get(category.pk),
                in_scope=guardrail.in_scope_list() if guardrail else [],
                out_of_scope=guardrail.out_of_scope_list() if guardrail else [],
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
