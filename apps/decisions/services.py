"""Writes and rules for decisions: what is covered, logging, editing, withdrawing, trust statements, guardrails."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.org.models import Membership, Organisation, Team
from apps.org.selectors import team_of_agent

from . import selectors
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


@dataclass(frozen=True)
class CoverageResult:
    """Where a decision stands against the rules that applied to its author on the day it happened."""

    covered: bool
    coverage: str
    limit: Decimal
    guardrail: Guardrail | None = None
    team_guardrail: TeamGuardrail | None = None
    trust_statement: TrustStatement | None = None


def active_trust_statements(*, team: Team, agent, on: datetime.date):
    """Trust statements to `agent` or to their whole `team` that are in force on `on`."""
    return TrustStatement.objects.filter(
        Q(agent__isnull=True) | Q(agent=agent),
        team=team,
        starts_on__lte=on,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def coverage_for(*, author, team: Team, category: Category, cost: Decimal, on: datetime.date) -> CoverageResult:
    """The most generous rule wins: the team's own limit replaces the organisation's, and a trust statement that
    raises the limit for this category covers whatever fits under it."""
    base_limit, base_kind, guardrail, team_guardrail = selectors.base_limit(team=team, category=category)
    best_trust = (
        active_trust_statements(team=team, agent=author, on=on)
        .filter(category=category, raised_limit__isnull=False)
        .select_related("author")
        .order_by("-raised_limit", "-starts_on", "-pk")
        .first()
    )
    if cost <= base_limit:
        return CoverageResult(
            covered=True,
            coverage=base_kind,
            limit=base_limit,
            guardrail=guardrail if base_kind == Coverage.ORGANISATION else None,
            team_guardrail=team_guardrail,
        )
    if best_trust is not None and cost <= best_trust.raised_limit:
        return CoverageResult(
            covered=True, coverage=Coverage.TRUST, limit=best_trust.raised_limit, trust_statement=best_trust
        )
    most_generous = max(base_limit, best_trust.raised_limit if best_trust else base_limit)
    return CoverageResult(covered=False, coverage=Coverage.NONE, limit=most_generous)


def _apply_coverage(decision: Decision) -> None:
    result = coverage_for(
        author=decision.author,
        team=decision.team,
        category=decision.category,
        cost=decision.cost,
        on=decision.happened_on,
    )
    decision.covered = result.covered
    decision.coverage = result.coverage
    decision.limit_in_force = result.limit
    decision.covering_guardrail = result.guardrail
    decision.covering_team_guardrail = result.team_guardrail
    decision.covering_trust_statement = result.trust_statement


HEADLINE_LENGTH = 120


def headline_from(text: str) -> str:
    """A story's title when its author gave none: the start of what they wrote, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= HEADLINE_LENGTH:
        return text
    return text[: HEADLINE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _complete(decision: Decision) -> None:
    """What the server decides, whoever writes the story: its headline if left empty, and its coverage."""
    if not decision.action.strip():
        decision.action = headline_from(decision.situation)
    _apply_coverage(decision)


class NoTeam(Exception):
    """The person belongs to no team yet, so nobody could approve their story."""


@transaction.atomic
def decision_submit(*, author, fields: dict, values=()) -> Decision:
    """Logs a decision. `fields` are the form's own fields; status, author, team and coverage are decided here."""
    team = team_of_agent(user=author)
    if team is None:
        raise NoTeam
    decision = Decision(
        **fields, author=author, team=team, currency=Organisation.current().currency, language=author.language
    )
    _complete(decision)
    decision.full_clean(exclude=["values"])
    decision.save()
    decision.values.set(values)
    from apps.integrations.services import on_story_event  # integrations read decisions: imported late

    # Outgoing webhooks that asked for it hear of the new story once this commits; chat channels do not (not shared).
    on_story_event(decision, "story.logged", chat=False)
    return decision


def ensure_author_may_change(*, decision: Decision, user) -> None:
    """Only the author changes a decision, and only until a manager approved it."""
    if decision.author_id != user.pk or decision.status != Decision.Status.SUBMITTED:
        raise PermissionDenied


@transaction.atomic
def decision_update(*, decision: Decision, editor, fields: dict, values=()) -> Decision:
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    ensure_author_may_change(decision=locked, user=editor)
    for name, value in fields.items():
        setattr(locked, name, value)
    _complete(locked)
    # A story returned to its author goes back to the queue once they changed it.
    locked.returned_at, locked.returned_by, locked.return_note = None, None, ""
    locked.full_clean(exclude=["values"])
    locked.save()
    locked.values.set(values)
    return locked


@transaction.atomic
def decision_withdraw(*, decision: Decision, user) -> Decision:
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    ensure_author_may_change(decision=locked, user=user)
    locked.status = Decision.Status.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.returned_at, locked.returned_by, locked.return_note = None, None, ""
    locked.save(update_fields=["status", "withdrawn_at", "returned_at", "returned_by", "return_note", "updated_at"])
    return locked


def ensure_manages(*, user, team: Team) -> None:
    if not Membership.objects.filter(user=user, team=team, role=Membership.Role.MANAGER).exists():
        raise PermissionDenied


@transaction.atomic
def trust_statement_create(*, author, team: Team, fields: dict) -> TrustStatement:
    ensure_manages(user=author, team=team)
    agent = fields.get("agent")
    if agent is not None and not Membership.objects.filter(user=agent, team=team).exists():
        raise PermissionDenied
    statement = TrustStatement(**fields, author=author, team=team)
    statement.full_clean()
    statement.save()
    return statement


@transaction.atomic
def trust_statement_end(*, statement: TrustStatement, user) -> str:
    """Ends a trust statement today; history stays (decisions it covered stay covered). One that has not started yet
    covered nothing and is removed; one that already ended is left as it was. Returns "ended", "removed" or "past"."""
    ensure_manages(user=user, team=statement.team)
    locked = TrustStatement.objects.select_for_update().get(pk=statement.pk)
    today = timezone.localdate()
    if locked.starts_on > today:
        locked.delete()
        return "removed"
    if locked.ends_on is not None and locked.ends_on <= today:
        return "past"
    locked.ends_on = today
    locked.save(update_fields=["ends_on"])
    return "ended"


@transaction.atomic
def team_guardrail_set(*, manager, team: Team, category: Category, limit: Decimal | None) -> TeamGuardrail | None:
    """Sets the team's own limit for a category; `None` goes back to the organisation's limit."""
    ensure_manages(user=manager, team=team)
    if limit is None:
        TeamGuardrail.objects.filter(team=team, category=category).delete()
        return None
    guardrail, _ = TeamGuardrail.objects.update_or_create(
        team=team, category=category, defaults={"limit": limit, "set_by": manager}
    )
    return guardrail


@transaction.atomic
def guardrail_limit_set(*, admin, category: Category, limit: Decimal) -> Decimal:
    """Sets the organisation's limit for a category (admins only); returns the limit it replaced."""
    if not admin.is_staff:
        raise PermissionDenied
    guardrail, _ = Guardrail.objects.select_for_update().get_or_create(
        category=category, defaults={"limit": DEFAULT_GUARDRAIL_LIMIT}
    )
    before = guardrail.limit
    guardrail.limit = limit
    guardrail.save(update_fields=["limit", "updated_at"])
    return before


def playbook_acknowledge(*, user) -> PlaybookAcknowledgement:
    ack, _ = PlaybookAcknowledgement.objects.update_or_create(user=user, defaults={"acknowledged_at": timezone.now()})
    return ack


def may_record_outcome(*, user, decision: Decision) -> bool:
    """Once a story is shared, its author or a manager of its team may confirm or correct what became of the
    customer."""
    if not decision.is_shared or not user.is_authenticated:
        return False
    if decision.author_id == user.pk:
        return True
    manages = getattr(decision, "viewer_manages", None)  # selectors.with_viewer_manages saves the query
    if manages is None:
        manages = Membership.objects.filter(user=user, team_id=decision.team_id, role=Membership.Role.MANAGER).exists()
    return manages


@transaction.atomic
def decision_outcome_record(*, decision: Decision, user, outcome: str, values=None) -> OutcomeChange:
    """Confirms (the same outcome) or corrects the story's outcome; the story keeps the latest, the change is kept.
    Its author may also say, now or later, which of our values it shows."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if not may_record_outcome(user=user, decision=locked):
        raise PermissionDenied
    change = OutcomeChange.objects.create(decision=locked, previous=locked.outcome, outcome=outcome, changed_by=user)
    locked.outcome = outcome
    locked.save(update_fields=["outcome", "updated_at"])
    if values is not None and locked.author_id == user.pk:
        locked.values.set(values)
    decision.outcome = outcome
    return change
