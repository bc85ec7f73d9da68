"""Recognition's writes: endorse, approve, celebrate, blameless reviews, notifications and their emails.

Every function here is keyword-only and named `<entity>_<action>`. Each write that has a side effect writes an
`AuditEvent` in the same transaction, and each notification is a row written in that transaction too: its email is
enqueued only once the transaction commits, and the outbox (`outbox_drain`) sends whatever the broker missed.
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core import outbox
from apps.decisions.models import Decision
from apps.decisions.selectors import can_manage_decision, visible_decisions
from apps.org.models import Membership

from .models import AuditEvent, Endorsement, Notification, Review, ReviewMessage


class ActionRefused(Exception):
    """A request that is allowed but cannot be done in the decision's current state; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- helpers -----------------------------------------------------------------------------------------------------


def _audit(*, actor: User | None, verb: str, decision: Decision, **data) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, verb=verb, decision=decision, data={"team_id": decision.team_id, **data}
    )


def _enqueue_email(notification_id: int) -> None:
    from .tasks import send_notification_email

    outbox.enqueue(send_notification_email, notification_id)


def _notify(*, recipients, kind: str, decision: Decision, actor: User | None) -> list[Notification]:
    notifications = []
    for recipient in recipients:
        if actor is not None and recipient.pk == actor.pk:
            continue
        wants_email = recipient.is_active and bool(recipient.email) and recipient.email_notifications
        notification = Notification.objects.create(
            recipient=recipient,
            kind=kind,
            decision=decision,
            actor=actor,
            email_status=Notification.EmailStatus.PENDING if wants_email else Notification.EmailStatus.SKIPPED,
        )
        if wants_email:
            transaction.on_commit(partial(_enqueue_email, notification.pk))
        notifications.append(notification)
    return notifications


def _managers_of(decision: Decision) -> list[User]:
    return list(
        User.objects.filter(
            memberships__team_id=decision.team_id, memberships__role=Membership.Role.MANAGER, is_active=True
        ).exclude(pk=decision.author_id)
    )


def _require_manager(*, user: User, decision: Decision) -> None:
    if not can_manage_decision(user=user, decision=decision):
        raise PermissionDenied("Only a manager of the author's team may do this.")


def _locked(decision: Decision) -> Decision:
    """The decision's row, locked until the transaction ends: two managers acting at once take turns."""
    return Decision.objects.select_for_update().get(pk=decision.pk)


# --- endorsements --------------------------------------------------------------------------------------------------


@transaction.atomic
def endorsement_create(*, decision: Decision, endorser: User, comment: str = "") -> tuple[Endorsement, bool]:
    """Endorses a decision once; endorsing again (a double click) changes nothing. Returns (endorsement, created)."""
    if decision.author_id == endorser.pk:
        raise PermissionDenied("Nobody endorses their own decision.")
    if not visible_decisions(user=endorser).filter(pk=decision.pk).exists():
        raise PermissionDenied("This decision is not visible to the endorser.")
    if decision.status == Decision.Status.WITHDRAWN:
        raise ActionRefused(_("This story was withdrawn by its author, so it cannot be endorsed."))
    try:
        # The savepoint keeps the outer transaction usable when the unique constraint refuses a second endorsement.
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                decision=decision, endorser=endorser, decision_author_id=decision.author_id, comment=comment.strip()
            )
    except IntegrityError:
        return Endorsement.objects.get(decision=decision, endorser=endorser), False
    _audit(actor=endorser, verb=AuditEvent.Verb.ENDORSED, decision=decision)
    # Taking an endorsement back and giving it again does not tell the author twice.
    already_told = Notification.objects.filter(
        recipient_id=decision.author_id, kind=Notification.Kind.ENDORSED, decision=decision, actor=endorser
    ).exists()
    if not already_told:
        _notify(recipients=[decision.author], kind=Notification.Kind.ENDORSED, decision=decision, actor=endorser)
    return endorsement, True


@transaction.atomic
def endorsement_delete(*, decision: Decision, endorser: User) -> bool:
    """Takes an endorsement back. Returns False when there was none (a double click)."""
    deleted, _details = Endorsement.objects.filter(decision=decision, endorser=endorser).delete()
    if deleted:
        _audit(actor=endorser, verb=AuditEvent.Verb.ENDORSEMENT_WITHDRAWN, decision=decision)
    return bool(deleted)


# --- approval and celebration --------------------------------------------------------------------------------------


