"""The Django admin of a one-organisation app: no "Add organisation", no password hashes, no sign-in tokens."""

import pytest
from django.urls import NoReverseMatch, reverse

from apps.org.models import Organisation
from tests.factories import UserFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    person = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(person)
    return person


def test_there_is_no_add_organisation_button_once_it_exists(client, superuser):
    Organisation.current()

    page = client.get(reverse("admin:org_organisation_changelist")).content.decode()

    assert reverse("admin:org_organisation_add") not in page
    assert client.get(reverse("admin:org_organisation_add")).status_code == 403


def test_a_person_shows_no_password_hash_and_adding_one_goes_to_setup(client, superuser, team):
    ana = agent(team)

    page = client.get(reverse("admin:accounts_user_change", args=[ana.pk])).content.decode()

    assert "pbkdf2" not in page and "md5" not in page and "hash" not in page.lower()
    assert client.get(reverse("admin:accounts_user_add")).url == reverse("setup:person_add")


def test_sign_in_tokens_are_not_in_the_admin(client, superuser):
    with pytest.raises(NoReverseMatch):
        reverse("admin:socialaccount_socialtoken_changelist")
