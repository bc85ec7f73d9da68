"""Every page of Leeway, for every role and language: the list that the accessibility and HTML-validity tests walk.

The list is derived from the URL conf through the access table of `tests/test_access_matrix.py` (which every URL
must have): every GET page that a role may open (answers 200 with an HTML document) is checked, so a new page is
checked as soon as it is routed. Added to that: the tabs of the leaderboards, the error pages, and the main forms
shown with their errors. The data is demo-like (a celebrated week, endorsements, a digest, leaderboard snapshots, a
review), built with the factories.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import get_resolver

from apps.digests.emails import unsubscribe_token
from apps.digests.models import Digest
from apps.digests.services import digest_moment, edition_build, week_start_of
from apps.leaderboards.services import badges_award, leaderboards_refresh
from apps.org.models import Organisation
from tests.factories import (
    DecisionFactory,
    EndorsementFactory,
    TrustStatementFactory,
    UserFactory,
    a_week_to_celebrate,
    department_head,
)
from tests.test_access_matrix import EXPECTED, _path, _routes
from tests.test_access_matrix import ROLES as MATRIX_ROLES

ROLES = ("anonymous", "agent", "manager", "head", "admin", "no_team")
# The column of the access table that says what each role may open (a person in no team opens what an agent of
# another team opens: nothing of this team's but what is shared).
MATRIX_ROLE = {
    "anonymous": "anonymous",
    "agent": "agent",
    "manager": "manager",
    "head": "head",
    "admin": "admin",
    "no_team": "other_agent",
}
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

# GET addresses in the access table that are not pages a person reads: downloads, fragments that htmx swaps into a
# page (checked inside the page that holds them), redirects, machine interfaces and the email previewed in a frame
# (emails have their own tests).
NOT_PAGES = {
    "healthz": "a health check for load balancers (JSON)",
    "accounts:my_data": "a ZIP download",
    "setup:import_template": "a CSV download",
    "decisions:coverage_hint": "a fragment of the story form",
    "decisions:precedents": "a fragment of the story form",
    "digests:preview_html": "the email itself, shown in a frame of the preview page",
    "setup:import_progress": "a fragment of the import page",
    "insights:index": "a redirect to the first insights page",
}
# The REST API answers JSON to programs; its documentation page is drf-spectacular's Swagger UI, written by others.
NOT_PAGE_PREFIXES = ("api:",)

# The leaderboards' tabs and filters, beyond their first view.
EXTRA_PAGES = {
    "agent": [
        "/leaderboards/?period=this-month",
        "/leaderboards/?period=all-time",
        "/leaderboards/teams/?period=last-week",
    ],
    "manager": ["/leaderboards/?period=this-quarter", "/insights/ledger/?period=quarter"],
    "admin": ["/setup/people/?q=a", "/setup/departments/?q=zz&without_head=on", "/setup/teams/?without_manager=on"],
}
# Error pages, as the roles meet them.
ERROR_PAGES = {
    "anonymous": ["/no-such-page/"],
    "agent": ["/setup/", "/no-such-page/"],
}


@dataclass
class World:
    people: dict
    objects: dict
    unsubscribe: str = ""
    extra: dict = field(default_factory=dict)


def build_world(*, now: datetime.datetime) -> World:
    """A team's celebrated week (last week's digest built), this week's stories and endorsements, leaderboard
    snapshots, a department head, an admin and a person in no team."""
    org = Organisation.current()
    monday = week_start_of(now, org) - datetime.timedelta(weeks=1)
    moment = digest_moment(org, monday)
    week = a_week_to_celebrate(when=moment - datetime.timedelta(days=1))
    team = week["team"]
    mei, boss = week["mei"], week["manager"]
    category = week["celebrated"].category
    people = {
        "anonymous": None,
        "agent": mei,
        "manager": boss,
        "head": department_head(team.department, first_name="Hana", last_name="Sato"),
        "admin": UserFactory(is_staff=True, is_superuser=True, first_name="Morgan", last_name="Lee"),
        "no_team": UserFactory(first_name="Nico", last_name="Lindqvist"),
    }
    recent = now - datetime.timedelta(hours=2)
    statement = TrustStatementFactory(
        team=team,
        author=boss,
        agent=mei,
        text="I trust you, Mei, with refunds up to 120 when a parcel is lost twice.",
        category=category,
        raised_limit=Decimal("120"),
        starts_on=recent.date() - datetime.timedelta(days=1),
    )
    story = DecisionFactory(author=mei, category=category, cost=Decimal("80.00"), created_at=recent)
    shared = DecisionFactory(
        author=mei,
        category=category,
        cost=Decimal("42.50"),
        covered=True,
        coverage="organisation",
        approved=True,
        approved_by=boss,
        approved_at=recent,
        created_at=recent,
        happened_on=recent.date(),
    )
    EndorsementFactory(decision=shared, endorser=week["tom"], created_at=recent)
    EndorsementFactory(decision=shared, endorser=week["ana"], comment="Exactly right.", created_at=recent)
    edition = edition_build(week_start=monday, now=moment + datetime.timedelta(minutes=1))
    leaderboards_refresh(now=now)
    badges_award()
    objects = {
        "story": story,
        "shared": shared,
        "reviewed": week["reviewed"],
        "team": team,
        "statement": statement,
        "digest": Digest.objects.filter(edition=edition, team=team).first(),
        "person": mei,
        "department": team.department,
        "category": category,
    }
    return World(people=people, objects=objects, unsubscribe=unsubscribe_token(mei))


@dataclass
class Page:
    name: str  # the URL's name, or what the page is
    path: str
    status: int
    html: str
    form: dict | None = None  # for a form shown with errors: the data posted


def set_language(client, person, language: str) -> None:
    """Choose the language the way the app does: a signed-in person's profile, the language cookie otherwise."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if person is not None:
        type(person).objects.filter(pk=person.pk).update(language=language)


