"""A signed-in person's pages are theirs: no browser cache or proxy keeps them (a shared computer's back button)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "decisions:mine", "accounts:profile", "digests:list", "account_email"])
def test_signed_in_pages_are_never_stored(client, an_agent, name):
    client.force_login(an_agent)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}