def _refuse_while_in_review(decision: Decision) -> None:
    """Another manager may have taken the story into a private review: it is not shared until that ends."""
    if Review.objects.filter(decision=decision, status=Review.Status.OPEN).exists():
        raise ActionRefused(_("This story is in a blameless review. Close the review before you share the story."))


@transaction.atomic
def decision_approve(*, decision: Decision, manager: User) -> bool:
    """Shares a submitted story with the whole organisation. Returns False if it was already approved."""
    _require_manager(user=manager, decision=decision)
    locked = _locked(decision)
    if locked.status == Decision.Status.WITHDRAWN:
        raise ActionRefused(_("This story was withdrawn by its author, so it cannot be approved."))
    if locked.status != Decision.Status.SUBMITTED:
        return False
    _refuse_while_in_review(locked)
    locked.status = Decision.Status.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = manager
    locked.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    _audit(actor=manager, verb=AuditEvent.Verb.APPROVED, decision=locked)
    _notify(recipients=[locked.author], kind=Notification.Kind.APPROVED, decision=locked, actor=manager)
    _refresh(decision, locked)
    return True


@transaction.atomic
def decision_celebrate(*, decision: Decision, manager: User, note: str) -> bool:
    """Celebrates a story with a public note (approving it first if needed). Returns False if already celebrated."""
    _require_manager(user=manager, decision=decision)
    note = note.strip()
    if not note:
        raise ActionRefused(_("Write a short note to celebrate this story."))
    locked = _locked(decision)
    if locked.status == Decision.Status.WITHDRAWN:
        raise ActionRefused(_("This story was withdrawn by its author, so it cannot be celebrated."))
    if locked.status == Decision.Status.CELEBRATED:
        return False
    now = timezone.now()
    if locked.status == Decision.Status.SUBMITTED:
        _refuse_while_in_review(locked)
        locked.approved_at, locked.approved_by = now, manager
        _audit(actor=manager, verb=AuditEvent.Verb.APPROVED, decision=locked)
    locked.status = Decision.Status.CELEBRATED
    locked.celebrated_at, locked.celebrated_by, locked.celebration_note = now, manager, note
    locked.save(
        update_fields=[
            "status",
            "approved_at",
            "approved_by",
            "celebrated_at",
            "celebrated_by",
            "celebration_note",
            "updated_at",
        ]
    )
    _audit(actor=manager, verb=AuditEvent.Verb.CELEBRATED, decision=locked)
    # One message says it all: a celebration implies the approval.
    _notify(recipients=[locked.author], kind=Notification.Kind.CELEBRATED, decision=locked, actor=manager)
    _refresh(decision, locked)
    return True


def _refresh(stale: Decision, fresh: Decision) -> None:
    for field in ("status", "approved_at", "approved_by", "celebrated_at", "celebrated_by", "celebration_note"):
        setattr(stale, field, getattr(fresh, field))


# --- blameless reviews ---------------------------------------------------------------------------------------------


def _review_create(
    *, decision: Decision, opened_by: User, requested_by_author: bool, message: str
) -> tuple[Review, bool]:
    locked = _locked(decision)
    if locked.status == Decision.Status.WITHDRAWN:
        raise ActionRefused(_("This story was withdrawn by its author, so it cannot be reviewed."))
    # The decision's row is locked, so of two people opening a review at once the second finds the first's.
    existing = Review.objects.filter(decision=locked).first()
    if existing is not None:
        return existing, False
    review = Review.objects.create(decision=locked, opened_by=opened_by, requested_by_author=requested_by_author)
    if message.strip():
        ReviewMessage.objects.create(review=review, author=opened_by, body=message.strip())
    return review, True


@transaction.atomic
def review_open(*, decision: Decision, manager: User, message: str = "") -> tuple[Review, bool]:
    """A manager opens a blameless review instead of approving. It changes nothing else about the decision:
    not its status, not its cost, not its coverage; scores, leaderboards and digests never read reviews."""
    _require_manager(user=manager, decision=decision)
    review, created = _review_create(decision=decision, opened_by=manager, requested_by_author=False, message=message)
    if created:
        _audit(actor=manager, verb=AuditEvent.Verb.REVIEW_OPENED, decision=decision)
        _notify(recipients=[decision.author], kind=Notification.Kind.REVIEW_OPENED, decision=decision, actor=manager)
    return review, created


