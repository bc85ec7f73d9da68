from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import OutboxEmail
from apps.decisions.models import Decision


class Endorsement(models.Model):
    """A colleague's "+1, good call". One per person per decision, never one's own (enforced by the database)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_given")
    # Copied from the decision so that the database can refuse self-endorsement and leaderboards can group cheaply.
    decision_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_received"
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # How many times the comment was changed or removed: a story card kept in the cache is keyed by their sum, which
    # moves whatever order two edits commit in (a moment would not).
    comment_edits = models.PositiveIntegerField(default=0, db_default=0)  # in the database too: seeding COPYs rows
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "endorser"], name="endorse_once_per_person"),
            models.CheckConstraint(condition=~Q(endorser=F("decision_author")), name="endorse_never_ones_own"),
        ]
        indexes = [
            models.Index(fields=["decision_author", "created_at"]),
            # Insights: the endorsements each manager gave in a period.
            models.Index(fields=["endorser", "created_at"], name="endorsement_endorser_created"),
        ]

    def __str__(self):
        return f"{self.endorser} → {self.decision_id}"


class Review(models.Model):
    """A blameless, private lessons-learned conversation about a decision. It never lowers anything."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by_author = models.BooleanField(default=False)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    lesson = models.TextField(_("what we learned"), max_length=2000, blank=True)
    # The author agreed that the lesson, without any name, becomes an example in the playbook.
    lesson_shared = models.BooleanField(_("share the lesson in the playbook, without names"), default=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(lesson="")),
                name="review_closed_has_lesson",
            ),
            models.CheckConstraint(
                condition=Q(lesson_shared=False) | Q(status="closed"), name="review_lesson_shared_when_closed"
            ),
        ]

    def __str__(self):
        return f"Review of {self.decision_id}"


class ReviewMessage(models.Model):
    """One message in a review's private thread between the author and the managers of the author's team."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review message")
        verbose_name_plural = _("review messages")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="review_message_not_empty")]

    def __str__(self):
        return f"{self.author} · {self.created_at:%Y-%m-%d %H:%M}"


class Notification(OutboxEmail):
    """Something a person should know about one of their stories. The row is also its email's place in the outbox
    (apps/core/outbox.py): a broker outage delays the email, and nothing sends it twice."""

    class Kind(models.TextChoices):
        ENDORSED = "endorsed", _("Endorsed")
        APPROVED = "approved", _("Approved")
        CELEBRATED = "celebrated", _("Celebrated")
        REVIEW_OPENED = "review_opened", _("Review opened")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        REVIEW_MESSAGE = "review_message", _("New message in a review")
        REVIEW_CLOSED = "review_closed", _("Review closed")
        OUTCOME_REMINDER = "outcome_reminder", _("What became of the customer?")
        RETURNED = "returned", _("Returned to you")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "endorsed",
                        "approved",
                        "celebrated",
                        "review_opened",
                        "review_requested",
                        "review_message",
                        "review_closed",
                        "outcome_reminder",
                        "returned",
                    ]
                ),
                name="notification_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="notification_email_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(email_status="sent") | Q(email_sent_at__isnull=False), name="notification_sent_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(fields=["created_at"], condition=Q(email_status="pending"), name="notification_outbox_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def is_about_review(self) -> bool:
        return self.kind in (
            self.Kind.REVIEW_OPENED,
            self.Kind.REVIEW_REQUESTED,
            self.Kind.REVIEW_MESSAGE,
            self.Kind.REVIEW_CLOSED,
        )


class AuditEvent(models.Model):
    """Who did what to a decision, and when: approvals, celebrations, reviews, endorsements; and who erased a
    person's personal data, and when (never what). Admins read it."""

    class Verb(models.TextChoices):
        ENDORSED = "endorsed", _("Endorsed")
        ENDORSEMENT_WITHDRAWN = "endorsement_withdrawn", _("Took back an endorsement")
        APPROVED = "approved", _("Approved")
        CELEBRATED = "celebrated", _("Celebrated")
        REVIEW_OPENED = "review_opened", _("Opened a review")
        REVIEW_REQUESTED = "review_requested", _("Asked for a review")
        REVIEW_MESSAGE = "review_message", _("Wrote in a review")
        REVIEW_CLOSED = "review_closed", _("Closed a review")
        LESSON_SHARED = "lesson_shared", _("Shared a lesson in the playbook")
        LESSON_UNSHARED = "lesson_unshared", _("Took a lesson out of the playbook")
        LIMIT_ADOPTED = "limit_adopted", _("Adopted a suggested guardrail limit")
        PERSON_ERASED = "person_erased", _("Erased a person's personal data")
        RETURNED = "returned", _("Returned a story to its author")
        AUTO_APPROVED = "auto_approved", _("Approved automatically after the queue's silence")
        ESCALATED = "escalated", _("Shown to department heads and admins after waiting too long")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    verb = models.CharField(_("what"), max_length=24, choices=Verb)
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, related_name="audit_events")
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Small, non-private facts only (e.g. the team); never a review's messages or lesson.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["verb", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.decision_id}"


class QueueReminder(models.Model):
    """A manager was reminded, on `sent_on` (their own date), of stories waiting too long. One a day at most: the row
    is claimed before the email is sent, so a repeated or concurrent run never sends a second one."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_reminders")
    sent_on = models.DateField()
    stories = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("queue reminder")
        verbose_name_plural = _("queue reminders")
        constraints = [models.UniqueConstraint(fields=["manager", "sent_on"], name="queue_reminder_once_a_day")]

    def __str__(self):
        return f"{self.manager} · {self.sent_on}"
