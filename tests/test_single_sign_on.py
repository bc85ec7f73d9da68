import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

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


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_the_sign_in_page_offers_single_sign_on_when_it_is_configured(client):
    page = client.get(reverse("account_login")).content.decode()

    assert "Acme SSO" in page
    assert "/accounts/oidc/acme-sso/login/" in page


@override_settings(SOCIALACCOUNT_PROVIDERS={})
def test_the_sign_in_page_has_no_single_sign_on_by_default(client):
    assert "/accounts/oidc/" not in client.get(reverse("account_login")).content.decode()
