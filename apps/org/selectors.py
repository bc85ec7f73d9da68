import zoneinfo

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Membership, Organisation, Team


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


ORG_TIME_ZONE_CACHE_KEY = "leeway:organisation-time-zone"


def organisation_time_zone() -> str:
    """The organisation's time zone name, cached: every request needs it; Organisation.save clears it."""
    name = cache.get(ORG_TIME_ZONE_CACHE_KEY)
    if name is None:
        name = Organisation.current().time_zone or "UTC"
        cache.set(ORG_TIME_ZONE_CACHE_KEY, name, 300)
    return name


def time_zone_for(user) -> zoneinfo.ZoneInfo:
    """A person's own time zone, or else the organisation's."""
    for name in (getattr(user, "time_zone", ""), organisation_time_zone(), "UTC"):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")
