"""Who may do what, object by object: a wrong role gets 403 or 404 and nothing changes."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision, TeamGuardrail, TrustStatement
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    GuardrailFactory,
    TeamFactory,
    UserFactory,
    agent,
    department_head,
    manager,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(an_agent):
    return DecisionFactory(author=an_agent)


def test_nobody_else_edits_or_withdraws_a_decision(client, decision, team):
    colleague = agent(team)
    client.force_login(colleague)

    assert client.get(reverse("decisions:edit", args=[decision.pk])).status_code == 403
    assert client.post(reverse("decisions:withdraw", args=[decision.pk])).status_code == 403
    decision.refresh_from_db()
    assert decision.status == "submitted"


def test_an_approved_decision_cannot_be_edited_or_withdrawn_by_its_author(client, an_agent):
    approved = DecisionFactory(author=an_agent, approved=True)
    client.force_login(an_agent)

    response = client.post(reverse("decisions:edit", args=[approved.pk]), {"action": "changed"})

    assert response.status_code == 403
    assert client.post(reverse("decisions:withdraw", args=[approved.pk])).status_code == 403
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.action != "changed"


def test_a_submitted_decision_is_hidden_from_other_teams(client, decision):
    client.force_login(agent())

    assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 404
    assert client.get(reverse("decisions:edit", args=[decision.pk])).status_code == 404


def test_a_submitted_decision_is_visible_to_the_team_and_its_managers(client, decision, team):
    for person in (agent(team), manager(team)):
        client.force_login(person)
        assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 200


def test_a_withdrawn_decision_is_visible_to_its_author_only(client, an_agent, team):
    withdrawn = DecisionFactory(author=an_agent, status=Decision.Status.WITHDRAWN)
    client.force_login(agent(team))
    assert client.get(reverse("decisions:detail", args=[withdrawn.pk])).status_code == 404
    client.force_login(an_agent)
    assert client.get(reverse("decisions:detail", args=[withdrawn.pk])).status_code == 200


def test_a_shared_story_is_visible_to_everyone(client):
    shared = DecisionFactory(approved=True)
    client.force_login(agent())

    assert client.get(reverse("decisions:detail", args=[shared.pk])).status_code == 200


def test_agents_cannot_write_trust_statements(client, an_agent, team):
    client.force_login(an_agent)

    response = client.post(reverse("decisions:team_rules", args=[team.pk]), {"trust-text": "I trust you to…"})

    assert response.status_code == 403
    assert TrustStatement.objects.count() == 0


def test_a_manager_writes_trust_statements_only_for_teams_they_manage(client, team):
    other_team_manager = manager(TeamFactory())
    client.force_login(other_team_manager)

    response = client.post(reverse("decisions:team_rules", args=[team.pk]), {"trust-text": "I trust you to…"})

    assert response.status_code == 403
    assert TrustStatement.objects.count() == 0


def test_a_manager_cannot_address_someone_outside_the_team(client, a_manager, team):
    outsider = agent()
    client.force_login(a_manager)

    response = client.post(
        reverse("decisions:team_rules", args=[team.pk]),
        {"trust-text": "I trust you to…", "trust-agent": outsider.pk, "trust-starts_on": "2026-11-01"},
    )

    assert "Select a valid choice" in response.content.decode()
    assert TrustStatement.objects.count() == 0


def test_a_manager_writes_a_trust_statement_raising_a_limit(client, a_manager, an_agent, team):
    category = CategoryFactory()
    client.force_login(a_manager)

    response = client.post(
        reverse("decisions:team_rules", args=[team.pk]),
        {
            "trust-text": "I trust you to make it right.",
            "trust-agent": an_agent.pk,
            "trust-category": category.pk,
            "trust-raised_limit": "120",
            "trust-starts_on": "2026-11-01",
        },
    )

    assert response.status_code == 302
    statement = TrustStatement.objects.get()
    assert (statement.author, statement.agent, statement.raised_limit) == (a_manager, an_agent, Decimal("120"))


def test_a_limit_without_a_category_is_refused_next_to_the_field(client, a_manager, team):
    client.force_login(a_manager)

    response = client.post(
        reverse("decisions:team_rules", args=[team.pk]),
        {"trust-text": "I trust you to make it right.", "trust-raised_limit": "120", "trust-starts_on": "2026-11-01"},
    )

    assert "Choose the category whose limit you raise." in response.content.decode()
    assert TrustStatement.objects.count() == 0


def test_a_manager_sets_and_clears_a_team_limit(client, a_manager, team):
    category = CategoryFactory()
    client.force_login(a_manager)

    client.post(reverse("decisions:team_rules", args=[team.pk]), {"limit-category": category.pk, "limit-limit": "70"})
    assert TeamGuardrail.objects.get().limit == Decimal("70")

    client.post(reverse("decisions:team_rules", args=[team.pk]), {"limit-category": category.pk, "limit-limit": ""})
    assert TeamGuardrail.objects.count() == 0


def test_only_a_manager_of_the_team_ends_a_trust_statement(client, team):
    statement = TrustStatement.objects.create(
        author=manager(team), team=team, text="I trust you.", starts_on="2026-11-01"
    )
    client.force_login(manager(TeamFactory()))

    assert client.post(reverse("decisions:trust_end", args=[statement.pk])).status_code == 403
    statement.refresh_from_db()
    assert statement.ends_on is None


def test_people_who_manage_nothing_have_no_rules_page(client):
    client.force_login(UserFactory())

    assert client.get(reverse("decisions:manage_rules")).status_code == 403


def test_ending_a_trust_statement_today_keeps_the_past_and_removes_one_not_yet_started(client, a_manager, team):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    current = TrustStatement.objects.create(
        author=a_manager, team=team, text="Now.", starts_on=today - datetime.timedelta(9)
    )
    future = TrustStatement.objects.create(
        author=a_manager, team=team, text="Later.", starts_on=today + datetime.timedelta(3)
    )
    past = TrustStatement.objects.create(
        author=a_manager,
        team=team,
        text="Before.",
        starts_on=today - datetime.timedelta(30),
        ends_on=today - datetime.timedelta(10),
    )
    client.force_login(a_manager)

    for statement in (current, future, past):
        client.post(reverse("decisions:trust_end", args=[statement.pk]))

    current.refresh_from_db()
    past.refresh_from_db()
    assert current.ends_on == today
    assert not TrustStatement.objects.filter(pk=future.pk).exists()
    assert past.ends_on == today - datetime.timedelta(10)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"trust-starts_on": "1900-01-01"}, "starts_on", "A trust statement may start at most a year ago."),
        ({"trust-starts_on": "2999-01-01"}, "starts_on", "That is more than three years ahead."),
        ({"trust-ends_on": "2999-12-31"}, "ends_on", "That is more than three years ahead."),
        ({"trust-raised_limit": "40"}, "raised_limit", "limit for this category is already $50"),
        ({"trust-raised_limit": "50"}, "raised_limit", "limit for this category is already $50"),
    ],
)
def test_a_trust_statement_with_an_absurd_date_or_a_raise_that_is_not_one_is_refused_next_to_the_field(
    client, a_manager, team, fields, field, message
):
    category = GuardrailFactory(limit=Decimal("50")).category
    client.force_login(a_manager)
    posted = {
        "trust-text": "I trust you to make it right.",
        "trust-category": category.pk,
        "trust-raised_limit": "120",
        "trust-starts_on": "2026-11-01",
        **fields,
    }

    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        response = client.post(reverse("decisions:team_rules", args=[team.pk]), posted)

    page = response.content.decode()
    error_block = page.split(f'id="id_trust-{field}_error"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    assert "I trust you to make it right." in page
    assert TrustStatement.objects.count() == 0


def test_a_raise_is_judged_against_the_teams_own_limit(client, a_manager, team):
    category = GuardrailFactory(limit=Decimal("50")).category
    TeamGuardrail.objects.create(team=team, category=category, limit=Decimal("150"))
    client.force_login(a_manager)

    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        response = client.post(
            reverse("decisions:team_rules", args=[team.pk]),
            {
                "trust-text": "I trust you.",
                "trust-category": category.pk,
                "trust-raised_limit": "120",
                "trust-starts_on": "2026-11-01",
            },
        )

    assert "limit for this category is already $150" in response.content.decode()
    assert TrustStatement.objects.count() == 0


def test_a_shared_storys_customer_reference_is_seen_only_by_the_people_who_oversee_its_author(client, an_agent, team):
    story = DecisionFactory(author=an_agent, approved=True, customer_reference="CASE-48213")
    readers = {
        "author": an_agent,
        "manager": manager(team),
        "department head": department_head(team.department),
        "admin": UserFactory(is_staff=True),
    }
    others = {"teammate": agent(team), "other team": agent(), "other manager": manager()}

    for role, person in {**readers, **others}.items():
        client.force_login(person)
        page = client.get(reverse("decisions:detail", args=[story.pk])).content.decode()
        assert ("CASE-48213" in page) == (role in readers), role
