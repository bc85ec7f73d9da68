"""Covered: a decision inside the guardrails and trust statements that applied to its author when it was made."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from apps.decisions.models import Coverage
from apps.decisions.services import coverage_for, decision_submit
from tests.factories import GuardrailFactory, TeamGuardrailFactory, TrustStatementFactory, agent

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    """Every rule here is judged on TODAY, and the factories date trust statements from the clock: freeze it there."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def goodwill():
    return GuardrailFactory(category__name="Goodwill gesture", limit=Decimal("50")).category


def _coverage(person, category, cost, on=TODAY):
    team = person.memberships.get().team
    return coverage_for(author=person, team=team, category=category, cost=Decimal(cost), on=on)


def test_the_organisation_limit_covers_what_fits_under_it(team, goodwill):
    ana = agent(team)

    assert _coverage(ana, goodwill, "50").covered
    assert _coverage(ana, goodwill, "50").coverage == Coverage.ORGANISATION
    assert not _coverage(ana, goodwill, "50.01").covered


def test_a_category_without_guardrail_falls_back_to_50(team):
    from tests.factories import CategoryFactory

    other = CategoryFactory()

    assert _coverage(agent(team), other, "50").limit == Decimal("50")


def test_a_team_limit_replaces_the_organisation_limit_for_that_team_only(team, goodwill):
    TeamGuardrailFactory(team=team, category=goodwill, limit=Decimal("80"))
    ana, outsider = agent(team), agent()

    assert _coverage(ana, goodwill, "75").coverage == Coverage.TEAM
    assert not _coverage(outsider, goodwill, "75").covered


def test_a_lower_team_limit_is_respected(team, goodwill):
    TeamGuardrailFactory(team=team, category=goodwill, limit=Decimal("20"))

    assert not _coverage(agent(team), goodwill, "30").covered


def test_a_trust_statement_to_a_person_raises_their_limit_only(team, goodwill):
    ana, tom = agent(team), agent(team)
    statement = TrustStatementFactory(team=team, agent=ana, category=goodwill, raised_limit=Decimal("120"))

    result = _coverage(ana, goodwill, "100")

    assert result.covered and result.coverage == Coverage.TRUST and result.trust_statement == statement
    assert not _coverage(tom, goodwill, "100").covered


def test_a_trust_statement_to_a_team_covers_everyone_in_it(team, goodwill):
    TrustStatementFactory(team=team, category=goodwill, raised_limit=Decimal("120"))

    assert _coverage(agent(team), goodwill, "100").covered
    assert not _coverage(agent(), goodwill, "100").covered


def test_an_expired_or_future_trust_statement_covers_nothing(team, goodwill):
    ana = agent(team)
    TrustStatementFactory(
        team=team,
        category=goodwill,
        raised_limit=Decimal("120"),
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY - datetime.timedelta(days=1),
    )
    TrustStatementFactory(
        team=team, category=goodwill, raised_limit=Decimal("150"), starts_on=TODAY + datetime.timedelta(days=1)
    )

    assert not _coverage(ana, goodwill, "100").covered
    assert _coverage(ana, goodwill, "100", on=TODAY - datetime.timedelta(days=2)).covered


def test_the_most_generous_rule_wins(team, goodwill):
    ana = agent(team)
    TeamGuardrailFactory(team=team, category=goodwill, limit=Decimal("30"))
    TrustStatementFactory(team=team, category=goodwill, raised_limit=Decimal("90"))
    best = TrustStatementFactory(team=team, agent=ana, category=goodwill, raised_limit=Decimal("140"))

    result = _coverage(ana, goodwill, "130")

    assert result.covered and result.trust_statement == best and result.limit == Decimal("140")
    assert _coverage(ana, goodwill, "150").limit == Decimal("140")


def test_a_general_trust_statement_without_a_limit_changes_no_limit(team, goodwill):
    TrustStatementFactory(team=team, text="I trust you to do what is right.")

    assert not _coverage(agent(team), goodwill, "60").covered


def test_history_is_unchanged_when_the_rules_change_later(team, goodwill):
    ana = agent(team)
    statement = TrustStatementFactory(team=team, agent=ana, category=goodwill, raised_limit=Decimal("120"))
    decision = decision_submit(
        author=ana,
        fields={
            "situation": "s",
            "action": "a",
            "justification": "j" * 30,
            "category": goodwill,
            "channel": "phone",
            "cost": Decimal("100"),
            "outcome": "retained",
            "happened_on": TODAY,
        },
    )

    goodwill.guardrail.limit = Decimal("10")
    goodwill.guardrail.save()
    statement.ends_on = statement.starts_on
    statement.save()
    decision.refresh_from_db()

    assert decision.covered
    assert decision.coverage == Coverage.TRUST
    assert decision.covering_trust_statement == statement
    assert decision.limit_in_force == Decimal("120")
