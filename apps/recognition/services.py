"""Recognition's writes: endorse, approve, celebrate, blameless reviews, notifications and their emails.

Every function here is keyword-only and named `<entity>_<action>`. Each write that has a side effect writes an
`AuditEvent` in the same transaction, and each notification is a row written in that transaction too: its email is
enqueued only once the transaction commits, and the outbox (`outbox_drain`) sends whatever the broker missed.
"""

import datetime
import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core import outbox
from apps.decisions.models import Decision, Outcome, OutcomeChange
from apps.decisions.selectors import can_manage_decision, visible_decisions
from apps.integrations.models import WebhookEndpoint
from apps.integrations.services import on_story_event
from apps.org.models import Membership, Organisation
from apps.org.selectors import time_zone_for

from . import waiting
from .models import AuditEvent, Endorsement, Notification, QueueReminder, Review, ReviewMessage

logger = logging.getLogger(__name__)


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
    """Who hears about a story's review: the team's active managers, or else its department's heads (who stand in
    for a team without a manager)."""
    managers = list(
        User.objects.filter(
            memberships__team_id=decision.team_id, memberships__role=Membership.Role.MANAGER, is_active=True
        ).exclude(pk=decision.author_id)
    )
    return managers or list(
        User.objects.filter(headed_departments__teams=decision.team_id, is_active=True).exclude(pk=decision.author_id)
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
                decision=decision,
                endorser=endorser,
                decision_author_id=decision.author_id,
                comment=comment.strip(),
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
def endorsement_comment(*, decision: Decision, endorser: User, comment: str) -> Endorsement:
    """Adds (or changes) the comment on one's own endorsement: endorse first with one click, say why after."""
    endorsement = Endorsement.objects.select_for_update().filter(decision=decision, endorser=endorser).first()
    if endorsement is None:
        raise ActionRefused(_("Endorse the story first, then add your comment."))
    # The row is locked: counting here is safe.
    endorsement.comment, endorsement.comment_edits = comment.strip(), endorsement.comment_edits + 1
    endorsement.save(update_fields=["comment", "comment_edits"])
    return endorsement


@transaction.atomic
def endorsement_delete(*, decision: Decision, endorser: User) -> bool:
    """Takes an endorsement back. Returns False when there was none (a double click)."""
    deleted, _details = Endorsement.objects.filter(decision=decision, endorser=endorser).delete()
    if deleted:
        _audit(actor=endorser, verb=AuditEvent.Verb.ENDORSEMENT_WITHDRAWN, decision=decision)
    return bool(deleted)


# --- approval and celebration --------------------------------------------------------------------------------------


RETURN_FIELDS = ("returned_at", "returned_by", "return_note")


def _clear_return(decision: Decision) -> None:
    """A manager who shares a story they had returned changed their mind: the note has done its work."""
    decision.returned_at, decision.returned_by, decision.return_note = None, None, ""


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
    _clear_return(locked)
    locked.save(update_fields=["status", "approved_at", "approved_by", *RETURN_FIELDS, "updated_at"])
    _audit(actor=manager, verb=AuditEvent.Verb.APPROVED, decision=locked)
    _notify(recipients=[locked.author], kind=Notification.Kind.APPROVED, decision=locked, actor=manager)
    # Chat channels and webhooks: rows written now, sent by a worker once this commits (never waited for here).
    on_story_event(locked, WebhookEndpoint.Event.APPROVED)
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
    approved_now = locked.status == Decision.Status.SUBMITTED
    if approved_now:
        _refuse_while_in_review(locked)
        locked.approved_at, locked.approved_by = now, manager
        _clear_return(locked)
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
            *RETURN_FIELDS,
            "updated_at",
        ]
    )
    _audit(actor=manager, verb=AuditEvent.Verb.CELEBRATED, decision=locked)
    # One message says it all: a celebration implies the approval.
    _notify(recipients=[locked.author], kind=Notification.Kind.CELEBRATED, decision=locked, actor=manager)
    if approved_now:  # webhooks hear of both events; a chat channel gets the one celebration message
        on_story_event(locked, WebhookEndpoint.Event.APPROVED, chat=False)
    on_story_event(locked, WebhookEndpoint.Event.CELEBRATED)
    _refresh(decision, locked)
    return True


