"""The weekly digest goes to the mail server as its language's layout, written once, with each email's own headers
and bodies put in: byte for byte what Django itself writes, in every language, for names and addresses of any kind;
an email the layout cannot hold goes the ordinary way."""

import datetime
import email
import email.policy
import re

import pytest
import time_machine

from apps.digests.emails import digest_message
from apps.digests.models import Delivery
from apps.digests.selectors import reader_situations
from apps.digests.services import deliveries_send_pending, edition_build
from tests.factories import TeamFactory, a_week_to_celebrate, agent

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC)
WEEK = datetime.date(2026, 11, 16)


@pytest.fixture
def week(db):
    with time_machine.travel(WHEN, tick=False):
        week = a_week_to_celebrate(when=WHEN)
        week["others"] = [
            agent(week["team"], first_name="Zoë & <Ünal>", last_name="O'Brien", language="nl"),
            agent(week["team"], first_name="Chloé", last_name="Ñúñez", language="es", email="chloé@acme.example"),
            agent(week["team"], first_name="A" * 90, last_name="Long", email=f"{'a' * 60}@{'b' * 40}.example"),
        ]
        # A team whose digest's subject is long and not in ASCII: Django encodes and folds it.
        far = TeamFactory(department=week["team"].department, name="Atención al cliente " + "ñ" * 40 + " Zuid")
        agent(far, first_name="Far", language="es")
    return week


def _messages(edition) -> list:
    """Every delivery's email as the sender makes them: one batch, sharing its renderings."""
    deliveries = list(Delivery.objects.filter(edition=edition).select_related("recipient", "digest__edition"))
    situations = reader_situations(user_ids=[d.recipient_id for d in deliveries])
    presented: dict = {}
    return [
        digest_message(
            digest=d.digest,
            recipient=d.recipient,
            personal=d.personal,
            delivery=d,
            situation=situations[d.recipient_id],
            presented=presented,
        )
        for d in deliveries
    ]


def _read(data: bytes) -> dict:
    message = email.message_from_bytes(data, policy=email.policy.default)
    return {
        "to": str(message["To"]),
        "type": message.get_content_type(),
        "text": message.get_body(preferencelist=("plain",)).get_content(),
        "html": message.get_body(preferencelist=("html",)).get_content(),
    }


def _same_boundary(data: bytes) -> bytes:
    """The email with its parts' boundary (chosen at random as it is written) made one and the same."""
    return data.replace(re.search(rb'boundary="([^"]+)"', data).group(1), b"==boundary==")


def test_each_reader_gets_byte_for_byte_what_django_writes(week):
    edition = edition_build(week_start=WEEK, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        messages = _messages(edition)

        for message in messages:
            prepared, written = message.prepared_bytes(), message.message().as_bytes(linesep="\r\n")
            assert prepared is not None, message.to
            assert _same_boundary(prepared) == _same_boundary(written)

        # Bodies all in ASCII are said to be "7bit", as Django says.
        plain = messages[0]
        plain.body, plain.alternatives = "Plain words.\n", []
        plain.attach_alternative("<p>Plain words.</p>", "text/html")
        assert _same_boundary(plain.prepared_bytes()) == _same_boundary(plain.message().as_bytes(linesep="\r\n"))

    read = {message.to[0]: _read(message.prepared_bytes()) for message in messages[1:]}
    zoe, chloe, long = week["others"]
    assert "Hoi Zoë & <Ünal>," in read[zoe.email]["text"]
    assert "Zoë &amp; &lt;Ünal&gt;" in read[zoe.email]["html"]
    assert "Hola, Chloé" in read[chloe.email]["text"]
    assert read[long.email]["to"] == long.email


def test_the_mail_server_receives_each_reader_their_own_email(week, smtp_server, settings):
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    edition = edition_build(week_start=WEEK, now=AFTER)

    with time_machine.travel(AFTER, tick=False):
        deliveries_send_pending(edition_id=edition.pk)

    received = {message["X-Leeway-Delivery"]: message for message in inbox.wait_for(8)}
    deliveries = Delivery.objects.select_related("recipient")
    assert set(received) == {str(delivery.pk) for delivery in deliveries}
    tom = received[str(deliveries.get(recipient=week["tom"]).pk)]
    [text] = [part.get_payload(decode=True).decode() for part in tom.walk() if part.get_content_type() == "text/plain"]
    assert "Hi Tom," in text
    # Made from one skeleton per layout, not written anew each: a boundary shared by many emails shows it.
    boundaries = [message.get_boundary() for message in received.values()]
    assert len(set(boundaries)) < len(boundaries)


def test_an_email_the_layout_cannot_hold_goes_the_ordinary_way(week):
    edition = edition_build(week_start=WEEK, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        tom = next(message for message in _messages(edition) if message.to == [week["tom"].email])

    assert tom.prepared_bytes() is not None
    body = tom.body

    tom.body = body + "A line longer than mail allows: " + "x" * 1000 + "\n"
    assert tom.prepared_bytes() is None  # Django encodes such a body (quoted-printable) rather than send it as it is

    tom.body = body + "A story that quotes leeway-skeleton-mark-html word for word.\n"
    assert tom.prepared_bytes() is None  # it would be taken for the place of the HTML body

    tom.body, tom.encoding = body, "iso-8859-1"
    assert tom.prepared_bytes() is None  # Django encodes bodies in any other charset
