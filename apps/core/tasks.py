from celery import shared_task


@shared_task(name="core.ping")
def ping(value: str = "pong") -> str:
    """Proves a worker is listening: returns what it was given."""
    return value
