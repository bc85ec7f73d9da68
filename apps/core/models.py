from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """An email's place in the outbox (see apps/core/outbox.py): the row is written in the same transaction as the
    change the email announces, claimed (pending → sending) by exactly one worker before it is sent, and kept."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (emails turned off)")

    email_status = models.CharField(max_length=8, choices=EmailStatus, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


class AccountEmail(OutboxEmail):
    """A sign-up confirmation, password reset or other account email: rendered during the request, sent by a worker,
    so that a mail server that is down or hangs never fails or holds up the person's request."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("account email")
        verbose_name_plural = _("account emails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email_status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="account_email_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(email_status="sent") | Q(email_sent_at__isnull=False), name="account_email_sent_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(email_status="pending"), name="account_email_outbox_idx")
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"
