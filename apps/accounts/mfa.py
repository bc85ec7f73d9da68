"""The organisation's two-factor rule, applied to every signed-in request at the cost of no query most of the time.

Whether a person must set up two-factor authentication is decided when they sign in (so an admin's new rule reaches
each person at their next sign-in) and again when they remove an authenticator.
"""

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .selectors import mfa_setup_required

CLEARED = "leeway_mfa_cleared"  # this session's person was found not to owe a second factor
# Where someone who must set up two-factor authentication may still go: sign-in and account pages (setting it up
# happens there, and signing out), the language switch, the health check, static files and unsubscribe links.
ALLOWED_PREFIXES = ("/accounts/", "/me/language/", "/healthz", "/static/", "/unsubscribe/")


def setup_pending(request: HttpRequest, user) -> bool:
    """Whether the signed-in person must set up two-factor authentication before going on. A person found clear is
    not asked again in this session; a person who owes it is checked on every request, so that setting it up lets
    them through at once."""
    if request.session.get(CLEARED):
        return False
    if mfa_setup_required(user=user):
        return True
    request.session[CLEARED] = True
    return False


def forget(request: HttpRequest) -> None:
    request.session.pop(CLEARED, None)


class MfaSetupMiddleware:
    """Sends a person whom the organisation asks for two-factor authentication to set it up (an authenticator app or a
    security key) before anything else."""

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
                    "Set up an authenticator app on your phone, or a security key, to go on."
                ),
            )
            url = reverse("mfa_index")
            return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
        return self.get_response(request)
