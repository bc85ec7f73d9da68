import pytest
from django.urls import reverse

from config.celery_app import app as celery_app

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_database_and_broker_are_reachable(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_it_answers_503_naming_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "database": "ok", "broker": "unreachable"}
