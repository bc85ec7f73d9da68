"""Celery entry points: thin, idempotent, taking ids. The rules are in services.py."""

from celery import shared_task

from apps.core import outbox

from . import services

MAX_RETRIES = 6


def _own_queue(task) -> str | None:
    """The queue a task came from: the senders it starts go there, so that workers given their own queue keep the
    work."""
    return (task.request.delivery_info or {}).get("routing_key") or None


@shared_task(bind=True, name="digests.dispatch_due")
def dispatch_due(self) -> list[int]:
    """Beat, every few minutes: build the week once its moment has passed, then send in batches."""
    queue = _own_queue(self)
    editions = services.digests_dispatch_due()
    for edition_id in editions:
        # A few senders share the work (their claims never overlap); each sends batch after batch.
        for _ in range(min(services.pending_batches(edition_id=edition_id), 4) or 1):
            send_pending.apply_async((edition_id,), queue=queue)
    return editions


@shared_task(bind=True, name="digests.send_pending", max_retries=MAX_RETRIES)
def send_pending(self, edition_id: int) -> int:
    """Sends what is due for one week. Failed emails wait for their next attempt (with backoff): this task retries
    then, a capped number of times; the beat also picks them up."""
    result = services.deliveries_send_pending(edition_id=edition_id, until=outbox.sending_deadline())
    if result.stopped_early:  # well inside the time limit: a fresh task carries on where this one stopped
        send_pending.apply_async((edition_id,), queue=_own_queue(self))
        return result.sent
    retry_in = services.next_retry_in(edition_id=edition_id)
    if retry_in is not None and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=retry_in)
    return result.sent
