"""The database down or restarting: a clean 503 page (never a traceback), /healthz answers 503 JSON naming the
database even though every request runs in a transaction, and the next request once it is back works again."""

import contextlib

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from .conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_unreachable():
    """PostgreSQL as seen from this process when it is stopped: nothing answers on its port."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


@pytest.fixture
def browser():
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def test_healthz_answers_503_json_naming_the_database(browser):
    with database_unreachable():
        response = browser.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "database": "unreachable", "broker": "ok"}


def test_a_signed_in_page_answers_a_branded_503_and_works_again_once_the_database_is_back(browser, an_agent):
    browser.force_login(an_agent)

    with database_unreachable():
        down = browser.get(reverse("home"), headers={"accept-language": "es"})
        sign_in = browser.get(reverse("account_login"))

    assert down.status_code == 503 and sign_in.status_code == 503
    assert down["Retry-After"] == "30"
    page = down.content.decode()
    assert "Leeway volverá en un momento" in page and "Traceback" not in page
    assert browser.get(reverse("home")).status_code == 200  # nothing was restarted


def test_other_errors_still_answer_500(browser, an_agent, monkeypatch):
    def broken(request):
        raise RuntimeError("a bug")

    monkeypatch.setattr("apps.core.views.health.database_ok", broken)

    response = browser.get(reverse("healthz"))

    assert response.status_code == 500
    assert "Something went wrong on our side." in response.content.decode()
