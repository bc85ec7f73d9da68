import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_saves_name_language_time_zone_and_email_preferences(client, an_agent):
    client.force_login(an_agent)

    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Ana María",
            "last_name": "García",
            "language": "es",
            "time_zone": "Europe/Madrid",
            "show_on_leaderboards": "on",
        },
        follow=True,
    )

    an_agent.refresh_from_db()
    assert (an_agent.first_name, an_agent.language, an_agent.time_zone) == ("Ana María", "es", "Europe/Madrid")
    assert not an_agent.email_digest and not an_agent.email_notifications
    assert "Tu perfil está guardado." in response.content.decode()


def test_the_time_zone_menu_shows_the_saved_zone_by_its_readable_name(client, an_agent):
    an_agent.time_zone = "America/New_York"
    an_agent.save()
    client.force_login(an_agent)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert '<option value="America/New_York" selected>America/New York</option>' in page
    assert '<option value="Europe/Madrid">Europe/Madrid</option>' in page


def test_an_unknown_time_zone_is_refused_next_to_the_field_and_the_rest_is_kept(client, an_agent):
    client.force_login(an_agent)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "Ana María", "language": "en", "time_zone": "Mars/Olympus"}
    )

    page = response.content.decode()
    assert 'id="id_time_zone_error"' in page
    assert 'aria-invalid="true"' in page.split('name="time_zone"')[1].split(">")[0]
    assert 'value="Ana María"' in page
    an_agent.refresh_from_db()
    assert an_agent.first_name == "Ana"


def test_the_language_switcher_remembers_the_choice_on_the_profile(client, an_agent):
    client.force_login(an_agent)

    response = client.post(reverse("accounts:set_language"), {"language": "nl", "next": "/me/profile/"})

    assert response.url == "/me/profile/"
    an_agent.refresh_from_db()
    assert an_agent.language == "nl"


def test_the_language_switcher_ignores_foreign_redirects(client):
    response = client.post(reverse("accounts:set_language"), {"language": "es", "next": "https://evil.example/"})

    assert response.url == "/"
    assert response.cookies["django_language"].value == "es"


def test_a_person_without_a_time_zone_lives_in_the_organisations(client, an_agent):
    import datetime

    import time_machine

    from apps.org.models import Organisation

    org = Organisation.current()
    org.time_zone = "America/Mexico_City"
    org.save()
    client.force_login(an_agent)

    # 03:00 UTC on the 25th is still the evening of the 24th in Mexico City.
    with time_machine.travel(datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC), tick=False):
        page = client.get(reverse("decisions:create")).content.decode()

    assert 'value="2026-11-24"' in page


def test_a_name_keeps_no_right_to_left_override(client, an_agent):
    """A name shown to everyone must read as it was typed: "Ana\u202egnp.exe" would display as "Anaexe.png"."""
    client.force_login(an_agent)

    client.post(
        reverse("accounts:profile"), {"first_name": "Ana\u202egnp.exe", "last_name": "García", "language": "en"}
    )

    an_agent.refresh_from_db()
    assert an_agent.first_name == "Anagnp.exe"
