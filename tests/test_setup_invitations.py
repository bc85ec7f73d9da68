"""Invitations: an email in the person's language with a link to choose their password; accepting it confirms
their address and signs them in; links expire, work once, and sending again ends the older link."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.setup import services
from apps.setup.models import Invitation
from tests.factories import admin

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def morgan():
    return admin(first_name="Morgan", last_name="Lee")


def _invite(morgan, team, **fields) -> User:
    person = {
        "email": "nina@acme.example",
        "first_name": "Nina",
        "last_name": "Berg",
        "language": "nl",
        "time_zone": "",
        "team": team,
        "role": "agent",
        **fields,
    }
    return services.person_create(**person, invited_by=morgan)


def _link(message) -> str:
    return re.search(r"https?://\S+(/welcome/invitation/\S+/)", message.body).group(1)


@time_machine.travel(NOW, tick=False)
def test_the_invitation_is_in_the_persons_language_with_a_link(morgan, team):
    _invite(morgan, team)

    assert services.invitations_send_pending() == 1

    (message,) = mail.outbox
    assert message.to == ["nina@acme.example"]
    assert message.subject == "Morgan Lee nodigt je uit voor Leeway"
    assert "Kies hier je wachtwoord:" in message.body
    assert message.extra_headers["Content-Language"] == "nl"
    assert _link(message) in message.alternatives[0][0]
    assert Invitation.objects.get().send_count == 1


def test_invitations_are_sent_once(morgan, team):
    _invite(morgan, team)

    services.invitations_send_pending()
    services.invitations_send_pending()

    assert len(mail.outbox) == 1


def test_accepting_sets_the_password_confirms_the_address_and_signs_in(client, morgan, team):
    nina = _invite(morgan, team)
    services.invitations_send_pending()
    link = _link(mail.outbox[0])

    page = client.get(link)
    assert "nina@acme.example" in page.content.decode()

    response = client.post(link, {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"})

    assert response.url == reverse("welcome:index")
    nina.refresh_from_db()
    assert nina.check_password("a-long-new-secret-9")
    assert EmailAddress.objects.get(user=nina).verified
    assert Invitation.objects.get(user=nina).accepted_at is not None
    assert int(client.session["_auth_user_id"]) == nina.pk


def test_a_used_link_works_no_more(client, morgan, team):
    _invite(morgan, team)
    services.invitations_send_pending()
    link = _link(mail.outbox[0])
    client.post(link, {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"})
    client.logout()

    response = client.post(link, {"password1": "another-secret-77", "password2": "another-secret-77"})

    assert response.status_code == 410
    assert "This invitation has been used" in response.content.decode()
    assert User.objects.get(email="nina@acme.example").check_password("a-long-new-secret-9")


def test_an_expired_link_says_so_and_a_new_one_works(client, morgan, team):
    with time_machine.travel(NOW, tick=False):
        nina = _invite(morgan, team)
        services.invitations_send_pending()
    old_link = _link(mail.outbox[0])

    with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
        response = client.get(old_link)
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()

        client.force_login(morgan)
        client.post(reverse("setup:invitation_resend", args=[nina.pk]))
        client.logout()
        services.invitations_send_pending()
        new_link = _link(mail.outbox[1])
        assert client.get(new_link).status_code == 200


def test_sending_again_ends_the_older_link(client, morgan, team):
    with time_machine.travel(NOW, tick=False):
        nina = _invite(morgan, team)
        services.invitations_send_pending()
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.invitation_resend(user=nina)
        services.invitations_send_pending()

        assert client.get(_link(mail.outbox[0])).status_code == 410
        assert client.get(_link(mail.outbox[1])).status_code == 200


def test_a_weak_or_mismatched_password_is_refused_next_to_the_field(client, morgan, team):
    _invite(morgan, team)
    services.invitations_send_pending()
    link = _link(mail.outbox[0])

    response = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "field--invalid" in response.content.decode()
    response = client.post(link, {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-8"})
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.get(email="nina@acme.example").has_usable_password()


def test_a_tampered_link_does_not_work(client):
    assert client.get(reverse("welcome:accept_invitation", args=["not-a-token"])).status_code == 410


def test_a_deactivated_persons_invitation_is_neither_sent_nor_accepted(client, morgan, team):
    nina = _invite(morgan, team)
    services.invitations_send_pending()
    link = _link(mail.outbox[0])
    User.objects.filter(pk=nina.pk).update(is_active=False)

    assert client.get(link).status_code == 410
    services.invitation_resend(user=nina)
    assert services.invitations_send_pending() == 0


def test_an_imported_persons_invitation_is_sent_too(morgan):
    from apps.setup.models import PeopleImport

    run = PeopleImport.objects.create(
        created_by=morgan,
        content="email,name,department,team,role,language,time_zone\n"
        "sofia@acme.example,Sofía H,Care,Orders,agent,es,\n",
    )
    services.people_import_run(people_import_id=run.pk)

    assert services.invitations_send_pending() == 1
    assert mail.outbox[0].subject == "Morgan Lee te invita a Leeway"


OIDC = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "acme-sso",
                "name": "Acme SSO",
                "client_id": "leeway",
                "secret": "s3cret",
                "settings": {"server_url": "https://sso.acme.example/realms/acme"},
            }
        ]
    }
}


def test_with_single_sign_on_the_invitation_offers_it(client, morgan, team, settings):
    settings.SOCIALACCOUNT_PROVIDERS = OIDC
    _invite(morgan, team, language="en")
    services.invitations_send_pending()
    (message,) = mail.outbox

    assert "Sign in with your company account, or choose a password, here:" in message.body
    page = client.get(_link(message)).content.decode()
    assert "Sign in with Acme SSO" in page and "/accounts/oidc/acme-sso/login/" in page
