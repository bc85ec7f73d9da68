"""Sign-in limits that fit an office: everyone shares one address, and one account's wrong passwords lock that account
only. The limits are the production ones (the test settings keep only the per-account one)."""

import datetime

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from config.settings import base
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 8, 59, tzinfo=datetime.UTC)
OFFICE = "198.51.100.20"
PROXY = "10.0.0.2"
LOCKED = "Too many failed login attempts"

production_limits = override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)


def sign_in(email: str, password: str, **headers) -> tuple[Client, str]:
    client = Client(**headers)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response.content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@production_limits
def test_fifty_colleagues_sign_in_from_one_office_address_while_one_account_is_locked():
    colleagues = UserFactory.create_batch(50)
    target = UserFactory()

    with time_machine.travel(NOW, tick=False):  # all within the same minute
        for _ in range(10):
            sign_in(target.email, "not-the-password", REMOTE_ADDR=OFFICE)
        admitted = [signed_in(sign_in(person.email, PASSWORD, REMOTE_ADDR=OFFICE)[0]) for person in colleagues]
        owner, page = sign_in(target.email, PASSWORD, REMOTE_ADDR=OFFICE)

    assert admitted.count(True) == 50
    assert not signed_in(owner) and LOCKED in page


@production_limits
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_limits_count_each_clients_own_address():
    people = UserFactory.create_batch(3)
    colleague = UserFactory()

    with time_machine.travel(NOW, tick=False):
        # Someone at one address tries many accounts, far past the per-address limit of failed sign-ins.
        for attempt in range(70):
            person = people[attempt % 3]
            sign_in(person.email, f"guess-{attempt}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
        _client, page = sign_in(colleague.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
        # A colleague elsewhere, through the same proxy, is not slowed down.
        client, _page = sign_in(colleague.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")

    assert LOCKED in page
    assert signed_in(client)


@production_limits
@pytest.mark.parametrize(
    "url_name, field", [("account_change_password", "oldpassword"), ("account_reauthenticate", "password")]
)
def test_wrong_current_passwords_of_a_signed_in_person_do_not_lock_sign_in(url_name, field):
    """Changing one's password, or confirming it before a sensitive change (adding an address, setting up
    two-factor authentication), has its own per-person limit: a typo there is not a failed sign-in."""
    person = UserFactory()
    with time_machine.travel(NOW, tick=False):
        client = Client(REMOTE_ADDR=OFFICE)
        client.force_login(person)
        for attempt in range(6):
            page = client.post(reverse(url_name), {field: f"wrong-{attempt}", "password1": "x", "password2": "y"})
            assert "_auth_user_id" in client.session and page.status_code in (200, 429)
        client.logout()
        again, page = sign_in(person.email, PASSWORD, REMOTE_ADDR=OFFICE)

    assert signed_in(again), page
