"""The digest email: one per person, in their language, HTML and plain text, with a one-click unsubscribe."""

import datetime
import email.policy
import functools
import re
from email.utils import formatdate
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from apps.core.emails import RenderedEmail, email_message, recipient_language, render_email
from apps.core.links import absolute_url
from apps.leaderboards.periods import week_number
from apps.org.selectors import time_zone_for

from .content import has_news
from .models import Delivery, Digest
from .presenters import edition_title, personal_line, present

UNSUBSCRIBE_SALT = "digests.unsubscribe"
# A link in an old email stops working after this; the profile always can.
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=60)


class UnsubscribeLinkExpired(Exception):
    pass


def unsubscribe_token(user) -> str:
    # Bound to the address too: a link forwarded before an address change stops working after it.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_unsubscribe_token(token: str):
    """The person a token was made for, or None if it was tampered with or the address has changed. Raises
    UnsubscribeLinkExpired for a genuine link older than UNSUBSCRIBE_MAX_AGE."""
    from apps.accounts.models import User

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise UnsubscribeLinkExpired from None
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    return user if user and user.email == data.get("e") else None


def unsubscribe_url(user) -> str:
    return absolute_url(reverse("digest_unsubscribe", args=[unsubscribe_token(user)]))


def email_context(*, digest: Digest, writes_stories: bool) -> dict:
    """What the three templates need, in the active language, but for the reader's own words (their name, personal
    lines and unsubscribe link: see render_digest_email). The sections read the same for every reader of one digest in
    one language, but for the quiet-week line, which depends on whether they write stories."""
    urls = {
        "digest_url": absolute_url(reverse("digests:detail", args=[digest.pk])),
        "leaderboard_url": absolute_url(f"{reverse('leaderboards:index')}?week={digest.edition.week_start:%Y-%m-%d}"),
    }
    sections = present(digest)
    for section in ("celebrated", "most_endorsed", "first_stories"):
        for story in sections[section]:
            story["url"] = absolute_url(story["path"])
    shared = {"sections": sections, "writes_stories": writes_stories, **urls}
    return {
        "digest": digest,
        "edition": digest.edition,
        "week_number": week_number(digest.edition.week_start),
        "week_title": edition_title(digest.edition),
        "sections": sections,
        "sections_html": mark_safe(render_to_string("emails/digest-sections.html", shared)),
        "sections_text": render_to_string("emails/digest-sections.txt", shared),
        "writes_stories": writes_stories,
        "url": urls["digest_url"],
        **urls,
    }


# Where a recipient's own words go in an email rendered once for every reader of a digest in one language (see
# render_digest_email): characters of Unicode's private use area, which no text of Leeway's contains.
_NAME_MARK, _UNSUBSCRIBE_MARK = "\ue000name\ue000", "\ue000unsubscribe\ue000"


def _line_mark(index: int) -> str:
    return f"\ue000line{index}\ue000"


