"""SCIM 2.0 provisioning, driven by a real SCIM client (scim2-client over HTTP) against the running app: discovery,
creating, filtering, patching (as Entra ID and Okta send it) and deactivating users, and a group's members."""

import pytest
from django.urls import reverse
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Email, Group, GroupMember, Name, PatchOp, SCIMException, User

from apps.accounts.models import User as Person
from apps.org.models import Membership
from apps.setup.models import ScimToken
from apps.setup.scim import scim_token_create
from tests.factories import DecisionFactory, TeamFactory, admin, agent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token():
    return scim_token_create(name="Entra ID", by=admin())[1]


@pytest.fixture
def http(live_server, token):
    with Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def scim(http):
    client = SyncSCIMClient(http)
    client.discover()
    return client


def test_discovery_describes_users_and_groups(scim):
    assert {rt.name for rt in scim.provider.resource_types} == {"User", "Group"}
    assert scim.provider.config.patch.supported and scim.provider.config.filter.supported


def test_it_creates_filters_patches_and_deactivates_a_user(scim):
    created = scim.create(
        User(
            user_name="nina@acme.example",
            external_id="entra-42",
            name=Name(given_name="Nina", family_name="Berg"),
            emails=[Email(value="nina@acme.example", primary=True, type="work")],
            preferred_language="nl-NL",
            active=True,
        )
    )
    person = Person.objects.get(email="nina@acme.example")
    assert created.id == str(person.pk) and (person.first_name, person.language) == ("Nina", "nl")
    assert not person.has_usable_password() and person.emailaddress_set.get().verified

    found = scim.query(User, query_parameters={"filter": 'userName eq "NINA@acme.example"'})
    assert [u.id for u in found.resources] == [created.id]
    assert scim.query(User, query_parameters={"filter": 'externalId eq "entra-42"'}).total_results == 1
    assert scim.query(User, query_parameters={"filter": 'userName eq "nobody@acme.example"'}).total_results == 0

    # Entra ID's way: capitalised op, booleans as strings; Okta's way: a value without a path.
    scim.modify(
        User, created.id, PatchOp[User](operations=[{"op": "Replace", "path": "name.givenName", "value": "Nienke"}])
    )
    scim.modify(User, created.id, PatchOp[User](operations=[{"op": "replace", "value": {"active": False}}]))
    person.refresh_from_db()
    assert person.first_name == "Nienke" and not person.is_active

    assert scim.query(User, created.id).active is False


def test_the_wire_format_of_entra_ids_patch_is_understood(http, team):
    ana = agent(team)

    response = http.patch(
        f"/Users/{ana.pk}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
        headers={"Content-Type": "application/scim+json"},
    )

    assert response.status_code == 200 and response.json()["active"] is False
    ana.refresh_from_db()
    assert not ana.is_active


def test_deleting_a_user_deactivates_them_and_their_stories_stay(scim, team):
    ana = agent(team)
    story = DecisionFactory(author=ana)

    scim.delete(User, str(ana.pk))

    ana.refresh_from_db()
    assert not ana.is_active
    story.refresh_from_db()
    assert story.author == ana


def test_it_manages_a_groups_members(scim, team):
    ana, tom = agent(TeamFactory()), agent(TeamFactory())

    group = scim.create(Group(display_name="Night Shift", members=[GroupMember(value=str(ana.pk))]))
    assert list(Membership.objects.filter(team_id=group.id).values_list("user_id", "role")) == [(ana.pk, "agent")]
    assert ana.memberships.count() == 1  # an agent is in one team: moved

    scim.modify(
        Group,
        group.id,
        PatchOp[Group](operations=[{"op": "add", "path": "members", "value": [{"value": str(tom.pk)}]}]),
    )
    scim.modify(Group, group.id, PatchOp[Group](operations=[{"op": "remove", "path": f'members[value eq "{ana.pk}"]'}]))

    assert set(Membership.objects.filter(team_id=group.id).values_list("user_id", flat=True)) == {tom.pk}
    found = scim.query(Group, query_parameters={"filter": 'displayName eq "night shift"'})
    assert [g.id for g in found.resources] == [group.id]
    assert [m.value for m in scim.query(Group, group.id).members] == [str(tom.pk)]


def test_a_bad_or_revoked_token_gets_401(live_server, token):
    with Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": "Bearer wrong"}) as client:
        assert client.get("/Users").status_code == 401
    with Client(base_url=f"{live_server.url}/scim/v2") as client:
        assert client.get("/Users").status_code == 401
    ScimToken.objects.update(revoked_at="2026-11-20T09:00:00Z")
    with Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.get("/Users")
    assert response.status_code == 401 and response.json()["status"] == "401"


def test_a_taken_user_name_is_a_uniqueness_error(scim, team):
    agent(team, email="ana@acme.example")

    with pytest.raises(SCIMException):
        scim.create(User(user_name="ana@acme.example", emails=[Email(value="ana@acme.example", primary=True)]))


def test_admins_create_a_token_that_is_shown_once_and_stored_hashed(client):
    client.force_login(admin())

    page = client.post(reverse("setup:provisioning"), {"name": "Okta"}).content.decode()

    stored = ScimToken.objects.get(name="Okta")
    secret = page.split('id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("lwscim_") and secret not in str(ScimToken.objects.values().get())
    assert secret not in client.get(reverse("setup:provisioning")).content.decode()
    client.post(reverse("setup:scim_token_revoke", args=[stored.pk]))
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_only_admins_manage_tokens(client, team):
    client.force_login(agent(team))

    assert client.get(reverse("setup:provisioning")).status_code == 403
