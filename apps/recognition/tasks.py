"""Celery entry points: thin, idempotent wrappers around services."""

import smtplib

from celery import shared_task

from apps.core import outbox

from . import services


@shared_task(name="recognition.send_notification_email", ignore_result=True)
def send_notification_email(notification_id: int) -> bool:
    """The first attempt, right after the write commits. A failed send goes back to the outbox, whose drain retries
    it with a growing wait (services.outbox_retry_after): one schedule for every retry, not two competing ones."""
    try:
        return services.notification_email_send(notification_id=notification_id)
    except (smtplib.SMTPException, OSError):
        return False


@shared_task(name="recognition.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    return services.outbox_drain(until=outbox.sending_deadline())


@shared_task(name="recognition.send_outcome_reminders", ignore_result=True)
def send_outcome_reminders() -> int:
    return services.outcome_reminders_send()


@shared_task(name="recognition.nudge_waiting", ignore_result=True)
def nudge_waiting() -> dict:
    """Automatic approvals, escalations and the managers' daily reminders (each idempotent)."""
    return services.waiting_queue_nudge()
