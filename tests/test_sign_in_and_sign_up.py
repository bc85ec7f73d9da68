import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from apps.accounts.models import User
from apps.core.services import account_emails_drain

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_email_and_password(client, an_agent, password):
    response = client.post(reverse("account_login"), {"login": an_agent.email, "password": password})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_applies_the_profile_language_at_sign_in(client, an_agent, password):
    an_agent.language = "nl"
    an_agent.save()

    client.post(reverse("account_login"), {"login": an_agent.email, "password": password})
    response = client.get(reverse("home"))

    assert response.headers["Content-Language"] == "nl"
    assert 'lang="nl"' in response.content.decode()


def test_it_lets_people_with_an_allowed_domain_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@acme.example",
            "password1": "a-long-good-passphrase",
            "password2": "a-long-good-passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="newcomer@acme.example").exists()
    # They get in only after confirming the address from their mailbox (a worker sends it from the outbox).
    assert "_auth_user_id" not in client.session
    account_emails_drain()
    assert mail.outbox[0].to == ["newcomer@acme.example"] and "/accounts/confirm-email/" in mail.outbox[0].body


def test_it_tells_other_domains_that_sign_up_is_closed_to_them(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "someone@gmail.example",
            "password1": "a-long-good-passphrase",
            "password2": "a-long-good-passphrase",
        },
    )

    assert response.status_code == 200
    assert "Sign-up is open only to addresses at @acme.example" in response.content.decode()
    assert 'value="someone@gmail.example"' in response.content.decode()
    assert not User.objects.filter(email="someone@gmail.example").exists()


@override_settings(LEEWAY_SIGNUP_DOMAINS=[])
def test_it_closes_sign_up_when_no_domain_is_allowed(client):
    response = client.get(reverse("account_signup"))

    assert "Sign Up Closed" in response.content.decode()


def test_it_emails_a_password_reset_link(client, an_agent):
    response = client.post(reverse("account_reset_password"), {"email": an_agent.email})

    assert response.status_code == 302
    account_emails_drain()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [an_agent.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_signs_out(client, an_agent):
    client.force_login(an_agent)

    client.post(reverse("account_logout"))

    assert client.get(reverse("home")).status_code == 302


def test_it_rate_limits_repeated_failed_sign_ins(client, an_agent, password):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": an_agent.email, "password": "wrong"})

    # Even the right password is refused until the pause is over.
    response = client.post(reverse("account_login"), {"login": an_agent.email, "password": password})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_seeded_email_addresses_are_verified(an_agent):
    assert EmailAddress.objects.get(user=an_agent).verified