@transaction.atomic
def review_request(*, decision: Decision, author: User, message: str = "") -> tuple[Review, bool]:
    """The author asks for a blameless review of their own decision; their team's managers are told."""
    if decision.author_id != author.pk:
        raise PermissionDenied("Only the author asks for a review of their decision.")
    review, created = _review_create(decision=decision, opened_by=author, requested_by_author=True, message=message)
    if created:
        _audit(actor=author, verb=AuditEvent.Verb.REVIEW_REQUESTED, decision=decision)
        _notify(
            recipients=_managers_of(decision),
            kind=Notification.Kind.REVIEW_REQUESTED,
            decision=decision,
            actor=author,
        )
    return review, created


def can_take_part_in_review(*, user: User, review: Review) -> bool:
    """The thread is between the author and the managers of the author's team (admins may read, not write)."""
    return review.decision.author_id == user.pk or can_manage_decision(user=user, decision=review.decision)


@transaction.atomic
def review_message_create(*, review: Review, author: User, body: str) -> ReviewMessage:
    if not can_take_part_in_review(user=author, review=review):
        raise PermissionDenied("Only the author and their managers write in a review.")
    if review.status != Review.Status.OPEN:
        raise ActionRefused(_("This review is closed; its conversation is kept as it was."))
    message = ReviewMessage.objects.create(review=review, author=author, body=body.strip())
    decision = review.decision
    _audit(actor=author, verb=AuditEvent.Verb.REVIEW_MESSAGE, decision=decision)
    _notify(
        recipients=[decision.author, *_managers_of(decision)],
        kind=Notification.Kind.REVIEW_MESSAGE,
        decision=decision,
        actor=author,
    )
    return message


@transaction.atomic
def review_close(*, review: Review, manager: User, lesson: str) -> bool:
    """Ends a review with what was learned. Returns False if it was already closed (double click, two managers)."""
    decision = review.decision
    _require_manager(user=manager, decision=decision)
    lesson = lesson.strip()
    if not lesson:
        raise ActionRefused(_("Write what you learned together before closing the review."))
    now = timezone.now()
    closed = Review.objects.filter(pk=review.pk, status=Review.Status.OPEN).update(
        status=Review.Status.CLOSED, closed_at=now, closed_by=manager, lesson=lesson
    )
    if not closed:
        return False
    review.status, review.closed_at, review.closed_by, review.lesson = Review.Status.CLOSED, now, manager, lesson
    _audit(actor=manager, verb=AuditEvent.Verb.REVIEW_CLOSED, decision=decision)
    _notify(recipients=[decision.author], kind=Notification.Kind.REVIEW_CLOSED, decision=decision, actor=manager)
    return True


@transaction.atomic
def review_lesson_share(*, review: Review, author: User, shared: bool) -> bool:
    """Only the author decides whether the lesson, without any name, becomes a playbook example."""
    if review.decision.author_id != author.pk:
        raise PermissionDenied("Only the author decides whether the lesson is shared.")
    if review.status != Review.Status.CLOSED:
        raise ActionRefused(_("A lesson can be shared once the review is closed."))
    changed = Review.objects.filter(pk=review.pk).exclude(lesson_shared=shared).update(lesson_shared=shared)
    review.lesson_shared = shared
    if changed:
        verb = AuditEvent.Verb.LESSON_SHARED if shared else AuditEvent.Verb.LESSON_UNSHARED
        _audit(actor=author, verb=verb, decision=review.decision)
    return bool(changed)


# --- notifications and their emails -------------------------------------------------------------------------------


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_email_send(*, notification_id: int) -> bool:
    """Sends one notification's email, at most once (see apps/core/outbox.py). Returns True if this call sent it."""
    from .emails import notification_message

    if not outbox.claim(Notification, notification_id):
        return False
    notification = Notification.objects.select_related(
        "recipient", "actor", "decision", "decision__category", "decision__author"
    ).get(pk=notification_id)
    recipient = notification.recipient
    # The preference is read again at send time: turning emails off stops what is still waiting.
    if not (recipient.is_active and recipient.email and recipient.email_notifications):
        Notification.objects.filter(pk=notification_id).update(email_status=Notification.EmailStatus.SKIPPED)
        return False
    return outbox.deliver(notification, notification_message(notification))


def outbox_drain(*, limit: int = 200, until: float | None = None) -> int:
    """Sends the notification emails still waiting. Returns how many it sent."""
    return outbox.drain(Notification, lambda pk: notification_email_send(notification_id=pk), limit=limit, until=until)
