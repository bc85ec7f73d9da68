"""The digest email: one per person, in their language, HTML and plain text, with a one-click unsubscribe."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.core.links import absolute_url
from apps.core.mail import message_id

from .models import Delivery, Digest
from .presenters import edition_dates, personal_line, present

UNSUBSCRIBE_SALT = "digests.unsubscribe"


def unsubscribe_token(user) -> str:
    # Bound to the address too: a link forwarded before an address change stops working after it.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_unsubscribe_token(token: str):
    """The person a token was made for, or None if it was tampered with or the address has changed."""
    from apps.accounts.models import User

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    return user if user and user.email == data.get("e") else None


def unsubscribe_url(user) -> str:
    return absolute_url(reverse("digest_unsubscribe", args=[unsubscribe_token(user)]))


def email_context(*, digest: Digest, recipient, personal: dict, tz=None) -> dict:
    """What the three templates need, in the active language."""
    sections = present(digest)
    return {
        "digest": digest,
        "edition": digest.edition,
        "week_number": digest.edition.week_start.isocalendar()[1],
        "dates": edition_dates(digest.edition, tz),
        "sections": sections,
        "recipient": recipient,
        "personal_line": personal_line(personal or {}),
        "digest_url": absolute_url(reverse("digests:detail", args=[digest.pk])),
        "leaderboard_url": absolute_url(reverse("leaderboards:index")),
        "profile_url": absolute_url(reverse("accounts:profile")),
        "unsubscribe_url": unsubscribe_url(recipient),
        "base_url": settings.LEEWAY_BASE_URL,
        "language": translation.get_language(),
    }


def render_digest_email(*, digest: Digest, recipient, personal: dict, tz=None) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's own language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = email_context(digest=digest, recipient=recipient, personal=personal, tz=tz)
        for section in ("celebrated", "most_endorsed", "first_stories"):
            for story in context["sections"][section]:
                story["url"] = absolute_url(story["path"])
        subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
        text = render_to_string("emails/digest_body_text.txt", context)
        html = render_to_string("emails/digest_body_html.html", context)
        return subject, text, html


def digest_message(*, digest: Digest, recipient, personal: dict, delivery: Delivery | None = None, tz=None):
    subject_line, text, html = render_digest_email(digest=digest, recipient=recipient, personal=personal, tz=tz)
    link = unsubscribe_url(recipient)
    headers = {
        "Message-ID": message_id(),
        # RFC 8058: mail clients offer "unsubscribe" and POST to the link without opening it.
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Content-Language": recipient.language or settings.LANGUAGE_CODE,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if delivery is not None:
        headers["X-Leeway-Delivery"] = str(delivery.pk)
    message = EmailMultiAlternatives(subject_line, text, to=[recipient.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
