"""Chat channels (Microsoft Teams, Slack), outgoing webhooks, and the one delivery row that both go through."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Department, Organisation, Team


def mask_url(url: str) -> str:
    """A webhook address is a secret (whoever has it can post): shown as its host and its last four characters."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/…{url[-4:]}" if host else "…"


class ChatChannel(models.Model):
    """A Teams or Slack channel that hears about the organisation's, a department's or a team's shared stories."""

    class Platform(models.TextChoices):
        TEAMS = "teams", _("Microsoft Teams")
        SLACK = "slack", _("Slack")

    class Scope(models.TextChoices):
        ORGANISATION = "organisation", _("The whole organisation")
        DEPARTMENT = "department", _("A department")
        TEAM = "team", _("A team")

    name = models.CharField(_("name"), max_length=80, help_text=_("For you, such as the channel's name."))
    platform = models.CharField(_("platform"), max_length=8, choices=Platform)
    # Stored as given: the platform's address is the credential. Never shown again after saving (see mask_url).
    webhook_url = models.URLField(_("webhook address"), max_length=1000)
    scope = models.CharField(_("stories of"), max_length=12, choices=Scope, default=Scope.ORGANISATION)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    send_celebrations = models.BooleanField(_("celebrations"), default=True)
    send_approved = models.BooleanField(_("new shared stories"), default=False)
    send_digest = models.BooleanField(_("the weekly digest's summary"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="organisation") & Q(department__isnull=True) & Q(team__isnull=True))
                | (Q(scope="department") & Q(department__isnull=False) & Q(team__isnull=True))
                | (Q(scope="team") & Q(team__isnull=False) & Q(department__isnull=True)),
                name="chat_channel_scope_matches_its_subject",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_url(self) -> str:
        return mask_url(self.webhook_url)

    @property
    def audience(self) -> str:
        if self.scope == self.Scope.TEAM:
            return self.team.name
        if self.scope == self.Scope.DEPARTMENT:
            return self.department.name
        return str(_("The whole organisation"))


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


class WebhookEndpoint(models.Model):
    """An address of the organisation's own systems that Leeway POSTs story events to, signed with its secret."""

    class Event(models.TextChoices):
        LOGGED = "story.logged", _("A story is logged")
        APPROVED = "story.approved", _("A story is approved")
        CELEBRATED = "story.celebrated", _("A story is celebrated")

    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("endpoint address"), max_length=1000)
    events = models.JSONField(_("events"), default=list)
    # Needed in clear to sign each request; shown once, when the endpoint is created.
    secret = models.CharField(max_length=80, default=new_signing_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("outgoing webhook")
        verbose_name_plural = _("outgoing webhooks")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One message to one chat channel or webhook endpoint: exists once per (target, key), is claimed before it is
    sent, and records every attempt's outcome.

    pending → sending (one worker's POST is under way) → sent; a failed POST goes back to pending with a later
    `next_attempt_at`, until failed after the last attempt. A row left `sending` by a crash is not sent again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=24)
    # What makes it once: "story.celebrated:42", "digest:2026-11-16", "test:<random>".
    key = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integration delivery")
        verbose_name_plural = _("integration deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel__isnull=False) & Q(endpoint__isnull=True))
                | (Q(channel__isnull=True) & Q(endpoint__isnull=False)),
                name="integration_delivery_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["channel", "key"],
                condition=Q(channel__isnull=False),
                name="integration_delivery_once_per_channel",
            ),
            models.UniqueConstraint(
                fields=["endpoint", "key"],
                condition=Q(endpoint__isnull=False),
                name="integration_delivery_once_per_endpoint",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]), name="integration_delivery_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="integration_delivery_sent_has_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.channel or self.endpoint} ({self.get_status_display()})"


class HelpDeskSettings(models.Model):
    """The organisation's settings for the "Can I?" page that help desks show in a sidebar."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="help_desk")
    # Space- or line-separated origins (https://acme.zendesk.com) whose pages may show the "Can I?" page in a frame.
    frame_origins = models.TextField(_("help desks allowed to show the “Can I?” page"), blank=True)

    class Meta:
        verbose_name = _("help desk settings")
        verbose_name_plural = _("help desk settings")

    def __str__(self):
        return str(self.organisation)

    def origins(self) -> list[str]:
        return self.frame_origins.split()
