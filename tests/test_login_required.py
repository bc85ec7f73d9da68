"""An intranet: every URL but the sign-in pages and the health check sends an anonymous visitor to sign in."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Also public, each guarded otherwise: an invitation's signed link, and SCIM (a bearer token, see test_setup_scim).
PUBLIC_PREFIXES = ("/accounts/", "/healthz", "/me/language/", "/unsubscribe/", "/welcome/invitation/", "/scim/")
SAMPLE = {"id": "1", "int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}


def _all_paths(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _all_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            if route.startswith("^") or "(?P" in route:
                continue  # regex routes (admin internals); covered by their plain siblings
            yield "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)


def test_every_private_url_redirects_to_sign_in(client):
    private = [p for p in _all_paths(get_resolver().url_patterns) if not p.startswith(PUBLIC_PREFIXES)]
    assert len(private) > 10

    for path in private:
        if path.startswith("/api/"):
            # The REST API answers machines: 401 with a Bearer challenge, never a sign-in page (test_api_access).
            response = client.get(path)
            assert response.status_code == 401, path
            assert response["WWW-Authenticate"].startswith("Bearer"), path
            continue
        response = client.get(path, follow=True)
        assert response.redirect_chain, path
        final_url, _status = response.redirect_chain[-1]
        assert final_url.startswith(reverse("account_login") + "?next="), path
