from celery import shared_task

from . import services


@shared_task(name="leaderboards.refresh")
def refresh() -> int:
    """Beat, every few minutes: the current periods feel live, ended periods are finalised, missed badges awarded."""
    return len(services.leaderboards_refresh())
