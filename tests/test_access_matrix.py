"""Who may open what: every URL of the URL conf, for every role, answers as this table says.

The table is checked against the URL conf itself, so a new URL without an entry here fails the test. Each URL is
requested the way it is used (GET for pages, POST for actions, inside a transaction that is rolled back), with the
objects of one team: a story, a private trust statement, the team's digest. And no page anyone may open shows what
is private to one person (a trust statement addressed to them, their story's customer reference) to someone else.
"""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.digests.models import Digest
from apps.digests.services import edition_build
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    ReviewFactory,
    TeamFactory,
    TrustStatementFactory,
    UserFactory,
    agent,
    department_head,
    manager,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEEK = datetime.date(2026, 11, 16)
WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest of week 47 goes out on Monday at 08:00

ROLES = ("anonymous", "agent", "teammate", "other_agent", "manager", "other_manager", "head", "admin")
# Who may read what is private to `agent` (in their team): themselves, the team's managers, its department's heads and
# admins.
PRIVATE_READERS = {"agent", "manager", "head", "admin"}
PRIVATE_TRUST = "I trust you, Ana, with refunds up to 120 when a parcel is lost twice."
CUSTOMER_REFERENCE = "CASE-77310"

# URL name → (method, object, expected status per role, in the order of ROLES).
# `agent` wrote the story and is addressed by the private trust statement; `teammate` works in the same team;
# `manager` manages it; `head` heads its department; `other_*` belong to a team of another department.
# Objects: "story" (the agent's submitted story), "shared" (their approved story, covered by the private statement),
# "reviewed" (a story under review), "team", "statement" (the private trust statement), "digest" (the team's digest),
# "person" (the agent, on the admins' people pages), "department" (the team's), "category" (the story's); any other
# id in a URL is 0, which exists nowhere.
# 302 means "sent elsewhere" (for anonymous visitors: to sign in, which test_login_required checks; for two-factor
# pages: to confirm one's password first). 404 on two-factor pages: nothing to show before it is set up. A security
# key's pages are asked with the story's id: nobody has a key of that id to edit or remove.
# fmt: off
EXPECTED = {
    #                                                                 anon agent mate other mgr omgr head admin
    "/accounts/social/connections/":          ("get", None,          "302 301 301 301 301 301 301 301"),
    "/accounts/social/login/cancelled/":      ("get", None,          "302 301 301 301 301 301 301 301"),
    "/accounts/social/login/error/":          ("get", None,          "302 301 301 301 301 301 301 301"),
    "/accounts/social/signup/":               ("get", None,          "302 301 301 301 301 301 301 301"),
    "api:digest":                             ("get", "digest",      "401 200 200 200 200 200 200 200"),
    "api:digests":                            ("get", None,          "401 200 200 200 200 200 200 200"),
    "api:docs":                               ("get", None,          "401 200 200 200 200 200 200 200"),
    "api:endorsement":                        ("post", "shared",     "401 403 201 201 201 201 201 201"),
    "api:leaderboard":                        ("get", None,          "401 404 404 404 404 404 404 404"),
    "api:ledger":                             ("get", None,          "401 403 403 403 200 200 200 200"),
    "api:not_found":                          ("get", None,          "401 404 404 404 404 404 404 404"),
    "api:schema":                             ("get", None,          "401 200 200 200 200 200 200 200"),
    "api:stories":                            ("get", None,          "401 200 200 200 200 200 200 200"),
    "api:story":                              ("get", "story",       "401 200 200 404 200 404 200 200"),
    "api_tokens:personal":                    ("get", None,          "302 200 200 200 200 200 200 200"),
    "api_tokens:personal_revoke":             ("post", None,         "302 404 404 404 404 404 404 404"),
    "api_tokens:service":                     ("get", None,          "302 403 403 403 403 403 403 200"),
    "api_tokens:service_revoke":              ("post", None,         "302 403 403 403 403 403 403 404"),
    "account_change_password":                ("get", None,          "302 200 200 200 200 200 200 200"),
    "account_confirm_email":                  ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_confirm_login_code":             ("get", None,          "302 302 302 302 302 302 302 302"),
    "account_email":                          ("get", None,          "302 200 200 200 200 200 200 200"),
    "account_email_verification_sent":        ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_inactive":                       ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_login":                          ("get", None,          "200 302 302 302 302 302 302 302"),
    "account_logout":                         ("get", None,          "302 200 200 200 200 200 200 200"),
    "account_reauthenticate":                 ("get", None,          "302 200 200 200 200 200 200 200"),
    "account_reset_password":                 ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_reset_password_done":            ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_reset_password_from_key":        ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_reset_password_from_key_done":   ("get", None,          "200 200 200 200 200 200 200 200"),
    "account_set_password":                   ("get", None,          "302 302 302 302 302 302 302 302"),
    "account_signup":                         ("get", None,          "200 302 302 302 302 302 302 302"),
    "accounts:my_data":                       ("get", None,          "302 200 200 200 200 200 200 200"),
    "accounts:profile":                       ("get", None,          "302 200 200 200 200 200 200 200"),
    "accounts:set_language":                  ("post", None,         "302 302 302 302 302 302 302 302"),
    "can_i:page":                             ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:coverage_hint":                ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:create":                       ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:detail":                       ("get", "shared",      "302 200 200 200 200 200 200 200"),
    "decisions:edit":                         ("get", "story",       "302 200 403 404 403 404 403 403"),
    "decisions:manage_rules":                 ("get", None,          "302 403 403 403 302 302 403 403"),
    "decisions:mine":                         ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:outcome":                      ("post", "story",      "302 403 403 404 403 404 403 403"),
    "decisions:playbook":                     ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:playbook_acknowledge":         ("post", None,         "302 302 302 302 302 302 302 302"),
    "decisions:precedents":                   ("get", None,          "302 200 200 200 200 200 200 200"),
    "decisions:team_rules":                   ("get", "team",        "302 403 403 403 200 403 403 403"),
    "decisions:trust_end":                    ("post", "statement",  "302 403 403 403 302 403 403 403"),
    "decisions:withdraw":                     ("get", "story",       "302 200 403 404 403 404 403 403"),
    "digest_unsubscribe":                     ("get", None,          "400 400 400 400 400 400 400 400"),
    "digests:detail":                         ("get", "digest",      "302 200 200 200 200 200 200 200"),
    "digests:list":                           ("get", None,          "302 200 200 200 200 200 200 200"),
    "digests:week":                           ("get", "digest",      "302 200 200 200 200 200 200 200"),
    "digests:preview":                        ("get", None,          "302 403 403 403 403 403 403 200"),
    "digests:preview_html":                   ("get", None,          "302 403 403 403 403 403 403 404"),
    "healthz":                                ("get", None,          "200 200 200 200 200 200 200 200"),
    "home":                                   ("get", None,          "302 200 200 200 200 200 200 200"),
    "integrations:channel_create":            ("get", None,          "302 403 403 403 403 403 403 200"),
    "integrations:channel_delete":            ("post", None,         "302 403 403 403 403 403 403 404"),
    "integrations:channel_edit":              ("get", None,          "302 403 403 403 403 403 403 404"),
    "integrations:channel_test":              ("post", None,         "302 403 403 403 403 403 403 404"),
    "integrations:help_desk":                 ("post", None,         "302 403 403 403 403 403 403 302"),
    "integrations:index":                     ("get", None,          "302 403 403 403 403 403 403 200"),
    "integrations:webhook_create":            ("get", None,          "302 403 403 403 403 403 403 200"),
    "integrations:webhook_delete":            ("post", None,         "302 403 403 403 403 403 403 404"),
    "integrations:webhook_edit":              ("get", None,          "302 403 403 403 403 403 403 404"),
    "integrations:webhook_test":              ("post", None,         "302 403 403 403 403 403 403 404"),
    "insights:adopt_limit":                   ("post", None,         "302 404 404 404 404 404 404 404"),
    "insights:autonomy":                      ("get", None,          "302 403 403 403 200 200 200 200"),
    "insights:calibration":                   ("get", None,          "302 403 403 403 200 200 200 200"),
    "insights:index":                         ("get", None,          "302 302 302 302 302 302 302 302"),
    "insights:ledger":                        ("get", None,          "302 403 403 403 200 200 200 200"),
    "insights:managers":                      ("get", None,          "302 403 403 403 200 200 200 200"),
    "insights:mine":                          ("get", None,          "302 200 200 200 200 200 200 200"),
    "insights:reach":                         ("get", None,          "302 403 403 403 200 200 200 200"),
    "leaderboards:index":                     ("get", None,          "302 200 200 200 200 200 200 200"),
    "leaderboards:teams":                     ("get", None,          "302 200 200 200 200 200 200 200"),
    "mfa_activate_totp":                      ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_add_webauthn":                       ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_authenticate":                       ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_deactivate_totp":                    ("get", None,          "302 404 404 404 404 404 404 404"),
    "mfa_download_recovery_codes":            ("get", None,          "302 404 404 404 404 404 404 404"),
    "mfa_edit_webauthn":                      ("get", "story",       "302 302 302 302 302 302 302 302"),
    "mfa_generate_recovery_codes":            ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_index":                              ("get", None,          "302 200 200 200 200 200 200 200"),
    "mfa_list_webauthn":                      ("get", None,          "302 200 200 200 200 200 200 200"),
    "mfa_reauthenticate":                     ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_reauthenticate_webauthn":            ("get", None,          "302 302 302 302 302 302 302 302"),
    "mfa_remove_webauthn":                    ("get", "story",       "302 302 302 302 302 302 302 302"),
    "mfa_view_recovery_codes":                ("get", None,          "302 404 404 404 404 404 404 404"),
    "openid_connect_callback":                ("get", None,          "404 404 404 404 404 404 404 404"),
    "openid_connect_login":                   ("get", None,          "404 404 404 404 404 404 404 404"),
    "recognition:approve":                    ("post", "story",      "302 403 403 404 302 404 403 403"),
    "recognition:approve_covered":            ("post", None,         "302 403 403 403 302 302 403 403"),
    "recognition:audit":                      ("get", None,          "302 403 403 403 403 403 403 200"),
    "recognition:celebrate":                  ("get", "story",       "302 403 403 404 200 404 403 403"),
    "recognition:endorse":                    ("post", "story",      "302 403 302 404 302 404 302 302"),
    "recognition:endorse_comment":            ("post", "story",      "302 400 400 404 400 404 400 400"),
    "recognition:notifications":              ("get", None,          "302 200 200 200 200 200 200 200"),
    "recognition:queue":                      ("get", None,          "302 403 403 403 200 200 200 200"),
    "recognition:return":                     ("post", "story",      "302 403 403 404 302 404 403 403"),
    "recognition:review":                     ("get", "reviewed",    "302 200 404 404 200 404 404 200"),
    "recognition:review_close":               ("post", "reviewed",   "302 403 404 404 400 404 404 403"),
    "recognition:review_open":                ("get", "reviewed",    "302 403 403 403 200 403 403 403"),
    "recognition:review_request":             ("get", "reviewed",    "302 200 403 403 403 403 403 403"),
    "recognition:review_share":               ("post", "reviewed",   "302 302 404 404 403 404 404 403"),
    "recognition:unendorse":                  ("post", "story",      "302 302 302 404 302 404 302 302"),
    "scim:group":                             ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:groups":                            ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:resource_type":                     ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:resource_types":                    ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:schema":                            ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:schemas":                           ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:service_provider_config":           ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:user":                              ("get", None,          "401 401 401 401 401 401 401 401"),
    "scim:users":                             ("get", None,          "401 401 401 401 401 401 401 401"),
    "setup:categories":                       ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:category":                         ("get", "category",    "302 403 403 403 403 403 403 200"),
    "setup:checklist":                        ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:department":                       ("get", "department",  "302 403 403 403 403 403 403 200"),
    "setup:department_delete":                ("post", "department", "302 403 403 403 403 403 403 302"),
    "setup:departments":                      ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:import":                           ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:import_confirm":                   ("post", None,         "302 403 403 403 403 403 403 404"),
    "setup:import_preview":                   ("get", None,          "302 403 403 403 403 403 403 404"),
    "setup:import_progress":                  ("get", None,          "302 403 403 403 403 403 403 404"),
    "setup:import_template":                  ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:invitation_resend":                ("post", "person",     "302 403 403 403 403 403 403 302"),
    "setup:membership_remove":                ("post", "person",     "302 403 403 403 403 403 403 404"),
    "setup:organisation":                     ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:people":                           ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:person":                           ("get", "person",      "302 403 403 403 403 403 403 200"),
    "setup:person_add":                       ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:person_erase":                     ("post", "person",     "302 403 403 403 403 403 403 302"),
    "setup:person_set_active":                ("post", "person",     "302 403 403 403 403 403 403 302"),
    "setup:provisioning":                     ("get", None,          "302 403 403 403 403 403 403 200"),
    "setup:scim_token_revoke":                ("post", None,         "302 403 403 403 403 403 403 404"),
    "setup:team":                             ("get", "team",        "302 403 403 403 403 403 403 200"),
    "setup:teams":                            ("get", None,          "302 403 403 403 403 403 403 200"),
    "socialaccount_connections":              ("get", None,          "302 200 200 200 200 200 200 200"),
    "socialaccount_login_cancelled":          ("get", None,          "200 200 200 200 200 200 200 200"),
    "socialaccount_login_error":              ("get", None,          "302 401 401 401 401 401 401 401"),
    "socialaccount_signup":                   ("get", None,          "302 302 302 302 302 302 302 302"),
    "welcome:accept_invitation":              ("get", None,          "410 410 410 410 410 410 410 410"),
    "welcome:index":                          ("get", None,          "302 200 200 200 200 200 200 200"),
}
# fmt: on

