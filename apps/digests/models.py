from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.leaderboards.periods import week_title
from apps.org.models import Department, Team


class Edition(models.Model):
    """One week's digests: built once, at the organisation's digest moment, and the send-once record of that week."""

    week_start = models.DateField(_("week"), unique=True, help_text=_("The Monday of the week it celebrates."))
    # The span the digests celebrate: that calendar week, Monday to Monday in the organisation's time zone.
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    # Demo and backfilled editions may exist without anyone being emailed.
    deliveries_created = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("digest week")
        verbose_name_plural = _("digest weeks")
        ordering = ["-week_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lt=models.F("period_end")), name="edition_period_valid")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return week_title(self.week_start)


class Digest(models.Model):
    """The week's digest for the whole organisation, a department or a team: its content frozen when built."""

    class Scope(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="digests")
    scope = models.CharField(_("scope"), max_length=12, choices=Scope)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    # Everything the page and the emails show, as it was when built (see apps/digests/content.py).
    content = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["edition", "scope", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition"], condition=Q(scope="organisation"), name="digest_one_for_the_organisation"
            ),
            models.UniqueConstraint(
                fields=["edition", "department"], condition=Q(scope="department"), name="digest_one_per_department"
            ),
            models.UniqueConstraint(fields=["edition", "team"], condition=Q(scope="team"), name="digest_one_per_team"),
            models.CheckConstraint(
                condition=(Q(scope="organisation") & Q(department__isnull=True) & Q(team__isnull=True))
                | (Q(scope="department") & Q(department__isnull=False) & Q(team__isnull=True))
                | (Q(scope="team") & Q(team__isnull=False)),
                name="digest_scope_matches_its_subject",
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.edition.label}"


class Delivery(models.Model):
    """One person's email of one week: exists once, is claimed before the send and marked sent after it.

    pending → claimed (by one worker's batch) → sending (the SMTP conversation has started) → sent.
    A failed send goes back to pending with a later `next_attempt_at`, until `failed` after the last attempt.
    A `sending` row left behind by a crash is never sent again automatically: it becomes failed, for an admin to look.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries")
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    # The personal line's numbers, computed when the week was built.
    personal = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["edition", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "recipient"], name="delivery_once_per_digest_and_person"),
            models.UniqueConstraint(fields=["edition", "recipient"], name="delivery_once_per_week_and_person"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "claimed", "sending", "sent", "failed", "skipped"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_date"
            ),
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self):
        return f"{self.recipient} · {self.edition.label} ({self.get_status_display()})"
