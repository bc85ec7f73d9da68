"""End to end, as in production: real Celery workers on Redis send the week's digests to a real SMTP server."""

import datetime
import time
import uuid

import pytest
from django.utils import timezone

from apps.digests.models import Delivery
from apps.digests.tasks import dispatch_due
from apps.org.models import Organisation
from tests.factories import a_week_to_celebrate

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def test_two_workers_and_repeated_ticks_send_each_person_exactly_one_email(start_celery_worker, smtp_server):
    inbox, port = smtp_server
    week = a_week_to_celebrate(when=timezone.now() - datetime.timedelta(days=1))
    org = Organisation.current()
    # The digest time of this week has just passed: today, at midnight.
    org.digest_weekday, org.digest_time, org.time_zone = timezone.now().weekday(), datetime.time(0, 0), "UTC"
    org.save()
    people = sorted(week[name].email for name in ("ana", "tom", "mei", "manager"))
    # A queue of this test's own: no other worker on the same Redis takes its tasks.
    queue = f"digests-{uuid.uuid4().hex[:8]}"

    start_celery_worker("--queues", queue, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    start_celery_worker("--queues", queue, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    for _ in range(3):  # the beat ticking again, and again, while the first tick is still at work
        dispatch_due.apply_async(queue=queue)

    all_sent = wait_until(lambda: Delivery.objects.filter(status="sent").count() == len(people), timeout=120)
    assert all_sent, list(Delivery.objects.values_list("recipient__email", "status", "attempts", "last_error"))
    time.sleep(2)  # anything extra would arrive now
    assert sorted(message["X-Envelope-To"] for message in inbox.messages) == people
    by_recipient = {message["X-Envelope-To"]: message for message in inbox.messages}
    assert by_recipient[week["ana"].email]["Content-Language"] == "es"
    assert by_recipient[week["tom"].email]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert by_recipient[week["tom"].email].is_multipart()
