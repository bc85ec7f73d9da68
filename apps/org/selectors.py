from django.db.models import QuerySet

from .models import Membership, Team


def teams_managed_by(*, user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER)


def is_manager(*, user) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, role=Membership.Role.MANAGER).exists()


def team_of_agent(*, user) -> Team | None:
    """The team a person works in as an agent, or the first team they manage."""
    membership = (
        Membership.objects.filter(user=user).select_related("team", "team__department").order_by("role", "pk").first()
    )
    return membership.team if membership else None
