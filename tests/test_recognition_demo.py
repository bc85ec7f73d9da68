"""`seed_demo` adds endorsements, approvals, celebrations and one closed review whose lesson is in the playbook."""

import datetime

import pytest
from django.utils import timezone

from apps.decisions.models import Decision, Outcome
from apps.org.demo import seed_organisation
from apps.recognition import demo
from apps.recognition.models import AuditEvent, Endorsement, Notification, Review
from apps.recognition.selectors import shared_lessons

from .factories import DecisionFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Endorsement.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        Review.objects.count(),
        list(Decision.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_it_does_nothing_while_there_are_no_decisions():
    seeded = seed_organisation(today=timezone.localdate())

    demo.seed(today=timezone.localdate(), seeded=seeded)

    assert _counts() == (0, 0, 0, 0, [])


def test_it_recognises_the_decisions_that_exist_once():
    today = timezone.localdate()
    seeded = seed_organisation(today=today)
    outcomes = [Outcome.RETAINED, Outcome.DELIGHTED, Outcome.LOST, Outcome.NEUTRAL]
    for index, author in enumerate(a for agents in seeded["agents"].values() for a in agents):
        for age in (1, 10, 25):
            DecisionFactory(
                author=author,
                created_at=timezone.now() - datetime.timedelta(days=age, hours=index),
                outcome=outcomes[(index + age) % 4],
                covered=bool((index + age) % 3),
                coverage="organisation" if (index + age) % 3 else "none",
            )

    demo.seed(today=today, seeded=seeded)

    statuses = set(Decision.objects.values_list("status", flat=True))
    assert {"submitted", "approved", "celebrated"} <= statuses
    assert not Decision.objects.filter(status="submitted", created_at__lt=timezone.now() - datetime.timedelta(days=30))
    assert Endorsement.objects.count() > 20
    notes = set(Decision.objects.filter(status="celebrated").values_list("celebration_note", flat=True))
    assert any("Great call" in n or "Thank you" in n or "ownership" in n for n in notes)  # English managers
    assert any("Gracias" in n or "decisión" in n or "así se hace" in n for n in notes)  # Lucas writes in Spanish
    (lesson,) = shared_lessons()
    assert "second opinion" in lesson.lesson
    assert Review.objects.filter(status="open", requested_by_author=True).count() == 1
    assert not Notification.objects.exclude(email_status="skipped").exists(), "demo history sends no email"
    assert AuditEvent.objects.filter(verb="celebrated").count() == Decision.objects.filter(status="celebrated").count()

    before = _counts()
    demo.seed(today=today, seeded=seeded)
    assert _counts() == before