def _html_text(text: str) -> str:
    """Text escaped as the CSS inliner writes it (only &, < and >; quotes stay), so that a substituted line reads
    exactly as one the inliner had written itself."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


# A digest's personal lines are at most eight (presenters.personal_line); the email is rendered with a mark for each,
# and the paragraphs of the marks a recipient has no line for are taken out.
PERSONAL_LINES_AT_MOST = 8


@functools.cache
def _unused_lines(first: int, marks: int) -> re.Pattern:
    """The marks from `first` on (one pass over the email), with the paragraph around each in HTML."""
    mark = "(?:" + "|".join(re.escape(_line_mark(index)) for index in range(first, marks)) + ")"
    return re.compile(rf"<p\b[^>]*>(?:<strong\b[^>]*>)?{mark}(?:</strong>)?</p>\s*|{mark}\n?")


def _without_unused_lines(template: tuple[str, str, str], lines: int, marks: int) -> tuple[str, str, str]:
    """The rendered email without the paragraphs of the marks from `lines` on (a reader with fewer personal lines)."""
    subject, text, html = template
    if lines >= marks:
        return template
    unused = _unused_lines(lines, marks)
    return subject, re.sub(r"\n{3,}", "\n\n", unused.sub("", text)), unused.sub("", html)


def _fill(template: tuple[str, str, str], values: dict[str, str]) -> tuple[str, str, str]:
    subject, text, html = template
    for mark, value in values.items():
        text = text.replace(mark, value)
        html = html.replace(mark, _html_text(value))
    return subject, text, html


def render_digest_email(
    *,
    digest: Digest,
    recipient,
    personal: dict,
    situation: dict | None = None,
    presented: dict | None = None,
    unsubscribe_link: str | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's own language, with words that fit where they stand.

    Rendering a whole email and inlining its CSS costs milliseconds; a week has thousands of recipients and only a
    few different emails: one per digest, language and kind of reader. Each is rendered once (and kept in `presented`:
    the sender passes one per batch), with marks where the reader's name, personal lines and unsubscribe link go, and
    the marks are then replaced for each recipient (their words escaped as the inliner escapes text; the paragraphs of
    unused marks removed). The sender passes `unsubscribe_link` when it has made it already."""
    from .selectors import reader_situation

    if situation is None:
        situation = reader_situation(user=recipient)
    language = recipient_language(recipient)
    with translation.override(language), timezone.override(time_zone_for(recipient)):
        lines = personal_line(personal or {}, situation, week=week_number(digest.edition.week_start))
    values = {
        _NAME_MARK: recipient.first_name or recipient.display_name,
        _UNSUBSCRIBE_MARK: unsubscribe_link or unsubscribe_url(recipient),
        **{_line_mark(index): line for index, line in enumerate(lines)},
    }
    presented = presented if presented is not None else {}
    marks = max(PERSONAL_LINES_AT_MOST, len(lines))
    writes_stories = situation.get("role") == "agent"
    # Whether the reader writes stories changes only a quiet week's closing line: in a week with news, both kinds of
    # reader get the same email.
    key = (digest.pk, language, writes_stories if not has_news(digest.content) else None, marks)
    rendering = presented.get(key)
    if rendering is None:
        reader = SimpleNamespace(first_name=_NAME_MARK, display_name=_NAME_MARK, language=language, time_zone="")
        with translation.override(language):
            context = email_context(digest=digest, writes_stories=writes_stories)
        context |= {
            "personal_line": [_line_mark(index) for index in range(marks)],
            "unsubscribe_url": _UNSUBSCRIBE_MARK,
        }
        rendered = render_email("emails/digest", context, recipient=reader)
        # With the content it was made from: a sender keeping it for the next batch checks it has not changed since.
        rendering = presented[key] = ((rendered.subject, rendered.text, rendered.html), {}, digest.content)
    # Taking the unused paragraphs out is a pass of a regular expression over the whole email: once per rendering and
    # number of lines (kept beside the rendering), rather than once per reader.
    template, trimmed, _content = rendering
    if len(lines) not in trimmed:
        trimmed[len(lines)] = _without_unused_lines(template, len(lines), marks)
    return _fill(trimmed[len(lines)], values)


def keep_renderings_of(presented: dict, *, digests: list[Digest]) -> None:
    """Forgets the renderings `presented` keeps for other digests, and for a digest whose content changed since it was
    rendered (a person erased meanwhile is taken out of every digest): a sender keeps it from batch to batch."""
    contents = {digest.pk: digest.content for digest in digests}
    stale = [
        key
        for key, (_template, _trimmed, content) in presented.items()
        if key[0] not in contents or contents[key[0]] != content
    ]
    for key in stale:
        del presented[key]


def digest_message(
    *,
    digest: Digest,
    recipient,
    personal: dict,
    delivery: Delivery | None = None,
    situation: dict | None = None,
    presented: dict | None = None,
) -> "DigestEmail":
    """The email itself. The sender passes `situation` (read for its whole batch at once; without it, it is read
    here in three queries, as for the admins' preview) and `presented` (see `render_digest_email`)."""
    # One link for the body and the header: signing it is a good part of what each email costs.
    link = unsubscribe_url(recipient)
    rendered_subject, text, html = render_digest_email(
        digest=digest,
        recipient=recipient,
        personal=personal,
        situation=situation,
        presented=presented,
        unsubscribe_link=link,
    )
    headers = {
        # RFC 8058: mail clients offer "unsubscribe" and POST to the link without opening it.
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Auto-Response-Suppress": "All",
    }
    if delivery is not None:
        headers["X-Leeway-Delivery"] = str(delivery.pk)
    rendered = RenderedEmail(subject=rendered_subject, text=text, html=html, language=recipient_language(recipient))
    return email_message(rendered, to=recipient.email, headers=headers, message_class=DigestEmail)


# --- The email's bytes --------------------------------------------------------------------------------------------
# Python's email package took 1.3 ms to write each digest out for the mail server, a fifth of what an email cost to
# send at 10,000 agents: it builds the MIME parts, then writes the bodies line by line and folds every header. All
# digests in one language are laid out alike, so Django writes that layout once (a skeleton: marks in place of the
# subject, the recipient, the date, the Message-ID, the link, the delivery and the two bodies) and each email is the
# skeleton with its own parts put in, each written as Django's writer writes it: the headers folded by the same
# policy, the bodies with the same line endings. An email the skeleton cannot hold exactly (a line longer than mail
# allows, which Django would encode) goes the ordinary way.

_POLICY = email.policy.compat32.clone(linesep="\r\n")  # what message().as_bytes(linesep="\r\n") writes with
_MARK = "leeway-skeleton-mark-"  # in no email of its own (the logo is leeway-mark-email.png)
# Each header that differs from one email to the next (by its name in lower case), and the mark in its place.
_MARKS = {
    "subject": f"{_MARK}subject",
    "to": f"{_MARK}to",
    "date": f"{_MARK}date",
    "message-id": f"{_MARK}message-id",
    "list-unsubscribe": f"<{_MARK}link>",
    "x-leeway-delivery": f"{_MARK}delivery",
}


