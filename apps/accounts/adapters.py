from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in settings.LEEWAY_SIGNUP_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return bool(settings.LEEWAY_SIGNUP_DOMAINS)

    def reauthenticate(self, user, password):
        # Confirming one's password while signed in (before adding an address or setting up two-factor
        # authentication) has its own per-person limit. allauth would also count a typo there as a failed sign-in,
        # which locks the account out of signing in.
        return user.check_password(password)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # The organisation's own single sign-on vouches for the person; the allowed domains still apply when set.
        email = sociallogin.user.email or ""
        return not settings.LEEWAY_SIGNUP_DOMAINS or email_domain_allowed(email)
