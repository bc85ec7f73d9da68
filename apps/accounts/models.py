import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


def organisation_language() -> str:
    """New people start in the organisation's language (LEEWAY_LANGUAGE)."""
    return settings.LANGUAGE_CODE


class User(AbstractUser):
    """A person who signs in with their email address. Roles follow from data: see `is_manager` and `is_admin`."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=organisation_language)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True)
    email_notifications = models.BooleanField(
        _("email me when my stories are endorsed, approved, celebrated or reviewed"), default=True
    )
    email_digest = models.BooleanField(_("email me the weekly celebration digest"), default=True)
    email_reminders = models.BooleanField(
        _("email me once a day when stories have waited too long for my approval"), default=True
    )
    show_on_leaderboards = models.BooleanField(_("show me on leaderboards"), default=True)
    outcome_reminders = models.BooleanField(
        _("remind me, 30 days after a story, to say whether the customer stayed"), default=True
    )
    # Set when an admin erased this person's personal data (GDPR): they show as "a former colleague" everywhere.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["first_name", "last_name", "email"]
        # Lists of people read a page in this order: with ten thousand people, sorting them all took most of Setup's.
        indexes = [
            models.Index(fields=["first_name", "last_name", "email"], name="user_by_name"),
            # The few people not on the leaderboards: a reader's own rank is counted without them.
            models.Index(
                fields=["id"],
                condition=~models.Q(is_active=True, is_staff=False, show_on_leaderboards=True),
                name="user_off_leaderboards",
            ),
        ]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return gettext("a former colleague")
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def is_admin(self) -> bool:
        return self.is_staff

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p] or [self.email]
        return "".join(p[0] for p in parts[:2]).upper()
