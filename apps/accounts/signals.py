from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in as django_user_logged_in
from django.dispatch import receiver
from django.utils import translation

from . import mfa


@receiver(user_logged_in)
def apply_language_at_sign_in(sender, request, user, **kwargs):
    # The profile's language wins over whatever the sign-in page was shown in.
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language


@receiver(django_user_logged_in)
def check_mfa_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mfa.forget(request, user)
        mfa.setup_pending(request, user)


@receiver(authenticator_removed)
def check_mfa_again(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mfa.forget(request, user)