@functools.lru_cache(maxsize=64)
def _skeleton(
    headers: tuple[tuple[str, str | None], ...], from_email: str, encoding: str, in_ascii: tuple[bool, bool]
) -> bytes | None:
    """The layout of every digest with these headers, in this order (None stands for a value that varies: a mark
    takes its place), and bodies in ASCII or not (text, html: Django says "7bit" or "8bit"), or None if a mark did
    not come through as it went in."""
    text_mark, html_mark = _body_mark_text("text", in_ascii[0]), _body_mark_text("html", in_ascii[1])
    message = EmailMultiAlternatives(
        subject=_MARKS["subject"],
        body=text_mark,
        from_email=from_email,
        to=[_MARKS["to"]],
        headers={name: _MARKS[name.lower()] if value is None else value for name, value in headers},
    )
    message.attach_alternative(html_mark, "text/html")
    message.encoding = encoding
    data = message.message().as_bytes(linesep="\r\n")
    # Django dates the message as it writes it: that line becomes a mark too.
    data, dated = re.subn(rb"\r\nDate: [^\r\n]*\r\n", b"\r\n" + _mark_line("Date"), data)
    names = ["Subject", "To", "Date", *(name for name, value in headers if value is None)]
    found = all(data.count(_mark_line(name)) == 1 for name in names)
    bodies = all(data.count(_body_mark(mark)) == 1 for mark in (text_mark, html_mark))
    return data if dated == 1 and found and bodies else None


def _mark_line(name: str) -> bytes:
    return f"{name}: {_MARKS[name.lower()]}\r\n".encode()


def _body_mark_text(part: str, in_ascii: bool) -> str:
    return f"{_MARK}{part}" + ("" if in_ascii else "\u00b7")


def _body_mark(mark: str) -> bytes:
    """Where a body goes: between its part's headers and the next boundary."""
    return b"\r\n\r\n" + mark.encode() + b"\r\n--"


def _body(payload: str) -> bytes | None:
    """A body as the writer writes it, or None if a line is longer than mail allows (Django encodes such a body
    rather than send it as it is). Lines are counted in bytes, as Django counts them; the rarer separators it also
    splits at are not, which can only find a line too long, never miss one."""
    # \r\n, \r and \n all end a line, each written as \r\n.
    data = payload.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode()
    return None if max(map(len, data.split(b"\r\n"))) > RFC5322_EMAIL_LINE_LENGTH_LIMIT else data


class DigestEmail(EmailMultiAlternatives):
    """A digest email that can also give the bytes for the mail server from its skeleton (see above)."""

    def prepared_bytes(self) -> bytes | None:
        """What `message().as_bytes(linesep="\r\n")` gives, but for the boundary between its parts (the same for all
        emails of a skeleton), or None for an email the skeleton cannot hold."""
        encoding = self.encoding or settings.DEFAULT_CHARSET
        if (
            # As a digest is made: one recipient, a Message-ID of its own, a text and an HTML body, nothing else.
            len(self.to) != 1
            or self.cc
            or self.bcc
            or self.reply_to
            or self.attachments
            or "Message-ID" not in self.extra_headers
            or not self.body
            or [mimetype for _content, mimetype in self.alternatives] != ["text/html"]
            # Django writes UTF-8 bodies as they are; in another charset it encodes them.
            or encoding != "utf-8"
        ):
            return None
        [(html, _mimetype)] = self.alternatives
        varying = {name.lower() for name in self.extra_headers} & _MARKS.keys()
        headers = tuple(
            (name, None if name.lower() in varying else value) for name, value in self.extra_headers.items()
        )
        in_ascii = (self.body.isascii(), html.isascii())
        skeleton = _skeleton(headers, self.from_email, encoding, in_ascii)
        text, html = _body(self.body), _body(html)
        if skeleton is None or text is None or html is None:
            return None
        boundary = re.search(rb'boundary="([^"]+)"', skeleton).group(1)
        values = {
            "Subject": self.subject,
            "To": self.to[0],
            "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            **{name: value for name, value in self.extra_headers.items() if name.lower() in varying},
        }
        # Nothing put in may read like a mark or the boundary: it would be taken for one.
        if any(_MARK in str(value) for value in values.values()) or any(
            _MARK.encode() in body or boundary in body for body in (text, html)
        ):
            return None
        for name, value in values.items():
            folded = _POLICY.fold_binary(name, forbid_multi_line_headers(name, value, encoding)[1])
            skeleton = skeleton.replace(_mark_line(name), folded)
        for part, body_in_ascii, body in (("text", in_ascii[0], text), ("html", in_ascii[1], html)):
            skeleton = skeleton.replace(
                _body_mark(_body_mark_text(part, body_in_ascii)), b"\r\n\r\n" + body + b"\r\n--"
            )
        return skeleton
