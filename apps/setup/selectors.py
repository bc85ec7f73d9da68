"""Setup's reads: the first-run checklist and the people list, each in a constant number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.decisions.models import Category, Guardrail
from apps.org.models import Department, Membership, Organisation, Team

from .models import Newcomer

DEFAULT_ORGANISATION_NAME = "Leeway"  # what Organisation.current() creates on a fresh installation


@dataclass
class Step:
    title: str
    description: str
    url: str
    done: bool
    warnings: list[str] = field(default_factory=list)


def _active_managers() -> QuerySet[Membership]:
    return Membership.objects.filter(team=OuterRef("pk"), role=Membership.Role.MANAGER, user__is_active=True)


def _active_heads() -> QuerySet[User]:
    return User.objects.filter(is_active=True, headed_departments=OuterRef("pk"))


def teams_without_manager() -> QuerySet[Team]:
    """Teams where nobody active can approve: their stories go to the department's heads, or else to admins."""
    return (
        Team.objects.filter(~Exists(_active_managers()))
        .select_related("department")
        .prefetch_related(Prefetch("department__heads", queryset=User.objects.filter(is_active=True)))
        .order_by("department__name", "name")
    )


def people_without_team() -> QuerySet[User]:
    """Active people who are in no team, head no department and are not admins: they cannot log a story yet."""
    return User.objects.filter(_in_no_team_and_heading_nothing(), is_active=True, is_staff=False).order_by(
        "first_name", "last_name", "email"
    )


def _in_no_team_and_heading_nothing() -> Q:
    # NOT EXISTS, not a LEFT JOIN … IS NULL: PostgreSQL expected one such person and looked up every person's teams
    # one by one (9 ms at 10,000 agents); an anti-join reads them at once.
    heads = Department.heads.through.objects.filter(user=OuterRef("pk"))
    return Q(~Exists(Membership.objects.filter(user=OuterRef("pk"))), ~Exists(heads))


# The checklist names this many teams without a manager and people in no team, and counts the rest.
CHECKLIST_NAMES = 20


def _first_people_without_team() -> list[User]:
    """The first CHECKLIST_NAMES people in no team, by name, each carrying how many there are in all (`of`), in one
    statement. They are found first and ordered after (MATERIALIZED): asked for the first twenty by name, PostgreSQL
    walked every person in name order looking up their teams one by one, to find none (16 ms at 10,000 agents,
    against 6 ms for reading both tables at once)."""
    found_sql, params = people_without_team().order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(User._meta.db_table)
    materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""  # SQLite reads a CTE once anyway
    return list(
        User.objects.raw(
            f"WITH teamless AS {materialized} ({found_sql}) "
            f"SELECT person.*, COUNT(*) OVER () AS of FROM {table} AS person "
            f"WHERE person.{connection.ops.quote_name(User._meta.pk.column)} IN (SELECT * FROM teamless) "
            "ORDER BY person.first_name, person.last_name, person.email LIMIT %s",
            [*params, CHECKLIST_NAMES],
        )
    )


def setup_checklist() -> list[Step]:
    """The first-run checklist: what is done and what still needs the admin. Nine queries whatever the size."""
    organisation = Organisation.current()
    department_count = Department.objects.count()
    headless = Department.objects.filter(~Exists(_active_heads())).count()
    team_count = Team.objects.count()
    # Each row also carries how many there are in all (a window, counted before the LIMIT): no query more.
    unmanaged = list(teams_without_manager().annotate(of=Window(Count("pk")))[:CHECKLIST_NAMES])
    unmanaged_count = unmanaged[0].of if unmanaged else 0
    categories = Category.objects.filter(is_active=True)
    category_count = categories.count()
    unguarded = categories.exclude(Exists(Guardrail.objects.filter(category=OuterRef("pk")))).count()
    people = User.objects.filter(is_active=True, is_staff=False).exists()
    teamless = _first_people_without_team()
    teamless_count = teamless[0].of if teamless else 0

    team_warnings = []
    for team in unmanaged:
        heads = ", ".join(h.display_name for h in team.department.heads.all())
        if heads:
            team_warnings.append(
                _("%(team)s has no manager: its stories go to %(heads)s, head of %(department)s.")
                % {"team": team.name, "heads": heads, "department": team.department.name}
            )
        else:
            team_warnings.append(_("%(team)s has no manager: its stories go to the admins.") % {"team": team.name})
    if more := unmanaged_count - len(unmanaged):
        team_warnings.append(
            ngettext("And %(count)s more team without a manager.", "And %(count)s more teams without a manager.", more)
            % {"count": more}
        )
    people_warnings = [
        _("%(name)s is in no team yet, so cannot log a story.") % {"name": person.display_name} for person in teamless
    ]
    if more := teamless_count - len(teamless):
        people_warnings.append(
            ngettext("And %(count)s more person in no team.", "And %(count)s more people in no team.", more)
            % {"count": more}
        )
    return [
        Step(
            _("Organisation settings"),
            _("Name, currency, customer lifetime value, digest day and time, time zone."),
            reverse("setup:organisation"),
            organisation.name != DEFAULT_ORGANISATION_NAME,
        ),
        Step(
            _("Departments and their heads"),
            _("Each department's heads oversee its teams and stand in for a team without a manager."),
            # What is left to do opens its list filtered: three departments without a head among a hundred.
            reverse("setup:departments") + ("?without_head=on" if headless else ""),
            department_count > 0 and headless == 0,
            [_("%(count)s department(s) without a head.") % {"count": headless}] if headless else [],
        ),
        Step(
            _("Teams and their managers"),
            _("Every team needs someone to approve its stories."),
            reverse("setup:teams") + ("?without_manager=on" if unmanaged else ""),
            team_count > 0 and not unmanaged,
            team_warnings,
        ),
        Step(
            _("Categories and guardrails"),
            _("The kinds of decisions and the cost under which agents decide alone."),
            reverse("setup:categories"),
            category_count > 0 and unguarded == 0,
            [_("%(count)s category(ies) without a guardrail.") % {"count": unguarded}] if unguarded else [],
        ),
        Step(
            _("People"),
            _("Add people one by one or import a CSV file; each gets an invitation by email."),
            reverse("setup:people") + ("?role=none" if teamless else ""),
            people and not teamless,
            people_warnings,
        ),
    ]


