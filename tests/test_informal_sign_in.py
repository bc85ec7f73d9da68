"""Sign-in, sign-up, password reset and Django's form messages speak tú and je, not usted and u."""

import re

import pytest
from django.urls import reverse

from tests.test_glossary import USTED

pytestmark = pytest.mark.django_db

DUTCH_FORMAL = r"(?<![\w-])(u|uw|U|Uw|alstublieft|a\.u\.b\.)(?![\w-])"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _usted(text: str) -> list[str]:
    return [pattern for pattern in USTED if re.search(pattern, text, re.IGNORECASE)]


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_the_sign_in_pages_say_tu_in_spanish(client, name):
    text = _text(client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es"))

    assert _usted(text) == []
    assert not re.search(r"\bsu contraseña\b|\bsus?\b datos", text)


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_the_sign_in_pages_say_je_in_dutch(client, name):
    text = _text(client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="nl"))

    assert re.findall(DUTCH_FORMAL, text) == []


def test_the_spanish_sign_in_page_invites_you_informally(client):
    text = _text(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es"))

    assert "Iniciar sesión" in text
    assert "Si aún no tienes cuenta" in text
    assert "¿Olvidaste tu contraseña?" in text


def test_the_spanish_sign_up_page_explains_the_password_rules_with_tu(client):
    text = _text(client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="es"))

    assert "¿Ya tienes cuenta? Inicia sesión" in text
    assert "Tu contraseña no puede tener solo números." in text


def test_the_dutch_sign_up_page_explains_the_password_rules_with_je(client):
    text = _text(client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="nl"))

    assert "Heb je al een account? Log dan in" in text
    assert "Je wachtwoord mag niet alleen uit cijfers bestaan." in text


def test_a_wrong_password_is_explained_informally(client, an_agent):
    response = client.post(
        reverse("account_login"), {"login": an_agent.email, "password": "not-it"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert "El correo o la contraseña no son correctos." in _text(response)


def test_the_password_reset_email_says_tu(client, an_agent, mailoutbox):
    from apps.core.services import account_emails_drain

    an_agent.language = "es"  # emails speak the recipient's language, whatever the page they were asked from
    an_agent.save(update_fields=["language"])
    client.post(reverse("account_reset_password"), {"email": an_agent.email}, HTTP_ACCEPT_LANGUAGE="es")
    account_emails_drain()

    body = mailoutbox[0].body
    assert _usted(body) == []
    assert "tu cuenta" in body
