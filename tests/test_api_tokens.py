"""Personal access tokens and service tokens: made on a page, shown once, kept as a SHA-256, listed with when they
were last used, revocable; expired, revoked or a deactivated person's → 401. Requests are rate limited per token."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.api.models import ApiToken
from tests.factories import UserFactory, agent, api_token

pytestmark = pytest.mark.django_db

STORIES = "/api/v1/stories/"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def created_secret(response) -> str:
    return re.search(r'id="new-token">([^<]+)<', response.content.decode()).group(1)


def test_a_person_creates_a_token_on_their_profile_and_sees_it_once(client, an_agent):
    client.force_login(an_agent)
    assert "Manage API tokens" in client.get(reverse("accounts:profile")).content.decode()

    response = client.post(reverse("api_tokens:personal"), {"name": "My report", "scope": "read", "days": "30"})

    assert response.status_code == 200
    secret = created_secret(response)
    assert secret.startswith("lwpat_")
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope, token.kind) == (an_agent, "My report", "read", "personal")
    assert token.expires_at == token.created_at + datetime.timedelta(days=30)
    # Only the fingerprint is kept, and the list never shows the secret again.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get(reverse("api_tokens:personal")).content.decode()


def test_a_token_without_a_name_is_refused_next_to_the_field(client, an_agent):
    client.force_login(an_agent)

    response = client.post(reverse("api_tokens:personal"), {"name": "  ", "scope": "read", "days": "30"})

    assert response.status_code == 400
    assert "Give the token a name, so you recognise it later." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_when_each_token_was_last_used(client, an_agent):
    secret = api_token(an_agent)
    client.force_login(an_agent)
    assert "Never" in client.get(reverse("api_tokens:personal")).content.decode()

    assert client.get(STORIES, headers=bearer(secret)).status_code == 200

    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert "Never" not in client.get(reverse("api_tokens:personal")).content.decode()


def test_a_revoked_token_answers_401_at_once(client, an_agent):
    secret = api_token(an_agent)
    client.force_login(an_agent)

    client.post(reverse("api_tokens:personal_revoke", args=[ApiToken.objects.get().pk]))

    response = Client().get(STORIES, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "This token is not valid: it is unknown, expired or revoked."}


def test_nobody_revokes_someone_else_s_token(client, an_agent):
    api_token(an_agent)
    client.force_login(agent())

    assert client.post(reverse("api_tokens:personal_revoke", args=[ApiToken.objects.get().pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_an_expired_token_answers_401(client, an_agent):
    secret = api_token(an_agent, days=30)
    assert client.get(STORIES, headers=bearer(secret)).status_code == 200

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30, seconds=1)):
        assert client.get(STORIES, headers=bearer(secret)).status_code == 401


def test_a_deactivated_person_s_token_answers_401(client, an_agent):
    secret = api_token(an_agent)
    an_agent.is_active = False
    an_agent.save(update_fields=["is_active"])

    assert client.get(STORIES, headers=bearer(secret)).status_code == 401


def test_an_unknown_or_malformed_token_answers_401(client):
    assert client.get(STORIES, headers=bearer("lwpat_nothing")).status_code == 401
    assert client.get(STORIES, headers={"Authorization": "Bearer"}).status_code == 401


def test_only_admins_make_service_tokens_and_they_only_read(client, an_agent):
    admin = UserFactory(is_staff=True)
    client.force_login(an_agent)
    assert client.get(reverse("api_tokens:service")).status_code == 403
    client.force_login(admin)

    response = client.post(reverse("api_tokens:service"), {"name": "Power BI", "days": "365"})

    secret = created_secret(response)
    assert secret.startswith("lwsvc_")
    token = ApiToken.objects.get()
    assert (token.kind, token.scope, token.user) == ("service", "read", admin)
    assert Client().get(reverse("api:ledger"), headers=bearer(secret)).status_code == 200
    assert Client().post(STORIES, {}, content_type="application/json", headers=bearer(secret)).status_code == 403


def test_a_service_token_stops_when_its_admin_is_no_longer_an_admin(client):
    admin = UserFactory(is_staff=True)
    secret = api_token(admin, service=True)
    admin.is_staff = False
    admin.save(update_fields=["is_staff"])

    assert client.get(STORIES, headers=bearer(secret)).status_code == 401


def test_an_admin_revokes_a_service_token(client):
    admin = UserFactory(is_staff=True)
    secret = api_token(admin, service=True)
    client.force_login(UserFactory(is_staff=True))

    client.post(reverse("api_tokens:service_revoke", args=[ApiToken.objects.get().pk]))

    assert Client().get(STORIES, headers=bearer(secret)).status_code == 401


@override_settings(LEEWAY_API_RATE_LIMIT="3/min")
def test_requests_past_the_rate_limit_answer_429_with_retry_after(client, an_agent):
    secret, other = api_token(an_agent), api_token(agent())

    answers = [client.get(STORIES, headers=bearer(secret)).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    limited = client.get(STORIES, headers=bearer(secret))
    assert 0 < int(limited["Retry-After"]) <= 60
    # Counted per token: someone else's is not slowed down.
    assert client.get(STORIES, headers=bearer(other)).status_code == 200


def test_the_browsable_docs_and_the_schema_open_with_a_session(client, an_agent):
    client.force_login(an_agent)

    docs = client.get(reverse("api:docs"))
    schema = client.get(reverse("api:schema") + "?format=json")

    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    # Swagger UI comes from Leeway itself, its set-up script from a URL (the Content-Security-Policy allows no inline
    # script), and it sends the CSRF token with "Try it out".
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert "X-CSRFTOKEN" in script.content.decode().upper()
    assert schema.json()["info"]["title"] == "Leeway API"


def test_with_a_session_a_write_needs_the_csrf_token(an_agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(an_agent)

    response = browser.post(STORIES, {}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize("page", ["api_tokens:personal", "api_tokens:service"])
def test_token_pages_run_a_constant_number_of_queries(client, page, django_assert_max_num_queries):
    admin = UserFactory(is_staff=True)
    client.force_login(admin)
    for _ in range(2):
        api_token(admin, service=page.endswith("service"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(page))
    for _ in range(20):
        api_token(admin, service=page.endswith("service"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(page))
