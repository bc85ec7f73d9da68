from django.db.models import Q, QuerySet

from apps.org.models import Membership

from .models import Decision


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
        | Q(status__in=[Decision.Status.APPROVED, Decision.Status.CELEBRATED])
        | (Q(team_id__in=my_team_ids) & ~Q(status=Decision.Status.WITHDRAWN))
    )


def can_manage_decision(*, user, decision: Decision) -> bool:
    """Managers act on decisions of the teams they manage, never on their own."""
    if decision.author_id == user.pk:
        return False
    return Membership.objects.filter(user=user, team_id=decision.team_id, role=Membership.Role.MANAGER).exists()
