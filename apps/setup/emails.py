"""The invitation email, in the invited person's language: `emails/invitation-subject.txt`, `-body-text.txt`,
`-body-html.html`. It carries a link to choose a password (or to sign in with single sign-on when configured)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from apps.core.emails import email_message, render_email
from apps.core.links import absolute_url

from .models import Invitation


def sso_configured() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS)


def invitation_message(invitation: Invitation, *, token: str, connection=None) -> EmailMultiAlternatives:
    recipient = invitation.user
    context = {
        "inviter": invitation.invited_by.display_name if invitation.invited_by_id else "Leeway",
        "url": absolute_url(reverse("welcome:accept_invitation", args=[token])),
        "days": settings.LEEWAY_INVITATION_DAYS,
        "sso": sso_configured(),
        # Someone who has not signed in yet has no settings to change.
        "preferences_url": None,
    }
    rendered = render_email("emails/invitation", context, recipient=recipient)
    return email_message(rendered, to=recipient.email, connection=connection)
