from celery import shared_task

from . import services


@shared_task(name="leaderboards.refresh")
def refresh() -> int:
    """Beat, every two minutes: the current periods feel live, ended periods are finalised."""
    return len(services.leaderboards_refresh())


@shared_task(name="leaderboards.award_missed_badges")
def award_missed_badges() -> None:
    """Beat, hourly: badges are awarded as events happen; this catches any that were missed (idempotent). Apart from
    the refresh, which it would otherwise make go through everyone's whole history after every change."""
    services.badges_award()
