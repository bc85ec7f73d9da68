"""One email per notification kind: `emails/notification_<kind>-subject.txt`, `-body-text.txt`, `-body-html.html`.

Emails are rendered in the recipient's language and time zone. They never carry a review's private content (its
messages or lesson): they say what happened and link to the page, where access is checked.
"""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from apps.core.emails import email_message, render_email
from apps.core.links import absolute_url

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
    context = {
        "notification": notification,
        "actor_name": notification.actor.display_name if notification.actor else "Leeway",
        "decision": decision,
        "story": decision.action,
        "comment": comment,
        "url": absolute_url(notification_link(notification)),
    }
    rendered = render_email(f"emails/notification_{notification.kind}", context, recipient=recipient)
    return email_message(rendered, to=recipient.email, headers={"X-Leeway-Notification": str(notification.pk)})


def queue_reminder_message(*, manager, count: int, oldest: list) -> EmailMultiAlternatives:
    """The daily reminder to a manager: how many stories have waited too long, the oldest few, a link to the queue."""
    context = {"count": count, "oldest": oldest, "url": absolute_url(reverse("recognition:queue"))}
    rendered = render_email("emails/queue_reminder", context, recipient=manager)
    return email_message(rendered, to=manager.email)
