"""The published OpenAPI schema is what the API does: schemathesis generates requests for every operation from the
schema at /api/v1/schema/ and sends them through the WSGI application, as an agent and as a manager. No answer is a
server error, and every answer (status, content type, body) is one that the schema describes. Bounded: a few
examples per operation, so the whole run takes seconds."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    CategoryFactory,
    CompanyValueFactory,
    DecisionFactory,
    GuardrailFactory,
    TeamFactory,
    agent,
    api_token,
    manager,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(
    max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@pytest.fixture
def tokens(db):
    team = TeamFactory()
    author = agent(team)
    category = GuardrailFactory(category=CategoryFactory(slug="refund")).category
    CompanyValueFactory()
    DecisionFactory(author=author, category=category, approved=True)
    DecisionFactory(author=author, category=category)
    return {"agent": api_token(agent(team)), "manager": api_token(manager(team))}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application in this process, on the test's database connection (which Django would
    otherwise close at the end of each request, as the test client also prevents)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(tokens, wsgi_app):
    """The schema as the API publishes it, fetched from the application itself."""
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", wsgi_app, headers={"Authorization": f"Bearer {tokens['agent']}"}
    )


def every_operation_conforms(api_schema, token: str) -> list[str]:
    """Runs a few generated requests per operation; returns the operations that failed a check, with why."""
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy())
        def conforms(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            conforms()
        except Exception as failure:  # noqa: BLE001 (reported with the operation's name below)
            failures.append(f"{operation.label}: {failure}")
    return failures


def test_every_operation_answers_as_the_schema_says_for_an_agent(api_schema, tokens):
    assert every_operation_conforms(api_schema, tokens["agent"]) == []


def test_every_operation_answers_as_the_schema_says_for_a_manager(api_schema, tokens):
    assert every_operation_conforms(api_schema, tokens["manager"]) == []
