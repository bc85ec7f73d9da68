import zoneinfo

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.core.cache import NAMES_GENERATION_KEY, generations, kept, next_generation

from .models import Department, Membership, Organisation, Team

# Past this many teams, a menu of every team is unreadable (and at 10,000 agents it was most of a page): team menus then
# list the teams of one department at a time.
TEAM_MENU_MAX = 150


def team_label(name: str, department: str) -> str:
    """A team as menus name it: two departments may each have a Billing team."""
    return f"{name} · {department}"


def team_menu(
    *, teams: QuerySet[Team], department_id: int | None = None, team_id: int | None = None
) -> tuple[list[tuple[int, str]], bool]:
    """(pk, "Team · Department") for a menu of `teams`, and whether that is all of them: all while they are few, else
    those of the department `department_id`. The team in force (`team_id`) is always there, so the menu shows what
    is chosen."""
    rows = teams.order_by("department__name", "name")
    few = _labelled(rows[: TEAM_MENU_MAX + 1])
    if len(few) <= TEAM_MENU_MAX:
        return few, True
    if department_id is not None:
        return _labelled(rows.filter(Q(department_id=department_id) | Q(pk=team_id or 0))), True
    return (_labelled(rows.filter(pk=team_id)) if team_id is not None else []), False


def _labelled(teams: QuerySet[Team]) -> list[tuple[int, str]]:
    return [
        (pk, team_label(name, department))
        for pk, name, department in teams.values_list("pk", "name", "department__name")
    ]


def teams_managed_by(*, user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER)


def is_manager(*, user) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, role=Membership.Role.MANAGER).exists()


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


def layout_roles(*, user) -> dict[str, bool]:
    """What the layout shows a signed-in person, in one query: whether they manage a team, head a department, and
    work in a team at all (someone in no team has nobody to approve a story, so nothing invites them to log one)."""
    manages = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
    heads = Department.heads.through.objects.filter(user=user)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(manages=Exists(manages), heads=Exists(heads), in_team=Exists(Membership.objects.filter(user=user)))
        .values("manages", "heads", "in_team")
        .first()
    )
    return row or {"manages": False, "heads": False, "in_team": False}


# Who manages, heads and works where, as kept in the cache for each person (their layout roles, the teams near them):
# moved on whenever a membership, a department's heads or a team's department changes (see signals.py).
MEMBERSHIPS_GENERATION_KEY = "memberships-generation"
# A backstop for changes that send no signal: kept no longer than this.
PER_PERSON_TTL = 5 * 60


def memberships_changed() -> None:
    next_generation(MEMBERSHIPS_GENERATION_KEY)


def layout_roles_for(request) -> dict[str, bool]:
    """`layout_roles` of the signed-in person, kept in the cache until a membership or a head changes: every page
    shows them."""
    user = request.user
    # The names' generation comes in the same round trip: the feed's cards and filters need it next.
    memberships, _names = generations(MEMBERSHIPS_GENERATION_KEY, NAMES_GENERATION_KEY)
    return kept(f"org:roles:{user.pk}:{memberships}", lambda: layout_roles(user=user), PER_PERSON_TTL)


def teams_near(*, user) -> list[tuple[int, str]]:
    """(id, name) of the teams in the departments a person works in or heads, by name: the feed's team menu when
    nothing is chosen. Kept in the cache until a membership, a head or a name changes."""
    memberships, names = generations(MEMBERSHIPS_GENERATION_KEY, NAMES_GENERATION_KEY)

    def read():
        # Two small subqueries rather than joins through every membership and head.
        near = Q(department_id__in=Membership.objects.filter(user=user).values("team__department_id")) | Q(
            department_id__in=Department.heads.through.objects.filter(user=user).values("department_id")
        )
        return list(Team.objects.filter(near).order_by("name").values_list("pk", "name"))

    return kept(f"org:teams-near:{user.pk}:{memberships}:{names}", read, PER_PERSON_TTL)


def teams_overseen_by(*, user) -> QuerySet[Team]:
    """The teams whose stories and numbers a person oversees: all of them for admins, else the teams they manage and
    every team in the departments they head."""
    if user.is_staff:
        return Team.objects.all()
    # Two small subqueries rather than joins through every membership and head (and a DISTINCT over them).
    return Team.objects.filter(
        Q(pk__in=Membership.objects.filter(user=user, role=Membership.Role.MANAGER).values("team_id"))
        | Q(department_id__in=Department.heads.through.objects.filter(user=user).values("department_id"))
    )


def _has_active_manager() -> Exists:
    return Exists(Membership.objects.filter(team=OuterRef("pk"), role=Membership.Role.MANAGER, user__is_active=True))


def stand_in_teams_for(*, user) -> QuerySet[Team]:
    """Teams left with no active manager (theirs left, or none was set) whose stories `user` takes until a new
    manager is set: a department head takes those of their departments; admins those whose department has no
    active head either. So a leaving manager never leaves a team without someone to approve."""
    if not user.is_authenticated:
        return Team.objects.none()
    takes = Q(department__heads=user)
    if user.is_staff:
        takes |= ~Exists(
            Department.heads.through.objects.filter(department=OuterRef("department"), user__is_active=True)
        )
    return Team.objects.filter(~_has_active_manager()).filter(takes).distinct()


def teams_acted_on_by(*, user) -> QuerySet[Team]:
    """The teams whose stories a person approves, celebrates and reviews: those they manage, and those they stand
    in for (see `stand_in_teams_for`)."""
    return Team.objects.filter(
        Q(pk__in=teams_managed_by(user=user).values("pk")) | Q(pk__in=stand_in_teams_for(user=user).values("pk"))
    )


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
