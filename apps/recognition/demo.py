"""Demo data for this app, loaded by `manage.py seed_demo` after the decisions app.

On the decisions that exist: managers approve most stories older than a few days (a few are left waiting in the
queues) and celebrate some with a note in their own language; colleagues endorse them, with comments in theirs; one
decision went through a blameless review whose lesson is shared in the playbook, and another review is open. The
history is written as rows with their own dates (audit trail and notifications included) and sends no email.
Idempotent: it adds only what is missing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.models import Decision, Outcome
from apps.org.models import Membership

from .models import AuditEvent, Endorsement, Notification, Review, ReviewMessage
from .services import escalations_record

NOTES = {
    "en": [
        "Great call, {name} — this is exactly the judgement we want.",
        "Thank you, {name}: you kept a customer and made the whole team proud.",
        "{name}, this is what ownership looks like. Well done.",
    ],
    "es": [
        "¡Gran decisión, {name}! Justo el criterio que queremos.",
        "Gracias, {name}: cuidaste al cliente como si fuera tuyo.",
        "{name}, así se hace: rápido, justo y con cabeza.",
    ],
    "nl": [
        "Sterk gedaan, {name} — precies het oordeel dat we willen zien.",
        "Dank je, {name}: je hebt de klant echt geholpen.",
        "{name}, dit is eigenaarschap. Goed gedaan!",
    ],
}
COMMENTS = {
    "en": ["Good call!", "Exactly what I would want as a customer.", "Smart and kind.", "", ""],
    "es": ["¡Muy bien hecho!", "Así se cuida a un cliente.", "", ""],
    "nl": ["Goed gedaan!", "Slim opgelost.", "", ""],
}
LESSON = (
    "When an upset customer pushes a refund above the guardrail, take one minute to ask a colleague in the team chat "
    "for a second opinion. A credit on the next bill often solves the problem at a lower cost, and the customer still "
    "feels heard."
)
THREAD = [
    ("manager", "Thanks for logging this one so honestly. What happened, in your own words?"),
    (
        "author",
        "The customer was furious about a double charge and I refunded the whole year. "
        "In hindsight a credit would have done it.",
    ),
    ("manager", "It was a fair instinct. What would help you next time, in the moment?"),
    ("author", "A quick second opinion in the team chat before going above the limit."),
]
# Stories younger than this stay in the managers' queues.
QUEUE_AGE = datetime.timedelta(days=3)


def seed(*, today, seeded: dict) -> None:
    decisions = list(Decision.objects.select_related("author", "team", "category").order_by("created_at", "pk"))
    if not decisions:
        return  # the decisions app has not seeded anything yet
    now = timezone.now()
    rng = random.Random(20261124)
    managers = _managers_by_team()
    with transaction.atomic():
        if not AuditEvent.objects.filter(verb__in=[AuditEvent.Verb.APPROVED, AuditEvent.Verb.CELEBRATED]).exists():
            _approve_and_celebrate(decisions, managers, now, rng)
        if not Endorsement.objects.exists():
            _endorse(decisions, managers, now, rng)
        if not Review.objects.exists():
            _reviews(decisions, managers, now)
        if not AuditEvent.objects.filter(verb=AuditEvent.Verb.RETURNED).exists():
            _return_one(managers, now)
        # Stories that waited past the organisation's second limit show up for department heads and admins.
        escalations_record(now=now)


RETURN_NOTES = {
    "en": "Thanks for logging this! Could you take the customer's phone number out of the text? Then I'll approve it.",
    "es": "¡Gracias por registrarla! ¿Puedes quitar del texto el teléfono del cliente? Luego la apruebo.",
    "nl": "Dank voor het vastleggen! Kun je het telefoonnummer van de klant uit de tekst halen? Dan keur ik het goed.",
}


def _return_one(managers, now) -> None:
    """One waiting story handed back to its author with a note: returned, never rejected."""
    waiting = (
        Decision.objects.filter(status=Decision.Status.SUBMITTED, returned_at__isnull=True, review__isnull=True)
        .select_related("author")
        .order_by("-created_at")
    )
    # The demo agent (README) gets it, so that signing in as her shows what a returned story looks like.
    for decision in sorted(waiting, key=lambda d: d.author.email != "ana@acme.example"):
        manager = next((m for m in managers.get(decision.team_id, []) if m.pk != decision.author_id), None)
        if manager is None:
            continue
        note = RETURN_NOTES.get(decision.author.language, RETURN_NOTES["en"])
        Decision.objects.filter(pk=decision.pk).update(returned_at=now, returned_by=manager, return_note=note)
        AuditEvent.objects.create(
            actor=manager, verb=AuditEvent.Verb.RETURNED, decision=decision, data={"team_id": decision.team_id}
        )
        Notification.objects.create(
            recipient=decision.author,
            kind=Notification.Kind.RETURNED,
            decision=decision,
            actor=manager,
            email_status=Notification.EmailStatus.SKIPPED,
        )
        return


def _managers_by_team() -> dict[int, list[User]]:
    result: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(role=Membership.Role.MANAGER).select_related("user"):
        result.setdefault(membership.team_id, []).append(membership.user)
    return result


def _at_most(moment: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    return min(moment, now - datetime.timedelta(minutes=5))


def _approve_and_celebrate(decisions, managers, now, rng) -> None:
    events, notifications, changed = [], [], []
    # Each team's newest stories (and a few older ones) are left waiting, so the managers' queues show something.
    newest: dict[int, list[int]] = {}
    for decision in reversed(decisions):
        if decision.status == Decision.Status.SUBMITTED and len(newest.setdefault(decision.team_id, [])) < 2:
            newest[decision.team_id].append(decision.pk)
    waiting = {pk for pks in newest.values() for pk in pks}
    users = {u.pk: u for people in managers.values() for u in people}
    for decision in decisions:
        team_managers = [m for m in managers.get(decision.team_id, []) if m.pk != decision.author_id]
        if not team_managers or decision.status not in (Decision.Status.SUBMITTED, Decision.Status.APPROVED):
            continue
        if decision.status == Decision.Status.SUBMITTED:
            if decision.pk in waiting or decision.created_at > now - QUEUE_AGE or rng.random() < 0.05:
                continue  # still waiting in the queue
            decision.status = Decision.Status.APPROVED
            decision.approved_by = rng.choice(team_managers)
            decision.approved_at = _at_most(decision.created_at + datetime.timedelta(hours=rng.randint(2, 40)), now)
        manager = users.get(decision.approved_by_id) or rng.choice(team_managers)
        approved_at = decision.approved_at or decision.created_at
        events.append(_event(manager, AuditEvent.Verb.APPROVED, decision, approved_at))
        kind, when = Notification.Kind.APPROVED, approved_at
        if decision.outcome in (Outcome.DELIGHTED, Outcome.RETAINED) and rng.random() < 0.3:
            language = manager.language if manager.language in NOTES else "en"
            decision.status = Decision.Status.CELEBRATED
            decision.celebrated_by = manager
            decision.celebrated_at = _at_most(approved_at + datetime.timedelta(hours=1), now)
            decision.celebration_note = rng.choice(NOTES[language]).format(name=decision.author.first_name)
            events.append(_event(manager, AuditEvent.Verb.CELEBRATED, decision, decision.celebrated_at))
            kind, when = Notification.Kind.CELEBRATED, decision.celebrated_at
        notifications.append(_notification(decision, kind, manager, when, now))
        changed.append(decision)
    Decision.objects.bulk_update(
        changed, ["status", "approved_by", "approved_at", "celebrated_by", "celebrated_at", "celebration_note"]
    )
    AuditEvent.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications)


def _event(actor, verb, decision, when) -> AuditEvent:
    return AuditEvent(actor=actor, verb=verb, decision=decision, created_at=when, data={"team_id": decision.team_id})


def _notification(decision, kind, actor, when, now) -> Notification:
    # Demo history sends no email; only the last day's notifications are unread.
    return Notification(
        recipient_id=decision.author_id,
        kind=kind,
        decision=decision,
        actor=actor,
        created_at=when,
        read_at=None if when > now - datetime.timedelta(days=1) else when + datetime.timedelta(hours=3),
        email_status=Notification.EmailStatus.SKIPPED,
    )


def _endorse(decisions, managers, now, rng) -> None:
    agents_by_team: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(role=Membership.Role.AGENT).select_related("user"):
        agents_by_team.setdefault(membership.team_id, []).append(membership.user)
    everyone = [u for people in agents_by_team.values() for u in people]
    everyone += [m for people in managers.values() for m in people]
    endorsements, events, notifications = [], [], []
    for decision in decisions:
        if decision.status == Decision.Status.WITHDRAWN:
            continue
        if decision.status == Decision.Status.SUBMITTED:
            pool, count = agents_by_team.get(decision.team_id, []), rng.randint(0, 2)
        else:
            pool = agents_by_team.get(decision.team_id, []) + everyone
            count = rng.randint(1, 7) if decision.status == Decision.Status.CELEBRATED else rng.randint(0, 4)
        candidates = list({u.pk: u for u in pool if u.pk != decision.author_id}.values())
        start = decision.approved_at or decision.created_at
        for endorser in rng.sample(candidates, min(count, len(candidates))):
            when = _at_most(start + datetime.timedelta(hours=rng.randint(1, 72)), now)
            comments = COMMENTS.get(endorser.language, COMMENTS["en"])
            endorsements.append(
                Endorsement(
                    decision=decision,
                    endorser=endorser,
                    decision_author_id=decision.author_id,
                    comment=rng.choice(comments),
                    created_at=when,
                )
            )
            events.append(_event(endorser, AuditEvent.Verb.ENDORSED, decision, when))
            notifications.append(_notification(decision, Notification.Kind.ENDORSED, endorser, when, now))
    Endorsement.objects.bulk_create(endorsements)
    AuditEvent.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications)


def _reviews(decisions, managers, now) -> None:
    """One closed review whose lesson is in the playbook, and one open review the author asked for."""

    def fits(decision: Decision) -> bool:
        return decision.status != Decision.Status.WITHDRAWN and bool(
            [m for m in managers.get(decision.team_id, []) if m.pk != decision.author_id]
        )

    # A story that went through a review was not celebrated (the list above predates the celebrations).
    celebrated = set(Decision.objects.filter(status=Decision.Status.CELEBRATED).values_list("pk", flat=True))
    candidates = [d for d in decisions if fits(d) and d.pk not in celebrated]
    if not candidates:
        return
    old = [d for d in candidates if d.created_at < now - datetime.timedelta(days=7)] or candidates
    # The lesson and the thread are about a refund above the guardrail: prefer such a decision.
    refunds = [d for d in old if "refund" in d.category.slug]
    closed = next((d for d in refunds if not d.covered), None) or next((d for d in old if not d.covered), None)
    closed = closed or (refunds or old)[0]
    _closed_review(closed, managers, now)
    # The author of a recent story above the guardrail asked for a review (preferably one still waiting).
    others = [d for d in candidates if d.pk != closed.pk and d.created_at > now - datetime.timedelta(days=10)]
    others = others or [d for d in candidates if d.pk != closed.pk]
    others.sort(key=lambda d: (d.status == Decision.Status.SUBMITTED, not d.covered, d.created_at))
    if others:
        _open_review(others[-1], now)


def _closed_review(decision, managers, now) -> None:
    manager = next(m for m in managers[decision.team_id] if m.pk != decision.author_id)
    opened_at = _at_most(decision.created_at + datetime.timedelta(days=1), now)
    closed_at = _at_most(opened_at + datetime.timedelta(days=2), now)
    review = Review.objects.create(
        decision=decision,
        opened_by=manager,
        opened_at=opened_at,
        status=Review.Status.CLOSED,
        closed_by=manager,
        closed_at=closed_at,
        lesson=LESSON,
        lesson_shared=True,
    )
    for index, (who, body) in enumerate(THREAD):
        ReviewMessage.objects.create(
            review=review,
            author=manager if who == "manager" else decision.author,
            body=body,
            created_at=opened_at + datetime.timedelta(hours=3 * index),
        )
    AuditEvent.objects.bulk_create(
        [
            _event(manager, AuditEvent.Verb.REVIEW_OPENED, decision, opened_at),
            _event(manager, AuditEvent.Verb.REVIEW_CLOSED, decision, closed_at),
            _event(decision.author, AuditEvent.Verb.LESSON_SHARED, decision, closed_at),
        ]
    )
    Notification.objects.bulk_create(
        [
            _notification(decision, Notification.Kind.REVIEW_OPENED, manager, opened_at, now),
            _notification(decision, Notification.Kind.REVIEW_CLOSED, manager, closed_at, now),
        ]
    )


def _open_review(decision, now) -> None:
    opened_at = _at_most(decision.created_at + datetime.timedelta(hours=2), now)
    review = Review.objects.create(
        decision=decision, opened_by=decision.author, requested_by_author=True, opened_at=opened_at
    )
    ReviewMessage.objects.create(
        review=review,
        author=decision.author,
        body="I went above my limit here and I am not sure it was right. Can we talk it through?",
        created_at=opened_at,
    )
    _event(decision.author, AuditEvent.Verb.REVIEW_REQUESTED, decision, opened_at).save()
