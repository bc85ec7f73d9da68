"""The invitation email, in the invited person's language: `emails/invitation-subject.txt`, `-body-text.txt`,
`-body-html.html`. It carries a link to choose a password (or to sign in with single sign-on when configured)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.core.links import absolute_url
from apps.org.models import Organisation

from .models import Invitation


def sso_configured() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS)


def invitation_message(invitation: Invitation, *, token: str, connection=None) -> EmailMultiAlternatives:
    recipient = invitation.user
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "recipient": recipient,
            "inviter": invitation.invited_by.display_name if invitation.invited_by_id else "Leeway",
            "organisation": Organisation.current().name,
            "url": absolute_url(reverse("welcome:accept_invitation", args=[token])),
            "days": settings.LEEWAY_INVITATION_DAYS,
            "sso": sso_configured(),
        }
        subject = " ".join(render_to_string("emails/invitation-subject.txt", context).split())
        text = render_to_string("emails/invitation-body-text.txt", context)
        html = render_to_string("emails/invitation-body-html.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
