from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "endorser"], name="endorse_once_per_person"),
            models.CheckConstraint(condition=~Q(endorser=F("decision_author")), name="endorse_never_ones_own"),
        ]
        indexes = [models.Index(fields=["decision_author", "created_at"])]

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
