"""Celery entry points: thin, idempotent wrappers around services."""

import smtplib

from celery import shared_task

from . import services


@shared_task(
    name="recognition.send_notification_email",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.MAX_EMAIL_ATTEMPTS - 1,
)
def send_notification_email(notification_id: int) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@shared_task(name="recognition.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    return services.outbox_drain()
