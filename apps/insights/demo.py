"""Demo data for the insights, loaded by `manage.py seed_demo` after the recognition app: a manager who lets stories
wait (Lucas, Orders & Returns), a manager whose only trust statement has lapsed (Priya, Reservations), outcomes
confirmed and corrected a month on, and a reminder waiting for Ana. The category whose limit is too low is the
decisions app's Replacement (60), and the quiet agent is its Ravi, who logs nothing. Tom's record in fee waivers has
earned a raised limit, which Grace is offered."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.decisions.models import Category, Channel, Decision, Outcome, OutcomeChange, TrustStatement
from apps.decisions.services import decision_submit
from apps.recognition.models import Notification

WAITING_REFERENCE = "CASE-WAIT-{}"
WAITING = [
    # days waiting, agent, category, cost, situation, action, justification
    (
        12,
        "Kwame",
        "replacement",
        "45",
        "A customer's kettle arrived with a cracked lid two days before a family visit.",
        "I sent a new lid by express delivery before the old one came back.",
        "Waiting for the return would have spoiled the visit; a lid costs little next to a lost customer.",
    ),
    (
        9,
        "Aisha",
        "refund-credit",
        "30",
        "A customer was charged twice for the same order after our checkout timed out.",
        "I refunded the second charge straight away instead of waiting for the weekly reconciliation.",
        "The mistake was ours and the customer needed the money back before payday.",
    ),
    (
        6,
        "Liam",
        "goodwill",
        "20",
        "A parcel went round the country twice before reaching a customer who needed it for a birthday.",
        "I sent a card and a small voucher to say sorry for the stress.",
        "The customer had done nothing wrong and said they would not order again.",
    ),
]


def seed(*, today, seeded: dict) -> None:
    if not Decision.objects.exists():
        return  # the decisions app has not seeded anything yet
    now = timezone.now()
    with transaction.atomic():
        _stories_left_waiting(seeded, now)
        _lapsed_trust_statement(seeded, today)
        _outcomes_a_month_on(seeded, now)
        _earned_autonomy(seeded, now)


def _stories_left_waiting(seeded, now) -> None:
    """Lucas lets stories wait: three of his team's stories have waited a week and more."""
    if Decision.objects.filter(customer_reference=WAITING_REFERENCE.format(1)).exists():
        return
    agents = {a.first_name: a for a in seeded["agents"]["Orders & Returns"]}
    for number, (days, name, slug, cost, situation, action, justification) in enumerate(WAITING, start=1):
        created_at = now - datetime.timedelta(days=days, hours=3)
        decision = decision_submit(
            author=agents[name],
            fields={
                "situation": situation,
                "action": action,
                "justification": justification,
                "category": Category.objects.get(slug=slug),
                "channel": Channel.PHONE,
                "cost": Decimal(cost),
                "outcome": Outcome.RETAINED,
                "happened_on": created_at.date(),
                "customer_reference": WAITING_REFERENCE.format(number),
            },
        )
        Decision.objects.filter(pk=decision.pk).update(created_at=created_at)


def _lapsed_trust_statement(seeded, today) -> None:
    """Priya's only trust statement ended last week: the managers page lists her under "needs attention"."""
    TrustStatement.objects.filter(author=seeded["managers"]["Reservations"], ends_on__isnull=True).update(
        ends_on=today - datetime.timedelta(days=7)
    )


def _outcomes_a_month_on(seeded, now) -> None:
    """Older shared stories whose outcome was confirmed or corrected, and one reminder waiting for Ana (the demo's
    first account): her oldest shared story, made a month old if it is younger."""
    if OutcomeChange.objects.exists():
        return
    month_ago = now - datetime.timedelta(days=30)
    ana = next(a for a in seeded["agents"]["Billing & Accounts"] if a.first_name == "Ana")
    reminded = Decision.objects.shared().filter(author=ana).order_by("created_at", "pk").first()
    if reminded is not None:
        created_at = min(reminded.created_at, month_ago - datetime.timedelta(days=1))
        Decision.objects.filter(pk=reminded.pk).update(
            created_at=created_at, happened_on=created_at.date(), outcome_reminded_at=now
        )
        Notification.objects.create(
            recipient=ana,
            kind=Notification.Kind.OUTCOME_REMINDER,
            decision=reminded,
            email_status=Notification.EmailStatus.SKIPPED,
        )
    followed_up = (
        Decision.objects.shared()
        .filter(created_at__lte=month_ago)
        .exclude(pk=getattr(reminded, "pk", None))
        .order_by("pk")[:6]
    )
    for index, decision in enumerate(followed_up):
        outcome = Outcome.LOST if index == 2 else decision.outcome
        OutcomeChange.objects.create(
            decision=decision, previous=decision.outcome, outcome=outcome, changed_by=decision.author,
            changed_at=min(decision.created_at + datetime.timedelta(days=31), now),
        )  # fmt: skip
        Decision.objects.filter(pk=decision.pk).update(outcome=outcome, outcome_reminded_at=month_ago)


EARNED_REFERENCE = "CASE-EARNED-{}"


def _earned_autonomy(seeded, now) -> None:
    """Tom waived ten small fees in the last three months, nine of those customers stayed: Grace is offered a trust
    statement raising his fee-waiver limit."""
    if Decision.objects.filter(customer_reference=EARNED_REFERENCE.format(1)).exists():
        return
    tom = next(a for a in seeded["agents"]["Billing & Accounts"] if a.first_name == "Tom")
    grace = seeded["managers"]["Billing & Accounts"]
    fee = Category.objects.get(slug="fee-waiver")
    for number in range(1, 11):
        created_at = now - datetime.timedelta(days=number * 7, hours=2)
        decision = decision_submit(
            author=tom,
            fields={
                "situation": "A customer was charged a late fee although our own payment page had been down.",
                "action": "I waived the late fee.",
                "justification": "The delay was ours; keeping the fee would have cost us the customer's trust.",
                "category": fee,
                "channel": Channel.PHONE,
                "cost": Decimal(15 + number * 2),
                "outcome": Outcome.LOST if number == 10 else Outcome.RETAINED,
                "happened_on": created_at.date(),
                "customer_reference": EARNED_REFERENCE.format(number),
            },
        )
        Decision.objects.filter(pk=decision.pk).update(
            created_at=created_at,
            status=Decision.Status.APPROVED,
            approved_by=grace,
            approved_at=created_at + datetime.timedelta(hours=5),
        )
