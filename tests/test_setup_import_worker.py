"""A large import runs in a real Celery worker while the page polls its progress."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import User
from apps.setup import services
from apps.setup.models import PeopleImport
from tests.factories import admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def test_a_large_import_is_written_by_a_worker(client, start_celery_worker):
    rows = services.IMPORT_INLINE_ROWS + 100
    lines = ["email,name,department,team,role,language,time_zone"] + [
        f"p{n}@big.example,Person {n},Care,Team {n // 50},agent,en," for n in range(rows)
    ]
    client.force_login(admin())
    upload = SimpleUploadedFile("big.csv", "\n".join(lines).encode(), "text/csv")
    run_url = client.post(reverse("setup:import"), {"file": upload}).url
    run = PeopleImport.objects.get()
    start_celery_worker()

    client.post(reverse("setup:import_confirm", args=[run.pk]))
    page = client.get(run_url).content.decode()
    assert "<progress" in page or "600 created" in page  # the worker may already be done

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and PeopleImport.objects.get().status != "done":
        time.sleep(0.5)
    assert PeopleImport.objects.get().status == "done"
    assert User.objects.filter(email__endswith="@big.example").count() == rows
    assert "600 created, 0 changed, 0 left as they were." in client.get(run_url).content.decode()
