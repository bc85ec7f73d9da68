"""One log line per request and per task, each with the id that ties it to the rest (README, "Logs")."""

import logging

import pytest
from django.urls import reverse

from apps.core.logging import RequestIdFilter
from apps.core.tasks import ping

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    return caplog


def lines(log, logger: str) -> list[str]:
    return [f"request_id={r.request_id} {r.getMessage()}" for r in log.records if r.name == logger]


def test_each_request_writes_one_line_with_its_id_and_returns_the_id(client, an_agent, log):
    client.force_login(an_agent)

    response = client.get(reverse("decisions:mine"))

    (line,) = lines(log, "leeway.request")
    request_id = response["X-Request-ID"]
    assert line.startswith(f"request_id={request_id} method=GET path=/stories/mine/ status=200 duration_ms=")
    assert line.endswith(f"user={an_agent.pk}")


def test_the_proxys_request_id_is_kept(client, log):
    response = client.get(reverse("healthz"), headers={"x-request-id": "proxy-0123456789"})

    assert response["X-Request-ID"] == "proxy-0123456789"
    assert lines(log, "leeway.request")[0].startswith("request_id=proxy-0123456789 ")


def test_a_secret_in_the_address_is_never_logged(client, log):
    client.get("/unsubscribe/a-secret-token/")

    (line,) = lines(log, "leeway.request")
    assert "a-secret-token" not in line and "path=/unsubscribe/<str:token>/" in line


def test_each_task_writes_one_line_with_its_name_id_and_outcome(log):
    result = ping.apply(args=["hello"])

    (line,) = lines(log, "leeway.task")
    assert f"task=core.ping task_id={result.id} state=SUCCESS" in line
    assert line.startswith(f"request_id={result.id} ")
