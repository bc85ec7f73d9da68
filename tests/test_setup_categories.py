"""Categories and guardrails, for admins inside Setup: listed with their names in each language, organisation limit
and examples; added and edited, the limit through the guardrail service (so the playbook asks again). Others get
403."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Category, Guardrail
from tests.factories import CategoryFactory, GuardrailFactory, TeamFactory, admin, agent, department_head, manager

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def morgan(client):
    person = admin(first_name="Morgan", last_name="Lee")
    client.force_login(person)
    return person


def _category(**fields) -> dict:
    return {
        "name": "Refund",
        "name_es": "Reembolso",
        "name_nl": "Terugbetaling",
        "description": "",
        "limit": "40",
        "in_scope": "Lost parcel",
        "out_of_scope": "Change a contract",
    } | fields


def test_the_list_shows_names_limits_and_examples(client, morgan):
    GuardrailFactory(category=CategoryFactory(name="Fee waiver", name_es="Exención"), limit=Decimal("25"))
    CategoryFactory(name="Upgrade")

    page = client.get(reverse("setup:categories")).content.decode()

    assert "Fee waiver" in page and "Exención" in page and "$25" in page
    assert "Waive a late fee" in page and "Promise a future discount" in page
    assert "Upgrade" in page and "No guardrail" in page


def test_an_admin_adds_a_category_with_its_guardrail(client, morgan):
    response = client.post(reverse("setup:categories"), _category())

    assert response.status_code == 302
    guardrail = Guardrail.objects.select_related("category").get()
    assert (guardrail.category.name, guardrail.category.name_nl, guardrail.limit) == ("Refund", "Terugbetaling", 40)
    assert guardrail.in_scope_list() == ["Lost parcel"]


def test_changing_a_limit_asks_everyone_to_read_the_playbook_again(client, morgan):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        guardrail = GuardrailFactory(category=CategoryFactory(name="Refund"), limit=Decimal("20"))
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False):
        client.post(reverse("setup:category", args=[guardrail.category.pk]), _category(limit="60"))

    guardrail.refresh_from_db()
    assert guardrail.limit == 60
    assert guardrail.updated_at == datetime.datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert guardrail.out_of_scope_list() == ["Change a contract"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "Refund"}, "name", "There is already a category of this name."),
        ({"name": " "}, "name", "This field is required."),
        ({"limit": "-5"}, "limit", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(client, morgan, fields, field, message):
    GuardrailFactory(category=CategoryFactory(name="Refund", slug="refund"), limit=Decimal("20"))

    response = client.post(reverse("setup:categories"), _category(**fields, in_scope="Kept text"))

    assert response.context["form"].errors[field] == [message]
    assert "Kept text" in response.content.decode()
    assert Category.objects.count() == 1
    assert Guardrail.objects.get().limit == 20


@pytest.mark.parametrize("who", ["agent", "manager", "head"])
def test_agents_managers_and_heads_get_403(client, who):
    team = TeamFactory()
    person = {"agent": agent, "manager": manager, "head": lambda t: department_head(t.department)}[who](team)
    guardrail = GuardrailFactory(limit=Decimal("20"))
    client.force_login(person)

    assert client.get(reverse("setup:categories")).status_code == 403
    assert client.post(reverse("setup:categories"), _category()).status_code == 403
    assert client.post(reverse("setup:category", args=[guardrail.category.pk]), _category()).status_code == 403
    assert Guardrail.objects.get().limit == 20


@pytest.mark.parametrize("size", [2, 20])
def test_the_list_runs_a_constant_number_of_queries(client, morgan, size, django_assert_max_num_queries):
    for _ in range(size):
        GuardrailFactory()
        CategoryFactory()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("setup:categories")).status_code == 200
