"""A worker killed (SIGKILL) in the middle of sending the week's digests: the next tick sends everybody else without
waiting long, the one email in flight is "in doubt" (shown to admins, never resent on its own), and one click resends
it. At most once per email; none silently lost."""

import datetime
import os
import signal
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.digests.models import Delivery
from apps.digests.services import IN_DOUBT
from apps.digests.tasks import dispatch_due
from apps.org.models import Organisation
from config.celery_app import app as celery_app
from tests.factories import UserFactory, a_week_to_celebrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]

LEASE_SECONDS = 2


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def statuses() -> dict[str, str]:
    return dict(Delivery.objects.values_list("recipient__email", "status"))


def test_a_worker_killed_mid_send_loses_nothing_silently_and_sends_nothing_twice(
    start_celery_worker, smtp_server, client
):
    inbox, port = smtp_server
    week = a_week_to_celebrate(when=timezone.now() - datetime.timedelta(days=1))
    org = Organisation.current()
    org.digest_weekday, org.digest_time, org.time_zone = timezone.now().weekday(), datetime.time(0, 0), "UTC"
    org.save()
    people = sorted(week[name].email for name in ("ana", "tom", "mei", "manager"))
    queue = f"digests-{uuid.uuid4().hex[:8]}"
    worker_env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "LEEWAY_DIGEST_CLAIM_LEASE": str(LEASE_SECONDS)}
    inbox.hang_at = 2  # the mail server takes the second email and hangs: the worker is killed right then

    doomed = start_celery_worker("--queues", queue, **worker_env)
    dispatch_due.apply_async(queue=queue)
    assert inbox.hanging.wait(timeout=90), statuses()
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()

    in_flight = Delivery.objects.get(status="sending")
    assert sorted(statuses().values()) == ["claimed", "claimed", "sending", "sent"]

    # The next tick, a lease later (not 15 minutes): another worker sends the two that never left.
    time.sleep(LEASE_SECONDS + 1)
    celery_app.control.purge()  # the default queue (where the admin's resend goes) holds nothing of other tests
    start_celery_worker("--queues", f"{queue},celery", **worker_env)
    dispatch_due.apply_async(queue=queue)
    assert wait_until(lambda: Delivery.objects.filter(status="sent").count() == 3), statuses()

    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.last_error) == ("failed", IN_DOUBT)
    received = sorted(message["X-Envelope-To"] for message in inbox.messages)
    assert received == sorted(set(people) - {in_flight.recipient.email})

    # An admin sees it among the failed ones and resends it with one click.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    failed = client.get(reverse("admin:digests_delivery_changelist") + "?status__exact=failed").content.decode()
    assert str(in_flight.recipient) in failed and "Resend" in failed
    resend = reverse("admin:digests_delivery_resend", args=[in_flight.pk])
    assert f'formaction="{resend}"' in failed
    client.post(resend)

    assert wait_until(lambda: Delivery.objects.get(pk=in_flight.pk).status == "sent"), statuses()
    time.sleep(2)  # anything extra would arrive now
    assert sorted(message["X-Envelope-To"] for message in inbox.messages) == people


def test_the_resend_button_answers_only_admins_and_only_to_post(client, an_agent):
    client.force_login(an_agent)

    response = client.post(reverse("admin:digests_delivery_resend", args=[1]))

    assert response.status_code == 302 and "/admin/login/" in response.url
