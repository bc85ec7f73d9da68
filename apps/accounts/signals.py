from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in)
def apply_language_at_sign_in(sender, request, user, **kwargs):
    # The profile's language wins over whatever the sign-in page was shown in.
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
