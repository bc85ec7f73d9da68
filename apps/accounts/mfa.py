"""The organisation's two-factor rule, applied to every signed-in request at the cost of no query most of the time.

Whether a person must set up two-factor authentication is decided when they sign in and again every few minutes (so
that an admin turning the rule on reaches people already signed in), and when they remove an authenticator.
"""

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .selectors import mfa_setup_required

RECHECK_SECONDS = 300
# Where someone who must set up two-factor authentication may still go: sign-in and account pages (setting it up
# happens there, and signing out), the language switch, the health check, static files and unsubscribe links.
ALLOWED_PREFIXES = ("/accounts/", "/me/language/", "/healthz", "/static/", "/unsubscribe/")


def setup_pending(request: HttpRequest, user) -> bool:
    """Whether the signed-in person must set up two-factor authentication before going on. A person found clear is
    not asked again for a few minutes; a person who owes it is checked on every request, so that setting it up lets
    them through at once."""
    # Remembered in the cache, not the session: writing the session would cost every first request an UPDATE. With
    # the cache away (it fails open), the rule is simply checked on every request.
    key = _cleared_key(request, user)
    if cache.get(key):
        return False
    if mfa_setup_required(user=user):
        cache.delete(key)
        return True
    cache.set(key, True, RECHECK_SECONDS)
    return False


def forget(request: HttpRequest, user) -> None:
    cache.delete(_cleared_key(request, user))


def _cleared_key(request: HttpRequest, user) -> str:
    """This session's person was found not to owe a second factor (until the key expires)."""
    return f"leeway:mfa-cleared:{user.pk}:{request.session.session_key or ''}"


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
