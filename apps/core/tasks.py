import smtplib

from celery import shared_task

from . import outbox, services


@shared_task(name="core.ping")
def ping(value: str = "pong") -> str:
    """Proves a worker is listening: returns what it was given."""
    return value


@shared_task(name="core.send_account_email", ignore_result=True)
def send_account_email(email_id: int) -> bool:
    """The first attempt, right after the request commits; a temporary failure is retried by the drain."""
    try:
        return services.account_email_send(email_id=email_id)
    except (smtplib.SMTPException, OSError):
        return False


@shared_task(name="core.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    return services.account_emails_drain(until=outbox.sending_deadline())
