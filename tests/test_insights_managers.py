"""Managers on board: what each manager did for their teams, beside every manager's median, and what needs attention."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.decisions.models import Decision, PlaybookAcknowledgement
from apps.org.models import Membership
from apps.recognition.models import Review
from tests.factories import (
    DecisionFactory,
    DepartmentFactory,
    EndorsementFactory,
    GuardrailFactory,
    MembershipFactory,
    ReviewFactory,
    TeamFactory,
    TrustStatementFactory,
    admin,
    agent,
    department_head,
    manager,
)
from tests.insights_helpers import page_table, read_csv, same_numbers

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def at(day: int, hour: int = 10, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def org(db):
    """Grace (Billing) approved two stories after 24 and 12 hours, celebrated one, has two waiting (one for five
    days), endorsed once, opened and closed a review and wrote a trust statement in November. Lucas (Orders)
    approved one after 48 hours, celebrated nothing, and his only trust statement ended in October. Sam (Desk, another
    department) did nothing. Half of Billing and all of Orders acknowledged the playbook as it is now."""
    with time_machine.travel(at(1, month=10), tick=False):
        care, guests = DepartmentFactory(name="Care"), DepartmentFactory(name="Guests")
        billing, orders = TeamFactory(name="Billing", department=care), TeamFactory(name="Orders", department=care)
        desk = TeamFactory(name="Desk", department=guests)
        grace = manager(billing, first_name="Grace", last_name="Okafor")
        lucas = manager(orders, first_name="Lucas", last_name="Martín")
        sam = manager(desk, first_name="Sam", last_name="Stone")
        ana, bob = (
            agent(billing, first_name="Ana", last_name="García"),
            agent(billing, first_name="Bob", last_name="Brown"),
        )
        tom = agent(orders)
        category = GuardrailFactory().category
        TrustStatementFactory(
            team=orders, author=lucas, starts_on=at(1, month=10).date(), ends_on=at(31, month=10).date()
        )
    with time_machine.travel(at(1), tick=False):
        TrustStatementFactory(team=billing, author=grace, starts_on=at(1).date())
        PlaybookAcknowledgement.objects.create(user=ana, acknowledged_at=at(1))
        PlaybookAcknowledgement.objects.create(user=tom, acknowledged_at=at(1))

    def story(author, created, approver=None, approved=None, **fields):
        if approver:
            fields |= {"status": Decision.Status.APPROVED, "approved_by": approver, "approved_at": approved}
        return DecisionFactory(author=author, created_at=created, category=category, **fields)

    first = story(ana, at(2), grace, at(3))
    story(
        ana, at(5), grace, at(5, 22),
        status=Decision.Status.CELEBRATED, celebrated_by=grace, celebrated_at=at(6),
    )  # fmt: skip
    story(bob, at(15))
    story(bob, at(20, 9))
    from_orders = story(tom, at(9), lucas, at(11))
    EndorsementFactory(decision=from_orders, endorser=grace, created_at=at(10))
    ReviewFactory(
        decision=first, opened_by=grace, opened_at=at(12),
        status=Review.Status.CLOSED, closed_by=grace, closed_at=at(14), lesson="Ask before promising a refund.",
    )  # fmt: skip
    return {"care": care, "grace": grace, "lucas": lucas, "sam": sam, "ana": ana, "head": department_head(care)}


def get(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("insights:managers"), params)


def test_each_manager_beside_the_median_of_every_manager(client, org):
    page = get(client, org["head"]).content.decode()

    assert page_table(page, "managers") == [
        ["Manager", "Stories waiting now", "Median wait to approval", "Longest wait to approval", "Approvals",
         "Celebrations", "Endorsements given", "Reviews opened", "Reviews closed", "Trust statements written",
         "Trust statements in force", "Playbook acknowledged in their teams"],
        ["Grace Okafor", "2", "18.0 h", "24.0 h", "2", "1", "1", "1", "1", "1", "1", "50.0%"],
        ["Lucas Martín", "0", "48.0 h", "48.0 h", "1", "0", "0", "0", "0", "0", "0", "100.0%"],
        # Sam (another department) counts in the median: 0 waiting, no wait at all, no agents.
        ["Median of all managers", "0", "33.0 h", "36.0 h", "1", "0", "0", "0", "0", "0", "0", "75.0%"],
    ]  # fmt: skip


def test_a_manager_of_two_teams_counts_both(client, org):
    second = TeamFactory(name="Billing Plus", department=org["care"])
    MembershipFactory(team=second, user=org["grace"], role=Membership.Role.MANAGER)
    carl = agent(second, first_name="Carl")
    category = Decision.objects.filter(author=org["ana"]).first().category  # no new rule to acknowledge
    DecisionFactory(author=carl, category=category, created_at=at(16))  # waiting
    DecisionFactory(
        author=carl,
        category=category,
        created_at=at(17),
        status=Decision.Status.APPROVED,
        approved_by=org["grace"],
        approved_at=at(17, 16),
    )  # approved after 6 hours

    rows = page_table(get(client, org["head"]).content.decode(), "managers")

    # Three waiting (two in Billing, one in Billing Plus), waits of 24, 12 and 6 hours, three agents of whom Ana alone
    # acknowledged the playbook.
    assert rows[1] == ["Grace Okafor", "3", "12.0 h", "24.0 h", "3", "1", "1", "1", "1", "1", "1", "33.3%"]


def test_departments_add_up_their_managers(client, org):
    page = get(client, org["head"]).content.decode()

    assert page_table(page, "departments")[1:] == [
        ["Care", "2", "—", "48.0 h", "3", "1", "1", "1", "1", "1", "1", "66.7%"]
    ]


def test_what_needs_attention(client, org):
    page = get(client, org["head"]).content.decode()

    assert page_table(page, "attention")[1:] == [
        ["A story has waited 5 days", "Billing · Bob Brown", "15 Nov 2026"],
        ["No celebration this month", "Orders · Care", "1 Nov 2026"],
        ["Every trust statement has lapsed", "Lucas Martín", ""],
    ]  # fmt: skip


def test_a_manager_sees_their_own_line_and_the_organisations_median(client, org):
    rows = page_table(get(client, org["grace"]).content.decode(), "managers")

    assert [row[0] for row in rows[1:]] == ["Grace Okafor", "Median of all managers"]


def test_each_table_downloads_as_the_page_shows_it(client, org):
    page = get(client, org["head"]).content.decode()

    for key in ("attention", "managers", "departments"):
        _filters, table = read_csv(get(client, org["head"], csv=key).content)
        assert same_numbers(page_table(page, key), table)
    _filters, table = read_csv(get(client, org["head"], csv="managers").content)
    assert table[0][2] == "Median wait to approval (hours)" and table[1][2] == "18.0"


def test_a_heads_page_reads_its_own_managers_and_the_organisations_medians_of_a_few_minutes_ago(client, org):
    """Every manager's numbers are read for the footer's medians once in ten minutes; meanwhile a head's page reads
    only their own managers' (the medians of a thousand managers barely move in that time)."""
    client.force_login(org["head"])
    with time_machine.travel(TODAY, tick=False):
        before = page_table(client.get(reverse("insights:managers")).content.decode(), "managers")
    # Sam, in another department, approves a story: it moves the organisation's medians, not Grace's or Lucas's line.
    DecisionFactory(
        team=org["sam"].memberships.get().team,
        category=Decision.objects.first().category,  # a new category would change the playbook everyone acknowledged
        created_at=at(18),
        status=Decision.Status.APPROVED,
        approved_by=org["sam"],
        approved_at=at(19),
    )
    with time_machine.travel(TODAY + datetime.timedelta(minutes=9), tick=False):
        soon = page_table(client.get(reverse("insights:managers")).content.decode(), "managers")
    with time_machine.travel(TODAY + datetime.timedelta(minutes=11), tick=False):
        later = page_table(client.get(reverse("insights:managers")).content.decode(), "managers")

    assert soon == before
    assert later[:-1] == before[:-1]
    # The median wait to approval: Grace's 18 h and Lucas's 48 h, then Sam's 24 h too.
    assert (before[-1][0], before[-1][2], later[-1][2]) == ("Median of all managers", "33.0 h", "24.0 h")


