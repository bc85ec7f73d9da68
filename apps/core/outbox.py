"""The email outbox that notifications and account emails go through (digests have their own delivery rows).

A row is written in the transaction of the change it announces; its email is handed to Celery once that transaction
commits, and a periodic drain sends whatever the broker missed. Before sending, a worker claims the row with a
conditional UPDATE (pending → sending), so that of any number of tasks and drains exactly one sends it. A temporary
failure (connection refused, timeout, a 4xx answer) goes back to the outbox and is retried later, waiting longer each
time; a permanent refusal of the message (a 5xx answer) fails at once. Failed rows are listed in the admin, which can
send them again.
"""

import datetime
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .mail import is_permanent_failure
from .models import OutboxEmail

logger = logging.getLogger(__name__)

Status = OutboxEmail.EmailStatus

# An email is tried this many times before it is marked failed.
MAX_EMAIL_ATTEMPTS = 5
# After a failed attempt the outbox waits before the next one, longer each time (2, 8, 32, 128 minutes), so that
# a mail server down for maintenance loses nothing: the last attempt comes almost three hours after the first.
OUTBOX_RETRY_AFTER = datetime.timedelta(minutes=2)
OUTBOX_RETRY_FACTOR = 4
# A row still "sending" after this long belonged to a worker that died mid-send. It is not sent again: one lost
# email is better than two. It shows as failed in the admin, which can send it again.
OUTBOX_STUCK_AFTER = datetime.timedelta(hours=1)


def outbox_retry_after(attempts: int) -> datetime.timedelta:
    return OUTBOX_RETRY_AFTER * OUTBOX_RETRY_FACTOR ** max(attempts - 1, 0)


def sending_deadline() -> float:
    """When a task that sends email after email stops starting new ones (a time.monotonic() value): half its soft time
    limit, so that it ends on its own, between two emails, never stopped by the limit in the middle of one."""
    return time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2


def enqueue(task, row_id: int) -> None:
    """Hands a row's email to Celery. A broker outage is logged, never shown: the drain sends it later."""
    try:
        # Not the pooled connection: with a broker down it retries for seconds while the person waits. This one
        # tries once and waits a second at most (a hung Redis), and the drain catches up within a minute.
        options = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1, "retry_on_timeout": False}
        with task.app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=[row_id], retry=False, connection=connection)
    except Exception:
        logger.warning("Broker unavailable; %s %s stays in the outbox", task.name, row_id, exc_info=True)


def claim(model: type[OutboxEmail], row_id: int) -> bool:
    """Takes a pending row for this worker; False if another one has it, or it is no longer pending."""
    return bool(
        model.objects.filter(pk=row_id, email_status=Status.PENDING).update(
            email_status=Status.SENDING, email_claimed_at=timezone.now(), email_attempts=F("email_attempts") + 1
        )
    )


def deliver(row: OutboxEmail, message) -> bool:
    """Sends a claimed row's message and records the outcome. A temporary failure gives the row back to the outbox
    (until MAX_EMAIL_ATTEMPTS) and re-raises; a permanent one marks it failed at once. Returns True if it was sent."""
    rows = type(row).objects.filter(pk=row.pk)
    try:
        if message.send() != 1:
            raise RuntimeError("The mail server did not accept the message.")
    except SoftTimeLimitExceeded:
        raise  # stopped mid-send: the row stays `sending`, in doubt, and is never resent automatically
    except Exception as error:
        permanent = is_permanent_failure(error)
        give_up = permanent or row.email_attempts >= MAX_EMAIL_ATTEMPTS
        rows.update(
            email_status=Status.FAILED if give_up else Status.PENDING,
            email_error=f"{type(error).__name__}: {error}"[:300],
        )
        if give_up:
            reason = "refused for good" if permanent else f"failed {row.email_attempts} times"
            logger.error("Giving up on %s %s: %s (%s)", type(row).__name__, row.pk, reason, error)
            return False
        raise
    rows.update(email_status=Status.SENT, email_sent_at=timezone.now(), email_error="")
    return True


def drain(model: type[OutboxEmail], send_one, *, limit: int = 200, until: float | None = None) -> int:
    """Sends the emails still waiting (the broker was down, a worker was busy or failed) whose retry is due, with
    `send_one(row_id)`, until the time.monotonic() value `until`. The first failure ends the run: the mail server is
    probably down or hanging, and the next run tries again. Rows stuck in `sending` are marked failed. Returns how
    many were sent."""
    now = timezone.now()
    model.objects.filter(email_status=Status.SENDING, email_claimed_at__lt=now - OUTBOX_STUCK_AFTER).update(
        email_status=Status.FAILED, email_error="Interrupted while sending; not retried."
    )
    waiting = (
        model.objects.filter(email_status=Status.PENDING)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - OUTBOX_RETRY_AFTER))
        .order_by("created_at", "pk")
        .values_list("pk", "email_attempts", "email_claimed_at")[:limit]
    )
    due = [
        pk for pk, attempts, tried_at in waiting if tried_at is None or now - tried_at >= outbox_retry_after(attempts)
    ]
    sent = 0
    for row_id in due:
        if until is not None and time.monotonic() >= until:
            break
        try:
            sent += send_one(row_id)
        except Exception:
            logger.warning("%s %s could not be sent yet; the others wait for the next run", model.__name__, row_id)
            break
    return sent


def retry_failed(queryset) -> int:
    """An admin's decision to send failed emails again (e.g. after fixing the mail server); sent ones never go twice."""
    return queryset.filter(email_status=Status.FAILED).update(
        email_status=Status.PENDING, email_attempts=0, email_claimed_at=None
    )