@transaction.atomic
def decision_return(*, decision: Decision, manager: User, note: str) -> bool:
    """Hands a waiting story back to its author to change, with a note. Not a penalty: it stays submitted, counts
    for nothing and against nothing, and comes back to the queue when the author edits it. Returns False if it was
    already returned (two managers at once)."""
    _require_manager(user=manager, decision=decision)
    note = note.strip()
    if not note:
        raise ActionRefused(_("Tell the author what to change."))
    locked = _locked(decision)
    if locked.status != Decision.Status.SUBMITTED:
        raise ActionRefused(_("Only a story that waits for approval can be returned to its author."))
    if locked.returned_at is not None:
        return False
    locked.returned_at, locked.returned_by, locked.return_note = timezone.now(), manager, note
    locked.save(update_fields=["returned_at", "returned_by", "return_note", "updated_at"])
    # The note may quote what had to go (personal data), so the audit trail records the fact, not the note.
    _audit(actor=manager, verb=AuditEvent.Verb.RETURNED, decision=locked)
    _notify(recipients=[locked.author], kind=Notification.Kind.RETURNED, decision=locked, actor=manager)
    _refresh(decision, locked)
    return True


def decisions_approve_covered(*, decisions, manager: User) -> int:
    """Approves several covered stories at once, each in its own transaction, as if approved one by one: a story
    that is not covered, already shared, in review or returned is left as it is. Returns how many were approved."""
    approved = 0
    for decision in decisions:
        if not decision.covered or decision.returned_at is not None:
            continue
        try:
            approved += decision_approve(decision=decision, manager=manager)
        except (ActionRefused, PermissionDenied):
            continue
    return approved


# --- nobody waits forever ------------------------------------------------------------------------------------------