def test_an_agent_may_not_read_it(client, org):
    assert get(client, org["ana"]).status_code == 403
    assert get(client, org["ana"], csv="managers").status_code == 403


@pytest.mark.parametrize("stories", [1, 10])
def test_it_runs_a_constant_number_of_queries(client, org, stories, django_assert_max_num_queries):
    for day in range(stories):
        DecisionFactory(author=org["ana"], created_at=at(1 + day % 10))
    client.force_login(org["head"])
    # the page itself, and the earned-autonomy offers waiting for the reader; the first reader in ten minutes also
    # reads every manager's numbers, for the organisation's medians (two queries more)
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(19):
        client.get(reverse("insights:managers"))


@pytest.mark.parametrize("teams", [0, 4])
def test_its_queries_do_not_grow_with_the_managers(client, org, teams, django_assert_max_num_queries):
    """Every manager counts in the organisation's medians: the page reads each table once, never once per manager."""
    for n in range(teams):
        team = TeamFactory(name=f"Extra {n}", department=org["care"])
        boss, person = manager(team), agent(team)
        story = DecisionFactory(
            author=person, created_at=at(3), status=Decision.Status.APPROVED, approved_by=boss, approved_at=at(4)
        )
        EndorsementFactory(decision=story, endorser=boss, created_at=at(5))
    client.force_login(admin())
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(17):
        page = client.get(reverse("insights:managers")).content.decode()
    assert len(page_table(page, "managers")) == 1 + 3 + teams + 1  # header, managers, the median
