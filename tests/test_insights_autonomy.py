"""Earned autonomy: an agent whose record in a category has earned it is offered to their manager for a raised limit
(a ready-made, editable trust statement, one click to publish). Declining is silent; the agent is never told."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Outcome, TrustStatement
from apps.org.models import Organisation
from apps.recognition.models import Notification
from tests.factories import (
    CategoryFactory,
    DecisionFactory,
    DepartmentFactory,
    GuardrailFactory,
    ReviewFactory,
    TeamFactory,
    TrustStatementFactory,
    agent,
    department_head,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def billing(db):
    """In the last 90 days, covered fee waivers under a limit of 50: Ana 10 (9 customers kept), Bob 10 (7 kept),
    Cat 12 (all kept, one in an open review), Dan 10 (all kept, already trusted up to 80), Eve 9 (all kept)."""
    care = DepartmentFactory(name="Care")
    team = TeamFactory(name="Billing", department=care)
    grace = manager(team, first_name="Grace")
    fee = GuardrailFactory(category=CategoryFactory(name="Fee waiver")).category
    people = {}
    for name, count, lost in (("Ana", 10, 1), ("Bob", 10, 3), ("Cat", 12, 0), ("Dan", 10, 0), ("Eve", 9, 0)):
        person = people[name] = agent(team, first_name=name, last_name="X")
        for i in range(count):
            DecisionFactory(
                author=person, category=fee, covered=True, coverage="organisation", limit_in_force=Decimal("50"),
                outcome=Outcome.LOST if i < lost else Outcome.RETAINED,
                created_at=TODAY - datetime.timedelta(days=5 + i * 8),
            )  # fmt: skip
    ReviewFactory(decision=people["Cat"].decisions.first(), opened_by=grace)
    with time_machine.travel(TODAY, tick=False):
        TrustStatementFactory(
            team=team, author=grace, agent=people["Dan"], category=fee, raised_limit=Decimal("80"),
            starts_on=TODAY.date() - datetime.timedelta(days=30),
        )  # fmt: skip
    return {"team": team, "grace": grace, "fee": fee, "helen": department_head(care), **people}


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:autonomy"), params)


def test_the_manager_is_offered_a_ready_made_trust_statement_for_the_agent_who_earned_it(client, billing):
    page = get(client, billing["grace"]).content.decode()

    assert page_table(page, "candidates")[1:] == [["Ana X", "Billing", "Fee waiver", "10", "90.0%", "$50", "$75"]]
    assert (
        "I trust you to decide on fee waiver up to $75 on your own: of your last 10 covered decisions, 9 kept the "
        "customer." in page
    )
    assert f'action="{reverse("decisions:team_rules", args=[billing["team"].pk])}"' in page


def test_one_click_publishes_it_through_the_existing_trust_statement_page(client, billing):
    client.force_login(billing["grace"])
    with time_machine.travel(TODAY, tick=False):
        client.post(
            reverse("decisions:team_rules", args=[billing["team"].pk]),
            {
                "trust-agent": billing["Ana"].pk,
                "trust-category": billing["fee"].pk,
                "trust-starts_on": "2026-11-20",
                "trust-text": "I trust you to decide on fee waivers up to $75 on your own.",
                "trust-raised_limit": "75",
            },
        )

    statement = TrustStatement.objects.get(agent=billing["Ana"])
    assert statement.raised_limit == Decimal("75") and statement.author == billing["grace"]
    assert "Ana X" not in get(client, billing["grace"]).content.decode()  # offered once it is needed, not after


def test_the_thresholds_are_the_organisations(client, billing):
    org = Organisation.current()
    org.autonomy_min_kept_percent = 70
    org.save()

    rows = page_table(get(client, billing["grace"]).content.decode(), "candidates")

    assert [row[0] for row in rows[1:]] == ["Ana X", "Bob X"]


def test_a_department_head_sees_the_candidates_but_only_the_manager_gets_the_offer(client, billing):
    page = get(client, billing["helen"]).content.decode()

    assert page_table(page, "candidates")[1][0] == "Ana X"
    assert "Publish this trust statement" not in page


def test_the_agent_is_never_told(client, billing):
    assert get(client, billing["Ana"]).status_code == 403
    assert not Notification.objects.filter(recipient=billing["Ana"]).exists()


def test_the_table_downloads_as_the_page_shows_it(client, billing):
    page = get(client, billing["grace"]).content.decode()

    _filters, table = read_csv(get(client, billing["grace"], csv="candidates").content)
    assert same_numbers(page_table(page, "candidates"), table)


@pytest.mark.parametrize("extra", [0, 3])
def test_it_runs_a_constant_number_of_queries(client, billing, extra, django_assert_max_num_queries):
    for _ in range(extra):
        person = agent(billing["team"])
        for day in range(10):
            DecisionFactory(author=person, category=billing["fee"], covered=True, coverage="organisation",
                            created_at=TODAY - datetime.timedelta(days=day + 1))  # fmt: skip
    client.force_login(billing["grace"])
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(14):
        client.get(reverse("insights:autonomy"))


def test_the_offer_is_also_on_the_managers_page(client, billing):
    client.force_login(billing["grace"])
    with time_machine.travel(TODAY, tick=False):
        page = client.get(reverse("insights:managers")).content.decode()

    assert "Ana X · Fee waiver" in page and "Publish this trust statement" in page


def test_the_weekly_digest_tells_the_manager_and_never_the_agent(billing):
    from apps.digests.content import _add_autonomy_offers
    from apps.digests.presenters import personal_line

    personal = {billing["grace"].pk: {}, billing["Ana"].pk: {}}
    _add_autonomy_offers(personal, ids=set(personal), end=TODAY)

    assert personal == {billing["grace"].pk: {"autonomy_offers": 1}, billing["Ana"].pk: {}}
    assert personal_line(personal[billing["grace"].pk])[0] == (
        "1 person in your teams has earned a raised limit: a ready-made trust statement waits for you in Insights, "
        "under Earned autonomy."
    )
