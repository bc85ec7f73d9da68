from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils.translation import gettext as _


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in settings.LEEWAY_SIGNUP_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return bool(settings.LEEWAY_SIGNUP_DOMAINS)

    def get_login_redirect_url(self, request):
        # Someone who joined on their own first meets their welcome page: team, manager, limits.
        from apps.setup.selectors import is_newcomer

        if is_newcomer(user=request.user):
            return reverse("welcome:index")
        return super().get_login_redirect_url(request)

    def clean_email(self, email):
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                _("Sign-up is open only to addresses at %(domains)s. Ask your Leeway administrator for an account.")
                % {"domains": ", ".join("@" + d for d in settings.LEEWAY_SIGNUP_DOMAINS)}
            )
        return email

    def send_mail(self, template_prefix, email, context_data):
        """Renders the email now (in the person's language) and leaves the sending to a worker, through the outbox:
        a mail server that is down or hangs never fails or holds up sign-up or a password reset."""
        from apps.core.services import account_email_queue

        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context_data}
        account_email_queue(message=self.render_mail(template_prefix, email, ctx))

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
