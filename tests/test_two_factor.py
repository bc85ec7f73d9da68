"""Two-factor authentication: an authenticator app (TOTP, RFC 6238) and recovery codes, required by the organisation
of its admins and, if it chooses, of its managers and department heads, who set it up before they can go on."""

import base64
import datetime
import hashlib
import hmac
import re
import struct

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from apps.org.models import Organisation
from tests.factories import PASSWORD, TeamFactory, UserFactory, agent, department_head, manager

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
TUESDAY = MONDAY + datetime.timedelta(days=1)


def totp(secret: str, at: datetime.datetime) -> str:
    """The six-digit code an authenticator app shows at `at` (RFC 6238: HMAC-SHA1 over 30-second steps)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at.timestamp()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def require_mfa(*, admins=False, managers=False):
    organisation = Organisation.current()
    organisation.mfa_required_for_admins = admins
    organisation.mfa_required_for_managers = managers
    organisation.save()


def sign_in(client, person, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": person.email, "password": password})


def set_up_authenticator(client) -> str:
    """Opens the activation page (confirming one's password first), reads the secret, types the app's code; returns
    the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret, MONDAY)})
    assert response.status_code == 302, response.content.decode()
    return secret


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, first_name="Morgan")


def test_an_admin_is_sent_to_set_up_an_authenticator_app_before_anything_else(client, admin_user):
    require_mfa(admins=True)

    with time_machine.travel(MONDAY, tick=False):
        sign_in(client, admin_user)
        for path in (reverse("home"), reverse("admin:index"), reverse("digests:preview")):
            response = client.get(path)
            assert response.status_code == 302 and response.url == reverse("mfa_activate_totp"), path
        page = client.get(reverse("mfa_activate_totp"), follow=True).content.decode()
        assert "Your organisation asks you to protect your account with two-factor authentication." in page
        set_up_authenticator(client)

        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200
    assert Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).exists()


def test_signing_in_asks_for_the_apps_code_and_refuses_a_wrong_one(client, admin_user):
    require_mfa(admins=True)
    with time_machine.travel(MONDAY, tick=False):
        sign_in(client, admin_user)
        secret = set_up_authenticator(client)
        client.post(reverse("account_logout"))

    with time_machine.travel(TUESDAY, tick=False):
        response = sign_in(client, admin_user)
        assert response.url == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session

        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert "Incorrect code." in wrong.content.decode()
        assert "_auth_user_id" not in client.session

        client.post(reverse("mfa_authenticate"), {"code": totp(secret, TUESDAY)})
        assert client.session["_auth_user_id"] == str(admin_user.pk)
        assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_stands_in_for_the_app_once(client, admin_user):
    with time_machine.travel(MONDAY, tick=False):
        sign_in(client, admin_user)
        set_up_authenticator(client)
        page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
        codes = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>([^<]*)</textarea>', page).group(1).split()
        client.post(reverse("account_logout"))

    assert len(codes) == 10
    code = codes[3]
    with time_machine.travel(TUESDAY, tick=False):
        sign_in(client, admin_user)
        client.post(reverse("mfa_authenticate"), {"code": code})
        assert client.session["_auth_user_id"] == str(admin_user.pk)
        client.post(reverse("account_logout"))

        sign_in(client, admin_user)
        reused = client.post(reverse("mfa_authenticate"), {"code": code})
        assert "Incorrect code." in reused.content.decode()
        assert "_auth_user_id" not in client.session


def test_managers_and_department_heads_are_asked_only_when_the_organisation_says_so(client):
    team = TeamFactory()
    people = {"manager": manager(team), "head": department_head(team.department), "agent": agent(team)}
    home = reverse("home")

    with time_machine.travel(MONDAY, tick=False):
        for person in people.values():
            client.force_login(person)
            assert client.get(home).status_code == 200

        require_mfa(admins=True, managers=True)
        for role, person in people.items():
            client.force_login(person)
            expected = 200 if role == "agent" else 302
            assert client.get(home).status_code == expected, role


def test_turning_the_rule_on_reaches_people_already_signed_in_within_minutes(client, admin_user):
    client.force_login(admin_user)
    with time_machine.travel(MONDAY, tick=False):
        assert client.get(reverse("home")).status_code == 200
        require_mfa(admins=True)
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=6), tick=False):
        assert client.get(reverse("home")).url == reverse("mfa_activate_totp")


def test_nobody_is_asked_when_the_organisation_requires_nothing(client, admin_user):
    with time_machine.travel(MONDAY, tick=False):
        sign_in(client, admin_user)

        assert client.get(reverse("admin:index")).status_code == 200
