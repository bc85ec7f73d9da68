"""Celery entry points: thin, idempotent, taking ids. The rules are in services.py."""

from celery import shared_task

from . import services


@shared_task(name="integrations.deliver")
def deliver(delivery_id: int) -> None:
    """POSTs one message; a failed attempt schedules the next one (with backoff) until the last."""
    retry_in = services.delivery_send(delivery_id=delivery_id)
    if retry_in is not None:
        services.enqueue(delivery_id, countdown=retry_in)


@shared_task(name="integrations.drain")
def drain() -> int:
    return services.deliveries_drain()
