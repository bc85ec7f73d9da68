"""An id in an address or a form that is no id (a superscript digit, which Python calls a digit, or thirty digits,
which fit no column) is treated as no id: the page answers, it does not fail."""

import pytest
from django.urls import reverse

from apps.core.converters import as_id
from apps.setup.scim import scim_token_create
from tests.factories import TeamFactory, admin, agent, manager

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "9" * 30, "-1", " 7", ""]


def test_only_ascii_digits_within_a_columns_reach_are_ids():
    assert [as_id(value) for value in ODD] == [None] * len(ODD)
    assert (as_id("42"), as_id(42), as_id("9" * 18)) == (42, 42, int("9" * 18))


@pytest.mark.parametrize("odd", ["²", "9" * 30])
def test_the_feed_and_the_leaderboards_answer_odd_ids(client, odd):
    team = TeamFactory()
    client.force_login(agent(team))

    assert client.get(reverse("home"), {"offset": odd, "team": odd, "department": odd}).status_code == 200
    assert client.get(reverse("leaderboards:index"), {"scope": f"team-{odd}"}).status_code == 200


@pytest.mark.parametrize("odd", ["²", "9" * 30])
def test_approving_covered_stories_ignores_odd_ids(client, odd):
    team = TeamFactory()
    client.force_login(manager(team))

    response = client.post(reverse("recognition:approve_covered"), {"decisions": [odd]})

    assert response.status_code in (200, 302)


@pytest.mark.parametrize("odd", ["²", "9" * 30])
def test_scim_answers_an_odd_id_with_not_found(client, odd):
    token = scim_token_create(name="Entra ID", by=admin())[1]
    headers = {"Authorization": f"Bearer {token}"}

    for kind in ("Users", "Groups"):
        assert client.get(f"/scim/v2/{kind}/{odd}", headers=headers).status_code == 404
    found = client.get("/scim/v2/Users", {"filter": f'id eq "{odd}"'}, headers=headers)
    assert found.status_code == 200 and found.json()["totalResults"] == 0