def queue_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Reminds each manager whose teams' stories waited longer than the organisation allows: one email a day at
    most (their own date), in their language, unless they turned reminders off. Returns how many were sent."""
    from .emails import queue_reminder_message

    now = now or timezone.now()
    overdue = waiting.overdue_for_reminder(organisation=Organisation.current(), now=now)
    managers = (
        User.objects.filter(
            is_active=True,
            email_reminders=True,
            memberships__role=Membership.Role.MANAGER,
            memberships__team__decisions__in=overdue,
        )
        .exclude(email="")
        .distinct()
    )
    sent = 0
    for manager in managers:
        stories = overdue.filter(
            team__memberships__user=manager, team__memberships__role=Membership.Role.MANAGER
        ).exclude(author=manager)
        count = stories.count()
        if not count:
            continue
        today = timezone.localtime(now, time_zone_for(manager)).date()
        # Claimed before it is sent: of two runs on the same day, one creates the row and sends; the other does not.
        reminder, created = QueueReminder.objects.get_or_create(
            manager=manager, sent_on=today, defaults={"stories": count}
        )
        if not created:
            continue
        oldest = list(stories.select_related("author", "category").order_by("created_at", "pk")[:5])
        try:
            queue_reminder_message(manager=manager, count=count, oldest=oldest).send()
        except Exception:
            # Given back, so the next run tries again today.
            reminder.delete()
            logger.warning("Queue reminder to %s could not be sent", manager.pk, exc_info=True)
            continue
        sent += 1
    return sent


def escalations_record(*, now: datetime.datetime | None = None) -> int:
    """Records, once per story, that it waited past the second limit: from then on it appears to the department's
    heads and to admins (`selectors.escalated_for`). Returns how many stories were escalated now."""
    stories = waiting.escalated(organisation=Organisation.current(), now=now).exclude(
        Exists(AuditEvent.objects.filter(decision=OuterRef("pk"), verb=AuditEvent.Verb.ESCALATED))
    )
    events = [
        AuditEvent(actor=None, verb=AuditEvent.Verb.ESCALATED, decision=decision, data={"team_id": decision.team_id})
        for decision in stories.only("pk", "team_id")
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def decisions_auto_approve(*, now: datetime.datetime | None = None) -> int:
    """When the organisation turned it on, approves covered stories that no manager acted on for its limit; the audit
    trail records that nobody approved them by hand. Returns how many were approved."""
    organisation = Organisation.current()
    ids = list(waiting.due_for_auto_approval(organisation=organisation, now=now).values_list("pk", flat=True))
    return sum(_auto_approve(decision_id, after_days=organisation.auto_approve_after_days) for decision_id in ids)


@transaction.atomic
def _auto_approve(decision_id: int, *, after_days: int) -> bool:
    locked = Decision.objects.select_for_update().get(pk=decision_id)
    # Checked again under the lock: a manager may have acted, or the author returned it, since the list was read.
    if not waiting.waiting_decisions().filter(pk=decision_id, covered=True).exists():
        return False
    locked.status, locked.approved_at, locked.approved_by = Decision.Status.APPROVED, timezone.now(), None
    locked.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    _audit(actor=None, verb=AuditEvent.Verb.AUTO_APPROVED, decision=locked, after_working_days=after_days)
    _notify(recipients=[locked.author], kind=Notification.Kind.APPROVED, decision=locked, actor=None)
    on_story_event(locked, WebhookEndpoint.Event.APPROVED)
    return True


def waiting_queue_nudge(*, now: datetime.datetime | None = None) -> dict:
    """The periodic job: automatic approvals first (so nobody is reminded of a story that just left the queue),
    then escalations, then reminders. Each step is idempotent."""
    return {
        "auto_approved": decisions_auto_approve(now=now),
        "escalated": escalations_record(now=now),
        "reminded": queue_reminders_send(now=now),
    }


def _refresh(stale: Decision, fresh: Decision) -> None:
    for field in (
        "status",
        "approved_at",
        "approved_by",
        "celebrated_at",
        "celebrated_by",
        "celebration_note",
        *RETURN_FIELDS,
    ):
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


# A shared story's author is asked once, this long after logging it, what became of the customer; stories older
# than OUTCOME_REMINDER_UNTIL are left alone (so a first run never floods anyone with old stories).
OUTCOME_REMINDER_AFTER = datetime.timedelta(days=30)
OUTCOME_REMINDER_UNTIL = datetime.timedelta(days=60)


def outcome_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Reminds each author, once per story, to confirm or correct the outcome of a shared story logged 30 days ago
    whose outcome is not final yet (nobody confirmed it, or only as "too early to tell"). In-app, and by email
    through the notification outbox; people who turned reminders off get none. Each story is claimed with a
    conditional UPDATE, so repeated or parallel runs remind once. Returns how many were sent."""
    now = now or timezone.now()
    final = OutcomeChange.objects.filter(decision=OuterRef("pk")).exclude(outcome=Outcome.TOO_EARLY)
    due = (
        Decision.objects.shared()
        .filter(
            created_at__lte=now - OUTCOME_REMINDER_AFTER,
            created_at__gt=now - OUTCOME_REMINDER_UNTIL,
            outcome_reminded_at__isnull=True,
            author__is_active=True,
            author__outcome_reminders=True,
        )
        .exclude(Exists(final))
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Decision.objects.filter(pk=pk, outcome_reminded_at__isnull=True).update(outcome_reminded_at=now):
                continue
            decision = Decision.objects.select_related("author").get(pk=pk)
            _notify(
                recipients=[decision.author], kind=Notification.Kind.OUTCOME_REMINDER, decision=decision, actor=None
            )
            sent += 1
    return sent