ROLE_FILTERS = {
    "agent": Q(memberships__role=Membership.Role.AGENT),
    "manager": Q(memberships__role=Membership.Role.MANAGER),
    "department_head": Q(headed_departments__isnull=False),
    "admin": Q(is_staff=True),
    "none": _in_no_team_and_heading_nothing() & Q(is_staff=False),
}


def people_list(
    *,
    search: str = "",
    department: Department | None = None,
    team: Team | None = None,
    role: str = "",
    active: str = "yes",
    signed_in: str = "",
) -> QuerySet[User]:
    """People for the admin's list, with their teams and invitation: three queries per page whatever the size."""
    people = User.objects.all()
    if signed_in == "never":
        people = people.filter(last_login__isnull=True)
    elif signed_in.isdigit():
        people = people.filter(
            Q(last_login__isnull=True) | Q(last_login__lt=timezone.now() - datetime.timedelta(days=int(signed_in)))
        )
    if search:
        for word in search.split():
            people = people.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
    # Filters through memberships or departments can match a person more than once: only they need DISTINCT (over
    # every column of ten thousand people, it cost more than the rest of the page).
    joined = False
    if department is not None:  # its teams' members and its heads: subqueries, so no row is repeated
        people = people.filter(
            Q(pk__in=Membership.objects.filter(team__department=department).values("user_id"))
            | Q(pk__in=Department.heads.through.objects.filter(department=department).values("user_id"))
        )
    if team is not None:
        people, joined = people.filter(memberships__team=team), True
    if role in ROLE_FILTERS:
        # Only the team roles join rows that could repeat a person; "admin" and "none" are conditions on the person.
        people, joined = people.filter(ROLE_FILTERS[role]), joined or role not in ("admin", "none")
    if active in ("yes", "no"):
        people = people.filter(is_active=active == "yes")
    return (
        (people.distinct() if joined else people)
        .select_related("invitation")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team").order_by("role", "team__name")),
            "headed_departments",
        )
        .order_by("first_name", "last_name", "email")
    )


def person_teams(*, user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("team", "team__department").order_by("role"))


def is_newcomer(*, user) -> bool:
    return Newcomer.objects.filter(user=user, welcomed_at__isnull=True).exists()


def departments_list(*, search: str = "", without_head: bool = False) -> QuerySet[Department]:
    """Departments with their active heads and how many teams they hold: three queries per page whatever the size
    (the count, the page, its heads)."""
    departments = Department.objects.annotate(
        team_count=Count("teams"),
        has_head=Exists(_active_heads()),
    )
    if search:
        departments = departments.filter(name__icontains=search)
    if without_head:
        departments = departments.filter(has_head=False)
    # In name order: an aggregate leaves Meta.ordering out.
    return departments.order_by("name", "pk").prefetch_related(
        Prefetch("heads", queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"))
    )


def teams_list(
    *, search: str = "", department: Department | None = None, without_manager: bool = False
) -> QuerySet[Team]:
    """Teams with their department and active managers, flagged when nobody active can approve (as the checklist
    does): two queries per page whatever the size."""
    teams = Team.objects.select_related("department")
    if search:
        teams = teams.filter(name__icontains=search)
    if department is not None:
        teams = teams.filter(department=department)
    if without_manager:
        teams = teams.filter(~Exists(_active_managers()))
    # Whether a team has a manager is read from the page's prefetched managers: as a column, PostgreSQL worked it out
    # for every team of the organisation to show fifty (5 ms at 10,000 agents).
    return teams.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(role=Membership.Role.MANAGER, user__is_active=True)
            .select_related("user")
            .order_by("user__first_name", "user__last_name"),
            to_attr="active_managers",
        )
    ).order_by("department__name", "name", "pk")


def categories_list() -> QuerySet[Category]:
    """Categories with their organisation guardrail (if any): one query whatever the size."""
    return Category.objects.select_related("guardrail").order_by("position", "name")
