"""Digests built before statements to one person stopped travelling lose those statements, and keep the rest."""

import datetime
import importlib

import pytest
from django.apps import apps

from apps.digests.models import Digest, Edition

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.digests.migrations.0002_forget_private_trust_statements")


def test_statements_to_one_person_are_taken_out_of_built_digests(db):
    edition = Edition.objects.create(
        week_start=datetime.date(2026, 11, 16),
        period_start=datetime.datetime(2026, 11, 13, 16, tzinfo=datetime.UTC),
        period_end=datetime.datetime(2026, 11, 20, 16, tzinfo=datetime.UTC),
    )
    team_wide = {"id": 1, "author": "Grace", "to": "", "team": "Billing", "text": "I trust you all."}
    private = {"id": 2, "author": "Grace", "to": "Tom", "team": "Billing", "text": "Tom, refunds up to 120."}
    digest = Digest.objects.create(
        edition=edition, scope="organisation", title="Acme", content={"trust": [team_wide, private], "badges": []}
    )

    migration.forget_private_trust_statements(apps, None)

    digest.refresh_from_db()
    assert digest.content == {"trust": [{k: v for k, v in team_wide.items() if k != "to"}], "badges": []}