ADMIN_NAMESPACE = "admin:"


def _routes(patterns, prefix="", namespace=""):
    """(key, route) for every URL pattern: its namespaced name, or its route when it has none."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield f"{namespace}{pattern.name or '/' + route}", route


def _all_keys() -> list[str]:
    return sorted({key for key, _route in _routes(get_resolver().url_patterns)})


@pytest.fixture
def world(db):
    """Two departments with one team each, everyone of ROLES, a story, a private trust statement, a digest."""
    with time_machine.travel(WHEN, tick=False):
        team = TeamFactory(name="Returns", department=DepartmentFactory(name="Care"))
        other_team = TeamFactory(name="Sales", department=DepartmentFactory(name="Growth"))
        people = {
            "anonymous": None,
            "agent": agent(team, first_name="Ana", last_name="García"),
            "teammate": agent(team, first_name="Tom", last_name="Becker"),
            "other_agent": agent(other_team, first_name="Olu", last_name="Adeyemi"),
            "manager": manager(team, first_name="Grace", last_name="Okafor"),
            "other_manager": manager(other_team, first_name="Omar", last_name="Haddad"),
            "head": department_head(team.department, first_name="Hana", last_name="Sato"),
            "admin": UserFactory(is_staff=True, is_superuser=True, first_name="Morgan", last_name="Lee"),
        }
        category = GuardrailFactory(category=CategoryFactory(name="Refund")).category
        statement = TrustStatementFactory(
            team=team,
            author=people["manager"],
            agent=people["agent"],
            text=PRIVATE_TRUST,
            category=category,
            raised_limit=Decimal("120"),
            starts_on=WHEN.date() - datetime.timedelta(days=1),
        )
        shared = DecisionFactory(
            author=people["agent"],
            category=category,
            cost=Decimal("100"),
            customer_reference=CUSTOMER_REFERENCE,
            covered=True,
            coverage="trust",
            limit_in_force=Decimal("120"),
            covering_trust_statement=statement,
            approved=True,
            approved_by=people["manager"],
        )
        story = DecisionFactory(author=people["agent"], category=category, customer_reference=CUSTOMER_REFERENCE)
        reviewed = DecisionFactory(
            author=people["agent"], category=category, approved=True, approved_by=people["manager"]
        )
        ReviewFactory(decision=reviewed, opened_by=people["manager"])
    edition = edition_build(week_start=WEEK, now=AFTER)
    objects = {
        "story": story,
        "shared": shared,
        "reviewed": reviewed,
        "team": team,
        "statement": statement,
        "digest": Digest.objects.get(edition=edition, team=team),
        "person": people["agent"],
        "department": team.department,
        "category": category,
    }
    return people, objects


def _path(key: str, route: str, obj) -> str:
    """The URL's address, with `obj`'s id for its id, 0 (nothing) for any other id, and "x" for anything else."""
    kwargs = {}
    for converter, name, regex_name in re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>", route):
        name = name or regex_name
        if obj is not None and name in ("pk", "team_id", "object_id"):
            kwargs[name] = obj.pk
        else:
            kwargs[name] = 0 if converter in ("id", "int") else "x"
    if ":/" in key or key.startswith("/"):  # an unnamed route: a redirect of allauth's or the admin's
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    return reverse(key, kwargs=kwargs)


class Rollback(Exception):
    pass


def _request(client, person, method: str, path: str):
    client.logout()
    if person is not None:
        client.force_login(person)
    try:
        with transaction.atomic():
            response = getattr(client, method)(path)
            raise Rollback
    except Rollback:
        return response


def test_every_url_has_an_expected_access_entry():
    routed = {key for key in _all_keys() if not key.startswith(ADMIN_NAMESPACE)}

    assert sorted(routed - EXPECTED.keys()) == [], "URLs without an expected-access entry in EXPECTED"
    assert sorted(EXPECTED.keys() - routed) == [], "entries in EXPECTED for URLs that no longer exist"


def test_every_role_gets_what_the_table_says_and_nothing_private_to_someone_else(client, world):
    people, objects = world
    routes = dict(_routes(get_resolver().url_patterns))
    wrong = []
    leaks = []
    with time_machine.travel(AFTER, tick=False):
        for key, (method, object_name, statuses) in EXPECTED.items():
            obj = objects.get(object_name)
            path = _path(key, routes[key], obj)
            for role, expected in zip(ROLES, statuses.split(), strict=True):
                response = _request(client, people[role], method, path)
                if response.status_code != int(expected):
                    wrong.append(f"{key} {role}: {response.status_code}, expected {expected}")
                if role not in PRIVATE_READERS and response.status_code == 200:
                    page = response.content.decode(errors="replace")
                    if PRIVATE_TRUST in page or CUSTOMER_REFERENCE in page:
                        leaks.append(f"{key} {role}")

    assert wrong == []
    assert leaks == []


def test_nobody_but_admins_opens_the_admin(client, world):
    people, objects = world
    models = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    for key, route in _routes(get_resolver().url_patterns):
        if not key.startswith(ADMIN_NAMESPACE) or "(?P" in route and "object_id" not in route:
            continue
        model = next((m for name, m in models.items() if key.startswith(f"{ADMIN_NAMESPACE}{name}_")), None)
        obj = model.objects.order_by("pk").first() if model is not None else None
        path = _path(key, route, obj)
        for role in ("anonymous", "manager", "head", "admin"):  # the admin asks only "staff or not?"
            response = _request(client, people[role], "get", path)
            if role == "admin":
                assert response.status_code < 500, key
            else:
                assert response.status_code in (302, 403, 405), (key, role)
