"""Every email Leeway sends is rendered here: one layout (`emails/base.html` and `emails/base.txt`), in the recipient's
language and time zone, with the CSS inlined for mail clients that drop <style> (Gmail's apps, Outlook).

An email is three templates side by side. Leeway's own are named `<name>-subject.txt`, `-body-text.txt`,
`-body-html.html` (under templates/emails/); allauth's are `<prefix>_subject.txt`, `_message.txt`, `_message.html`
(templates/account/email/, templates/mfa/email/, …). Both bodies extend the shared layout: the HTML one
`emails/base.html`, the plain-text one `emails/base.txt`.
"""

import dataclasses
from functools import cache

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .links import absolute_url
from .mail import message_id

LEEWAY_NAMES = ("{}-subject.txt", "{}-body-text.txt", "{}-body-html.html")
ALLAUTH_NAMES = ("{}_subject.txt", "{}_message.txt", "{}_message.html")


@dataclasses.dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str


@cache
def _inliner() -> css_inline.CSSInliner:
    # Never fetch anything: every style the layout needs is in its own <style> blocks.
    return css_inline.CSSInliner(load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """Moves the layout's CSS into style attributes; the <style data-css-inline="keep"> block (narrow screens, dark
    mode: what cannot be inlined) stays in the head for the clients that read it."""
    return _inliner().inline(html)


def recipient_language(recipient) -> str:
    language = getattr(recipient, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def organisation_name() -> str:
    from apps.org.models import Organisation

    return Organisation.current().name


def render_email(
    name: str,
    context: dict,
    *,
    recipient=None,
    language: str | None = None,
    names: tuple[str, str, str] = LEEWAY_NAMES,
) -> RenderedEmail:
    """Renders one email in the recipient's language (or `language`, for someone without an account) and time zone.

    The layout receives `organisation`, `base_url`, `home_url`, `recipient` and, unless the email sets its own,
    `preferences_url` (None hides the footer's link to the notification settings)."""
    from apps.org.selectors import time_zone_for

    language = language or recipient_language(recipient)
    subject_name, text_name, html_name = (pattern.format(name) for pattern in names)
    with translation.override(language), timezone.override(time_zone_for(recipient)):
        context = {
            "organisation": organisation_name(),
            "base_url": settings.LEEWAY_BASE_URL,
            "home_url": absolute_url("/"),
            "logo_url": absolute_url(f"{settings.STATIC_URL}img/leeway-mark-email.png"),
            "recipient": recipient,
            "preferences_url": absolute_url(reverse("accounts:profile")) if recipient is not None else None,
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = " ".join(render_to_string(subject_name, context).split())
        context["subject"] = subject
        text = _tidy_text(render_to_string(text_name, context))
        html = inline_css(render_to_string(html_name, context))
    return RenderedEmail(subject=subject, text=text, html=html, language=language)


def _tidy_text(text: str) -> str:
    """Templates leave blank lines where a block was empty: at most one blank line in a row, none at the ends."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def email_message(
    rendered: RenderedEmail,
    *,
    to: str,
    headers: dict | None = None,
    connection=None,
    message_class: type[EmailMultiAlternatives] = EmailMultiAlternatives,
) -> EmailMultiAlternatives:
    """The message for a rendered email: plain text with an HTML alternative, marked as sent by a machine."""
    message = message_class(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id(),
            "Auto-Submitted": "auto-generated",
            "Content-Language": rendered.language,
            **(headers or {}),
        },
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
