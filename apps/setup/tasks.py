"""Celery entry points: thin, idempotent wrappers around services."""

from celery import shared_task

from . import services


@shared_task(name="setup.send_invitations", ignore_result=True)
def send_invitations() -> int:
    return services.invitations_send_pending()


@shared_task(name="setup.run_people_import", ignore_result=True)
def run_people_import(people_import_id: int) -> bool:
    return services.people_import_run(people_import_id=people_import_id)
