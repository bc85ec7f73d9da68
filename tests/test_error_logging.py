"""The log says what went wrong, once: a refused request (403) is one line, a server error keeps its traceback."""

import io
import logging

import pytest
from django.urls import reverse

from apps.core.logging import NoTracebackForClientErrors

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    """What Leeway's console handler writes."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, NoTracebackForClientErrors) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_403_is_one_line_without_a_traceback(client, an_agent, log):
    client.force_login(an_agent)

    response = client.get(reverse("recognition:audit"))

    assert response.status_code == 403
    assert "Forbidden (Permission denied): /recognition/audit/" in log.getvalue()
    assert "Traceback" not in log.getvalue()


def test_a_server_error_keeps_its_traceback(log):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        logger.error("Internal Server Error: /", exc_info=True, extra={"status_code": 500})

    assert "Traceback" in log.getvalue() and "the database went away" in log.getvalue()
