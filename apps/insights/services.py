"""Writes started from the insights: adopting a suggested limit, through the guardrail services and audit trail."""

from decimal import Decimal

from django.db import transaction

from apps.decisions import services as decision_services
from apps.decisions.models import Category
from apps.org.models import Team
from apps.recognition.models import AuditEvent


@transaction.atomic
def suggested_limit_adopt(*, user, category: Category, limit: Decimal, team: Team | None = None) -> None:
    """Makes `limit` the team's own limit for `category` (its manager, through the team guardrail service) or, with
    no team, the organisation's (admins only). Either way the audit trail records who changed what from what."""
    if team is not None:
        before = team.guardrails.filter(category=category).values_list("limit", flat=True).first()
        decision_services.team_guardrail_set(manager=user, team=team, category=category, limit=limit)
    else:
        before = decision_services.guardrail_limit_set(admin=user, category=category, limit=limit)
    AuditEvent.objects.create(
        actor=user,
        verb=AuditEvent.Verb.LIMIT_ADOPTED,
        decision=None,
        data={
            "category": category.slug,
            "team_id": team.pk if team else None,
            "from": str(before) if before is not None else None,
            "to": str(limit),
        },
    )
