"""A new person's first day: a welcome page with their team, manager and limits in plain words; someone in no team
is told so before any form (the story form is not shown to them)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.core.services import account_emails_drain
from tests.factories import GuardrailFactory, TeamGuardrailFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db


def test_an_agent_meets_their_team_manager_and_limits(client, team):
    GuardrailFactory(category__name="Fee waiver")
    refund = GuardrailFactory(category__name="Refund", limit=80)
    TeamGuardrailFactory(team=team, category=refund.category, limit=120)
    manager(team, first_name="Grace", last_name="Okafor")
    client.force_login(agent(team, first_name="Ana"))

    page = client.get(reverse("welcome:index")).content.decode()

    assert "Welcome to Leeway, Ana" in page
    assert f"You are in <strong>{team.name}</strong>" in page
    assert "Your manager is Grace Okafor." in page
    assert "Fee waiver: up to $50" in page and "Refund: up to $120" in page
    assert reverse("decisions:playbook") in page
    assert "Log your first story" in page


def test_a_team_without_a_manager_is_said_plainly(client, team):
    client.force_login(agent(team))

    assert "Your team has no manager right now" in client.get(reverse("welcome:index")).content.decode()


def test_someone_in_no_team_is_told_so_and_is_shown_no_story_form(client):
    client.force_login(UserFactory())

    welcome = client.get(reverse("welcome:index")).content.decode()
    log = client.get(reverse("decisions:create")).content.decode()

    for page in (welcome, log):
        assert "You are not in a team yet, so you cannot log a story" in page
    assert 'name="situation"' not in log and "Log your first story" not in welcome


def test_someone_who_signs_up_lands_on_the_welcome_page_once_confirmed(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@acme.example",
            "password1": "a-long-good-passphrase",
            "password2": "a-long-good-passphrase",
        },
    )
    account_emails_drain()  # what the worker does: the request only queued the confirmation
    confirm = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    client.post(confirm)
    response = client.post(
        reverse("account_login"), {"login": "newcomer@acme.example", "password": "a-long-good-passphrase"}
    )

    assert response.url == reverse("welcome:index")
    assert "You are not in a team yet" in client.get(response.url).content.decode()
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "newcomer@acme.example", "password": "a-long-good-passphrase"}
    )
    assert response.url == reverse("home")  # once is enough
