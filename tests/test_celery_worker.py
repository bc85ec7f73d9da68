"""The Celery setup really works: a worker started like `make run` starts it answers on each broker."""

import uuid

from celery import Celery
from django.conf import settings


def test_a_worker_on_the_embedded_file_broker_runs_a_task(start_celery_worker, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    broker_dir, results_dir = tmp_path / "celery" / "broker", tmp_path / "celery" / "results"
    broker_dir.mkdir(parents=True)
    results_dir.mkdir(parents=True)
    start_celery_worker("--queues", queue, REDIS_URL="", LEEWAY_VAR_DIR=str(tmp_path))
    # set_as_current=False: a second app must not become the one every shared task publishes through.
    client = Celery(
        set_as_current=False,
        broker="filesystem://",
        backend=f"file://{results_dir}",
        broker_transport_options={
            "data_folder_in": str(broker_dir),
            "data_folder_out": str(broker_dir),
            "control_folder": str(tmp_path / "celery" / "control"),
        },
    )

    result = client.send_task("core.ping", args=["from the file broker"], queue=queue)

    assert result.get(timeout=60) == "from the file broker"


def test_a_worker_on_redis_runs_a_task(start_celery_worker):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    start_celery_worker("--queues", queue)
    client = Celery(set_as_current=False, broker=settings.CELERY_BROKER_URL, backend=settings.CELERY_RESULT_BACKEND)

    result = client.send_task("core.ping", args=["from redis"], queue=queue)

    assert result.get(timeout=60) == "from redis"
