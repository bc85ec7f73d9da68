"""The organisation's language (LEEWAY_LANGUAGE): new people start in it, and text an admin wrote falls back to it
when there is none in the reader's language."""

import pytest
from django.utils import translation

from apps.accounts.models import User
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_new_person_starts_in_the_organisations_language(settings):
    settings.LANGUAGE_CODE = "es"
    assert User.objects.create_user(email="nuevo@acme.example", password="x").language == "es"


def test_a_name_without_the_readers_language_is_shown_in_the_organisations(settings):
    settings.LANGUAGE_CODE = "es"
    category = CategoryFactory(name="Fee waiver", name_es="Exención de cargos", name_nl="")

    with translation.override("nl"):
        assert category.label == "Exención de cargos"
    with translation.override("en"):
        assert category.label == "Fee waiver"
