"""One email per notification kind: `emails/notification_<kind>-subject.txt`, `-body-text.txt`, `-body-html.html`.

Emails are rendered in the recipient's language and time zone. They never carry a review's private content (its
messages or lesson): they say what happened and link to the page, where access is checked.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.links import absolute_url
from apps.core.mail import message_id
from apps.org.selectors import time_zone_for

from .models import Endorsement, Notification
from .selectors import story_url


def notification_link(notification: Notification) -> str:
    """Where the notification leads in the app (a path)."""
    if notification.is_about_review:
        return reverse("recognition:review", args=[notification.decision_id])
    return story_url(notification.decision_id)


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    decision = notification.decision
    comment = ""
    if notification.kind == Notification.Kind.ENDORSED and notification.actor_id:
        comment = (
            Endorsement.objects.filter(decision=decision, endorser_id=notification.actor_id)
            .values_list("comment", flat=True)
            .first()
            or ""
        )
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(time_zone_for(recipient)):
        context = {
            "notification": notification,
            "recipient": recipient,
            "actor_name": notification.actor.display_name if notification.actor else "Leeway",
            "decision": decision,
            "story": decision.action,
            "comment": comment,
            "url": absolute_url(notification_link(notification)),
            "preferences_url": absolute_url(reverse("accounts:profile")),
        }
        name = f"emails/notification_{notification.kind}"
        subject = " ".join(render_to_string(f"{name}-subject.txt", context).split())
        text = render_to_string(f"{name}-body-text.txt", context)
        html = render_to_string(f"{name}-body-html.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": message_id(),
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            "X-Leeway-Notification": str(notification.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def queue_reminder_message(*, manager, count: int, oldest: list) -> EmailMultiAlternatives:
    """The daily reminder to a manager: how many stories have waited too long, the oldest few, a link to the queue."""
    language = manager.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(time_zone_for(manager)):
        context = {
            "recipient": manager,
            "count": count,
            "oldest": oldest,
            "url": absolute_url(reverse("recognition:queue")),
            "preferences_url": absolute_url(reverse("accounts:profile")),
        }
        subject = " ".join(render_to_string("emails/queue_reminder-subject.txt", context).split())
        text = render_to_string("emails/queue_reminder-body-text.txt", context)
        html = render_to_string("emails/queue_reminder-body-html.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[manager.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message
