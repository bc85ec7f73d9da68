"""Structured logs: one line per request and one per Celery task, each carrying the id that ties its lines together.

Every log line has `request_id=…`: the id of the web request (the proxy's X-Request-ID, or a new one, sent back in
the response), or inside a task, the id of the request that queued it (or else the task's own id). Lines are
`key=value` pairs after the usual time, level and logger, so that grep and log collectors read them alike.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

request_id: ContextVar[str] = ContextVar("request_id", default="-")

request_logger = logging.getLogger("leeway.request")
task_logger = logging.getLogger("leeway.task")

_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Routes whose URL carries a secret (an unsubscribe token, a password-reset key) are logged by pattern, not by path.
_SECRET_KWARGS = {"token", "key", "uidb36"}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the formatter prints it)."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            request_logger.info(
                "method=%s path=%s status=%s duration_ms=%d user=%s",
                request.method,
                _loggable_path(request),
                response.status_code,
                (time.monotonic() - started) * 1000,
                _user_id(request),
            )
            return response
        finally:
            request_id.reset(token)


def _loggable_path(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and _SECRET_KWARGS & set(match.kwargs):
        return "/" + match.route
    return request.path


def _user_id(request) -> str:
    # Only a user that the request already loaded: logging must never query the database (it may be down).
    user = getattr(getattr(request, "user", None), "_wrapped", None)
    return str(getattr(user, "pk", None) or "-")


# --- Celery -----------------------------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    if headers is not None and request_id.get() != "-":
        headers["leeway_request_id"] = request_id.get()


@task_prerun.connect
def _task_prerun(task_id=None, task=None, **kwargs):
    request_id.set(getattr(task.request, "leeway_request_id", None) or task_id)
    _task_started[task_id] = time.monotonic()


@task_postrun.connect
def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, time.monotonic())
    task_logger.info(
        "task=%s task_id=%s state=%s duration_ms=%d retries=%s",
        task.name,
        task_id,
        state,
        (time.monotonic() - started) * 1000,
        task.request.retries,
    )
    request_id.set("-")
