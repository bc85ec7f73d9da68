"""Who reads and does what through the REST API: the pages' own rules, object by object, for a token of each role.

`agent` wrote the stories; `teammate` works in the same team; `other_agent` in a team of another department;
`manager` manages the team; `head` heads its department; `admin` is an admin; `service` is an admin's service token.
Not signed in or a bad token: 401. Not yours to see: 404. Yours to see, not to do (or a read-only token): 403.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.digests.services import edition_build
from apps.recognition.models import Endorsement
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    TeamFactory,
    UserFactory,
    agent,
    api_token,
    department_head,
    manager,
)

pytestmark = pytest.mark.django_db

ROLES = ("agent", "teammate", "other_agent", "manager", "head", "admin", "service")
REFERENCE = "CASE-4411"


@pytest.fixture
def world():
    team = TeamFactory(name="Returns", department=DepartmentFactory(name="Care"))
    other_team = TeamFactory(name="Sales", department=DepartmentFactory(name="Growth"))
    people = {
        "agent": agent(team, first_name="Ana"),
        "teammate": agent(team, first_name="Tom"),
        "other_agent": agent(other_team, first_name="Olu"),
        "manager": manager(team, first_name="Grace"),
        "head": department_head(team.department, first_name="Hana"),
        "admin": UserFactory(is_staff=True, first_name="Morgan"),
    }
    category = GuardrailFactory(category=CategoryFactory(name="Refund", slug="refund")).category
    submitted = DecisionFactory(author=people["agent"], category=category, customer_reference=REFERENCE)
    shared = DecisionFactory(author=people["agent"], category=category, customer_reference=REFERENCE, approved=True)
    DecisionFactory(author=people["other_agent"], category=category, approved=True, cost=Decimal("10"))
    tokens = {role: api_token(person) for role, person in people.items()}
    tokens["service"] = api_token(people["admin"], service=True)
    return {
        "people": people,
        "tokens": tokens,
        "submitted": submitted,
        "shared": shared,
        "team": team,
        "other_team": other_team,
        "category": category,
    }


def call(client, world, role, method, path, data=None):
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if role else {}
    return getattr(client, method)(path, data=data, headers=headers, content_type="application/json")


def statuses(client, world, method, path, data=None) -> dict:
    return {role: call(client, world, role, method, path, data).status_code for role in ROLES}


def test_without_a_token_every_endpoint_answers_401_json(client, world):
    paths = [
        reverse("api:stories"),
        reverse("api:story", args=[world["shared"].pk]),
        reverse("api:leaderboard", args=["people"]),
        reverse("api:digests"),
        reverse("api:ledger"),
        reverse("api:schema"),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 401, path
        if path != reverse("api:schema"):
            assert response["WWW-Authenticate"] == 'Bearer realm="api"'
            assert response.json()["detail"]


def test_a_submitted_story_is_read_by_its_team_and_those_who_lead_it_and_by_nobody_else(client, world):
    path = reverse("api:story", args=[world["submitted"].pk])

    assert statuses(client, world, "get", path) == {
        "agent": 200,
        "teammate": 200,
        "other_agent": 404,
        "manager": 200,
        "head": 200,
        "admin": 200,
        "service": 200,
    }
    assert call(client, world, "other_agent", "get", path).json() == {"detail": "Not found."}


def test_the_customer_reference_is_shown_to_the_story_page_s_readers_of_it_only(client, world):
    path = reverse("api:story", args=[world["shared"].pk])

    references = {role: call(client, world, role, "get", path).json()["customer_reference"] for role in ROLES}

    assert references == {
        "agent": REFERENCE,
        "teammate": None,
        "other_agent": None,
        "manager": REFERENCE,
        "head": REFERENCE,
        "admin": REFERENCE,
        "service": REFERENCE,
    }


def test_the_feed_holds_my_teams_submitted_stories_and_every_shared_one(client, world):
    def ids(role):
        return {story["id"] for story in call(client, world, role, "get", reverse("api:stories")).json()["results"]}

    assert world["submitted"].pk in ids("teammate")
    assert world["submitted"].pk not in ids("other_agent")
    assert world["shared"].pk in ids("other_agent")
    assert len(ids("service")) == len(ids("admin"))


def test_a_story_is_logged_with_a_read_write_personal_token_only(client, world):
    body = {
        "situation": "A parcel was lost twice and the customer wanted to cancel.",
        "justification": "Two losses in a row were our courier's fault, not the customer's.",
        "category": world["category"].pk,
        "cost": "20.00",
        "channel": "chat",
    }
    read_only = api_token(world["people"]["teammate"], scope="read")

    assert call(client, world, "agent", "post", reverse("api:stories"), body).status_code == 201
    denied = client.post(
        reverse("api:stories"), body, content_type="application/json", headers={"Authorization": f"Bearer {read_only}"}
    )
    assert denied.status_code == 403
    assert denied.json() == {"detail": "This token may only read."}
    assert call(client, world, "service", "post", reverse("api:stories"), body).status_code == 403


def test_endorsements_follow_the_story_page_s_rules(client, world):
    shared = reverse("api:endorsement", args=[world["shared"].pk])
    submitted = reverse("api:endorsement", args=[world["submitted"].pk])

    assert statuses(client, world, "post", shared, {"comment": "Good call"}) == {
        "agent": 403,
        "teammate": 201,
        "other_agent": 201,
        "manager": 201,
        "head": 201,
        "admin": 201,
        "service": 403,
    }
    assert call(client, world, "teammate", "post", shared).status_code == 200  # again: nothing changes
    assert call(client, world, "other_agent", "post", submitted).status_code == 404
    assert call(client, world, "other_agent", "delete", submitted).status_code == 404

    assert call(client, world, "teammate", "delete", shared).status_code == 204
    assert not Endorsement.objects.filter(decision=world["shared"], endorser=world["people"]["teammate"]).exists()
    # Taking back removes only one's own: the manager's stays.
    assert Endorsement.objects.filter(decision=world["shared"], endorser=world["people"]["manager"]).exists()
    assert call(client, world, "service", "delete", shared).status_code == 403


def test_the_roi_ledger_is_read_by_those_who_oversee_teams_for_their_teams_only(client, world):
    path = reverse("api:ledger")

    assert statuses(client, world, "get", path) == {
        "agent": 403,
        "teammate": 403,
        "other_agent": 403,
        "manager": 200,
        "head": 200,
        "admin": 200,
        "service": 200,
    }
    managed = call(client, world, "manager", "get", path).json()
    assert [row["team"] for row in managed["teams"]] == ["Returns · Care"]
    assert managed["totals"]["decisions"] == 2
    everything = call(client, world, "service", "get", path).json()
    assert sorted(row["team"] for row in everything["teams"]) == ["Returns · Care", "Sales · Growth"]
    assert everything["totals"]["decisions"] == 3
    other = f"{path}?scope=team-{world['other_team'].pk}"
    assert call(client, world, "manager", "get", other).status_code == 404
    assert call(client, world, "head", "get", other).status_code == 404
    assert call(client, world, "admin", "get", other).status_code == 200


def test_leaderboards_and_digests_are_read_by_everyone_signed_in(client, world):
    edition_build(week_start=datetime.date(2026, 11, 9), now=datetime.datetime(2026, 11, 16, 9, tzinfo=datetime.UTC))
    digests = call(client, world, "other_agent", "get", reverse("api:digests")).json()["results"]
    digest = reverse("api:digest", args=[digests[0]["id"]])

    for path in (reverse("api:leaderboard", args=["people"]), reverse("api:leaderboard", args=["teams"]), digest):
        assert set(statuses(client, world, "get", path).values()) == {200}, path
    assert call(client, world, "agent", "get", reverse("api:leaderboard", args=["nobody"])).status_code == 404
    assert call(client, world, "agent", "get", reverse("api:digest", args=[0])).status_code == 404