def page_addresses(world: World, role: str) -> list[tuple[str, str]]:
    """(name, address) of every GET page in the access table, with the objects of the world's team."""
    routes = dict(_routes(get_resolver().url_patterns))
    addresses = []
    column = MATRIX_ROLES.index(MATRIX_ROLE[role])
    for key, (method, object_name, statuses) in sorted(EXPECTED.items()):
        if key == "digest_unsubscribe":
            addresses.append((key, f"/unsubscribe/{world.unsubscribe}/"))
            continue
        if (
            method != "get"
            or key in NOT_PAGES
            or key.startswith(NOT_PAGE_PREFIXES)
            or statuses.split()[column] != "200"
        ):
            continue
        addresses.append((key, _path(key, routes[key], world.objects.get(object_name))))
    addresses += [(path, path) for path in EXTRA_PAGES.get(role, [])]
    addresses += [(f"error {path}", path) for path in ERROR_PAGES.get(role, [])]
    return addresses


# The main forms, posted empty or wrong, so that they come back with their error messages.
FORMS_WITH_ERRORS = {
    "agent": [("decisions:create", "/stories/new/", {"situation": "", "cost": "-3"})],
    "manager": [("accounts:profile", "/me/profile/", {"first_name": "", "language": "xx"})],
    "admin": [
        ("setup:organisation", "/setup/organisation/", {"name": "", "currency": "", "time_zone": "Mars/Base"}),
        ("setup:teams", "/setup/teams/", {"name": "", "department": "", "managers_add": "nobody, someone@else"}),
    ],
    "anonymous": [("account_signup", "/accounts/signup/", {"email": "not-an-email", "password1": "short"})],
}


def _is_page(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and b"<!DOCTYPE html>" in response.content[:200]


def pages_for(client, world: World, role: str, language: str) -> list[Page]:
    """Every page `role` reads in `language`, with its HTML (as the test client renders it)."""
    person = world.people[role]
    client.logout()
    if person is not None:
        client.force_login(person)
    set_language(client, person, language)
    pages = []
    for name, path in page_addresses(world, role):
        response = client.get(path)
        if (response.status_code == 200 or name.startswith("error ")) and _is_page(response):
            pages.append(Page(name, path, response.status_code, response.content.decode()))
    for name, path, data in FORMS_WITH_ERRORS.get(role, []):
        try:
            with transaction.atomic():
                response = client.post(path, data)
                raise _Rollback
        except _Rollback:
            pass
        assert response.status_code == 200, f"{path} posted with errors answered {response.status_code}"
        pages.append(Page(f"{name} with errors", path, 200, response.content.decode(), form=data))
    return pages


class _Rollback(Exception):
    pass
