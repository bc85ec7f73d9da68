"""Account emails (sign-up confirmation, password reset, …): queued in the request, sent by a worker via the outbox."""

from functools import partial

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from . import outbox
from .mail import message_id
from .models import AccountEmail


def account_email_queue(*, message: EmailMessage) -> AccountEmail:
    """Puts an email rendered by allauth in the outbox; a worker sends it once the request's transaction commits."""
    from .tasks import send_account_email

    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    email = AccountEmail.objects.create(
        to=message.to[0],
        subject=message.subject,
        body_text=message.body,
        body_html=html,
        headers=dict(message.extra_headers),
    )
    transaction.on_commit(partial(outbox.enqueue, send_account_email, email.pk))
    return email


def account_email_send(*, email_id: int) -> bool:
    """Sends one account email, at most once. Returns True if this call sent it."""
    if not outbox.claim(AccountEmail, email_id):
        return False
    email = AccountEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        to=[email.to],
        headers={**email.headers, "Message-ID": message_id()},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    sent = outbox.deliver(email, message)
    if sent:
        # The links it carried (confirmation, password reset) are secrets: they leave the database once delivered.
        AccountEmail.objects.filter(pk=email_id).update(body_text="", body_html="")
    return sent


def account_emails_drain(*, until: float | None = None) -> int:
    return outbox.drain(AccountEmail, lambda email_id: account_email_send(email_id=email_id), until=until)
