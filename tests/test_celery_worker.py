"""The Celery setup really works: a worker started like `make run` starts it answers on each broker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("celery-worker")


def _start_worker(env_overrides: dict, queue: str) -> subprocess.Popen:
    # The Redis URL is already this test process's own (see config/settings/test.py): do not derive it again.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTEST_XDIST_WORKER": "", **env_overrides}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _stop(worker: subprocess.Popen) -> str:
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output.decode(errors="replace")


def test_a_worker_on_the_embedded_file_broker_runs_a_task(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = _start_worker({"REDIS_URL": "", "LEEWAY_VAR_DIR": str(tmp_path)}, queue)
    try:
        broker_dir = tmp_path / "celery" / "broker"
        broker_dir.mkdir(parents=True, exist_ok=True)
        client = Celery(
            broker="filesystem://",
            backend=f"file://{tmp_path / 'celery' / 'results'}",
            broker_transport_options={"data_folder_in": str(broker_dir), "data_folder_out": str(broker_dir)},
        )
        (tmp_path / "celery" / "results").mkdir(parents=True, exist_ok=True)

        result = client.send_task("core.ping", args=["from the file broker"], queue=queue)

        assert result.get(timeout=60) == "from the file broker"
    finally:
        _stop(worker)


def test_a_worker_on_redis_runs_a_task():
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = _start_worker({"REDIS_URL": redis_url}, queue)
    try:
        client = Celery(broker=redis_url, backend=redis_url)
        started = time.monotonic()

        result = client.send_task("core.ping", args=["from redis"], queue=queue)

        assert result.get(timeout=60) == "from redis"
        assert time.monotonic() - started < 60
    finally:
        _stop(worker)
