from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """An invitation to set a password and sign in. Admins never see or choose a person's password: the person does,
    from the link in this email. Sending it again makes every earlier link useless (see `tokens`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # None: not sent yet (an import's emails leave after its transaction commits).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="invitation_unsent_idx")]

    def __str__(self):
        return f"Invitation of {self.user_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None


class PeopleImport(models.Model):
    """One uploaded CSV file: previewed first, written only when an admin confirms, all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200, blank=True)
    # The file as text (decoded from UTF-8, UTF-8 with BOM or Windows-1252): confirming re-reads exactly what was
    # previewed, against the database as it is then.
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status, default=Status.PREVIEWED)
    # What was written: {"created": n, "changed": n, "unchanged": n}; or the reason it failed.
    result = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["previewed", "queued", "running", "done", "failed"]),
                name="people_import_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class Newcomer(models.Model):
    """Someone who joined on their own (signed up, or first came in through single sign-on) and has not seen their
    welcome page yet: their next sign-in leads there. Invited people go there from their invitation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newcomer")
    joined_at = models.DateTimeField(default=timezone.now)
    welcomed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("newcomer")
        verbose_name_plural = _("newcomers")

    def __str__(self):
        return f"Newcomer {self.user_id}"


class ScimToken(models.Model):
    """A bearer token for an identity provider's SCIM client (Entra ID, Okta). Shown once when created; only its
    SHA-256 is kept (it is 256 random bits, so a plain hash is enough); revoking it ends it at once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ScimIdentity(models.Model):
    """The identity provider's own id for a person (SCIM `externalId`), kept so that it can match them again."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity")
    external_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = _("SCIM identity")
        verbose_name_plural = _("SCIM identities")

    def __str__(self):
        return self.external_id
