from decimal import Decimal

import pytest
from django.urls import reverse

from apps.decisions.models import PlaybookAcknowledgement
from tests.factories import GuardrailFactory, TeamGuardrailFactory, TrustStatementFactory, agent

pytestmark = pytest.mark.django_db


def test_it_says_what_i_may_decide_alone_per_category(client, an_agent, team):
    GuardrailFactory(category__name="Fee waiver", limit=Decimal("50"), in_scope="Waive a late fee we caused")
    upgrade = GuardrailFactory(category__name="Upgrade", limit=Decimal("75"))
    TeamGuardrailFactory(team=team, category=upgrade.category, limit=Decimal("90"))
    client.force_login(an_agent)

    page = client.get(reverse("decisions:playbook")).content.decode()

    assert "What may I decide without asking?" in page
    assert "Fee waiver" in page and "$50" in page and "Waive a late fee we caused" in page
    assert "$90" in page and "Set for" in page


def test_it_shows_the_trust_statements_that_apply_to_me_and_not_others(client, an_agent, team):
    refund = GuardrailFactory(category__name="Refund").category
    TrustStatementFactory(
        team=team, text="I trust you all to put billing errors right.", category=refund, raised_limit=Decimal("150")
    )
    TrustStatementFactory(team=team, agent=an_agent, text="Ana, I trust you to decide refunds alone.")
    TrustStatementFactory(team=team, agent=agent(team), text="A statement to someone else.")
    TrustStatementFactory(text="A statement to another team.")
    client.force_login(an_agent)

    page = client.get(reverse("decisions:playbook")).content.decode()

    assert "I trust you all to put billing errors right." in page and "$150" in page
    assert "Ana, I trust you to decide refunds alone." in page
    assert "A statement to someone else." not in page and "A statement to another team." not in page


def test_an_agent_acknowledges_and_is_asked_again_when_the_rules_change(client, an_agent):
    guardrail = GuardrailFactory()
    client.force_login(an_agent)

    client.post(reverse("decisions:playbook_acknowledge"))
    assert "You confirmed on" in client.get(reverse("decisions:playbook")).content.decode()

    guardrail.limit = Decimal("60")
    guardrail.save()

    page = client.get(reverse("decisions:playbook")).content.decode()
    assert "I have read and understood it" in page
    assert PlaybookAcknowledgement.objects.count() == 1


def test_a_manager_sees_who_in_the_team_has_acknowledged(client, a_manager, an_agent, team):
    GuardrailFactory()
    agent(team, first_name="Tom", last_name="Becker")
    client.force_login(an_agent)
    client.post(reverse("decisions:playbook_acknowledge"))
    client.force_login(a_manager)

    page = client.get(reverse("decisions:playbook")).content.decode()

    section = page.split("who has read it", 1)[1]
    assert section.index("Ana García") < section.index("Read") < section.index("Tom Becker")
    assert "Not yet" in section.split("Tom Becker", 1)[1]
