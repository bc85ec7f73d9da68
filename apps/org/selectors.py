import zoneinfo

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, Q, QuerySet

from .models import Department, Membership, Organisation, Team


def teams_managed_by(*, user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER)


def is_manager(*, user) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, role=Membership.Role.MANAGER).exists()


def departments_headed_by(*, user) -> QuerySet[Department]:
    return Department.objects.filter(heads=user)


def is_department_head(*, user) -> bool:
    return user.is_authenticated and Department.objects.filter(heads=user).exists()


def oversight_roles(*, user) -> tuple[bool, bool]:
    """(manages a team, heads a department) in one query: the layout asks on every page."""
    if not user.is_authenticated:
        return False, False
    manages = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
    heads = Department.heads.through.objects.filter(user=user)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(manages=Exists(manages), heads=Exists(heads))
        .values_list("manages", "heads")
        .first()
    )
    return row or (False, False)


def teams_overseen_by(*, user) -> QuerySet[Team]:
    """The teams whose stories and numbers a person oversees: all of them for admins, else the teams they manage and
    every team in the departments they head."""
    if user.is_staff:
        return Team.objects.all()
    return Team.objects.filter(
        Q(memberships__user=user, memberships__role=Membership.Role.MANAGER) | Q(department__heads=user)
    ).distinct()


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
