"""Email helpers: the backend for machines without SMTP (each message becomes a readable .eml file under var/mail/),
which SMTP failures are permanent, and Leeway's Message-IDs."""

import datetime
import smtplib
import uuid
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent


def is_permanent_failure(error: Exception) -> bool:
    """The mail server refused this message for good (a 5xx answer to its sender, recipient or content), so trying
    again would only be refused again. Everything else (connection refused, timeout, 4xx, a broken conversation, a
    server that rejects our login) is temporary: the message waits and is tried again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def message_id() -> str:
    """A Message-ID in Leeway's own domain (that of LEEWAY_BASE_URL), not the machine's name, e.g. @localhost."""
    return make_msgid(domain=urlsplit(settings.LEEWAY_BASE_URL).hostname or "localhost")
