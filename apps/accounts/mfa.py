"""The organisation's two-factor rule, applied to every signed-in request at the cost of no query most of the time.

Whether a person must set up two-factor authentication is decided when they sign in and again every few minutes (so
that an admin turning the rule on reaches people already signed in), and when they remove an authenticator.
"""

import time

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .selectors import mfa_setup_required

RECHECK_SECONDS = 300
CLEARED_AT = "leeway_mfa_cleared_at"  # when this session's person was last found not to owe a second factor
# Where someone who must set up two-factor authentication may still go: sign-in and account pages (setting it up
# happens there, and signing out), the language switch, the health check, static files and unsubscribe links.
ALLOWED_PREFIXES = ("/accounts/", "/me/language/", "/healthz", "/static/", "/unsubscribe/")


def setup_pending(request: HttpRequest, user) -> bool:
    """Whether the signed-in person must set up two-factor authentication before going on. A person found clear is
    not asked again for a few minutes; a person who owes it is checked on every request, so that setting it up lets
    them through at once."""
    cleared_at = request.session.get(CLEARED_AT)
    if cleared_at is not None and 0 <= time.time() - cleared_at < RECHECK_SECONDS:
        return False
    if mfa_setup_required(user=user):
        request.session.pop(CLEARED_AT, None)
        return True
    request.session[CLEARED_AT] = time.time()
    return False


def forget(request: HttpRequest) -> None:
    request.session.pop(CLEARED_AT, None)


class MfaSetupMiddleware:
    """Sends a person whom the organisation asks for two-factor authentication to set it up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith(ALLOWED_PREFIXES)
            and setup_pending(request, user)
        ):
            messages.warning(
                request,
                _(
                    "Your organisation asks you to protect your account with two-factor authentication. "
                    "Set up an authenticator app on your phone to go on."
                ),
            )
            url = reverse("mfa_activate_totp")
            return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
        return self.get_response(request)
