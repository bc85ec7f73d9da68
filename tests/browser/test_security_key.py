"""A security key (WebAuthn) as the second factor, with Chromium's virtual authenticator standing in for the key."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


@override_settings(MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN=True)  # the live server speaks http on localhost
def test_an_admin_adds_a_security_key_and_signs_in_with_it(page, sign_in, screenshot):
    admin = UserFactory(is_staff=True, first_name="Morgan")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(admin)

    page.goto(reverse("mfa_add_webauthn"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    # The "Add" button is wired by allauth's script once the page has loaded: clicked before, it does nothing.
    add_page = reverse("mfa_add_webauthn")
    page.wait_for_url(lambda url: url.endswith(add_page))
    page.wait_for_load_state("load")
    page.get_by_label("Name").fill("My key")
    page.get_by_role("button", name="Add").click()
    # Away from the add page (which is itself under /accounts/2fa/): the key's ceremony and the POST are done.
    page.wait_for_url(lambda url: "/accounts/2fa/" in url and "/webauthn/add/" not in url)
    screenshot("security-key-added")
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.WEBAUTHN).count() == 1

    page.context.clear_cookies()  # a new visit: sign in again
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: url.endswith("/") and "/accounts/" not in url)
    screenshot("signed-in-with-security-key")
    assert page.get_by_role("link", name="Setup").count() >= 1  # an admin, in no team, is offered Setup
