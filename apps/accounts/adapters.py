from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from apps.core.links import absolute_url

# allauth's emails that tell someone their account's security changed (sent with ACCOUNT_EMAIL_NOTIFICATIONS).
SECURITY_NOTICES = {
    "account/email/password_changed",
    "account/email/password_set",
    "account/email/password_reset",
    "account/email/email_changed",
    "account/email/email_confirm",
    "account/email/email_deleted",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
    "mfa/email/webauthn_added",
    "mfa/email/webauthn_removed",
    "mfa/email/recovery_codes_generated",
    "socialaccount/email/account_connected",
    "socialaccount/email/account_disconnected",
}


def _main_link(template_prefix: str, ctx: dict) -> str | None:
    """The one button of an account email."""
    if template_prefix in SECURITY_NOTICES:
        return absolute_url(reverse("account_reset_password"))
    if template_prefix == "account/email/unknown_account":
        return ctx.get("signup_url") if ctx["signup_open"] else None
    return ctx.get("activate_url") or ctx.get("password_reset_url")


class LeewaySite:
    """What allauth's templates call the site: the organisation's Leeway at LEEWAY_BASE_URL (not the address the
    request happened to use, e.g. 127.0.0.1:8002)."""

    @property
    def name(self) -> str:
        from apps.core.emails import organisation_name

        return organisation_name()

    @property
    def domain(self) -> str:
        return urlsplit(settings.LEEWAY_BASE_URL).netloc


def _leeway_url(url):
    """A link allauth built from the request, rebuilt on LEEWAY_BASE_URL."""
    if not isinstance(url, str) or not url:
        return url
    parts = urlsplit(url)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))


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

    def send_mail(self, template_prefix, email, context_data):
        """Renders the email now, in Leeway's layout and in the person's language, and leaves the sending to a worker,
        through the outbox: a mail server that is down or hangs never fails or holds up sign-up or a password
        reset."""
        from apps.core.emails import ALLAUTH_NAMES, render_email
        from apps.core.services import account_email_queue

        from .models import User

        user = context_data.get("user") or User.objects.filter(email__iexact=email).first()
        ctx = {
            **context_data,
            **{key: _leeway_url(value) for key, value in context_data.items() if key.endswith("_url")},
            "email": email,
            "current_site": LeewaySite(),
            "signup_open": bool(settings.LEEWAY_SIGNUP_DOMAINS),
            "signup": template_prefix.endswith("_signup"),
            # Account emails cannot be turned off, so they do not point to the notification settings.
            "preferences_url": None,
        }
        ctx["url"] = _main_link(template_prefix, ctx)
        # Someone without an account (yet) reads it in the language of the page they were on.
        language = None if user is not None else translation.get_language()
        rendered = render_email(template_prefix, ctx, recipient=user, language=language, names=ALLAUTH_NAMES)
        message = EmailMultiAlternatives(
            subject=self.format_email_subject(rendered.subject),
            body=rendered.text,
            from_email=self.get_from_email(),
            to=[email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": rendered.language},
        )
        message.attach_alternative(rendered.html, "text/html")
        account_email_queue(message=message)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        return _leeway_url(super().get_reset_password_from_key_url(key))

    def save_user(self, request, user, form, commit=True):
        # Someone who signs up on a Spanish page reads Leeway, and its confirmation email, in Spanish.
        language = translation.get_language() or ""
        if language[:2] in dict(settings.LANGUAGES):
            user.language = language[:2]
        return super().save_user(request, user, form, commit=commit)

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
