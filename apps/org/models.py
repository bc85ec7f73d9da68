import contextlib
import contextvars
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import TIME_ZONE_CHOICES

CURRENCY_CHOICES = [
    ("USD", "USD — US dollar"),
    ("EUR", "EUR — euro"),
    ("GBP", "GBP — pound sterling"),
    ("MXN", "MXN — Mexican peso"),
    ("COP", "COP — Colombian peso"),
    ("ARS", "ARS — Argentine peso"),
    ("CAD", "CAD — Canadian dollar"),
    ("AUD", "AUD — Australian dollar"),
]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Organisation(models.Model):
    """One installation serves one organisation; its settings drive money, digests and time."""

    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    customer_lifetime_value = models.DecimalField(
        _("customer lifetime value"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("1200.00"),
        validators=[MinValueValidator(0)],
        help_text=_("What a retained customer is worth on average; the ROI ledger uses it."),
    )
    cost_ceiling = models.DecimalField(
        _("highest cost a story may record"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Costs above this are refused as typing mistakes."),
    )
    small_decision_threshold = models.DecimalField(
        _("small decision threshold"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(0)],
        help_text=_("The ROI ledger shows the share of decisions that cost this much or less."),
    )
    # Earned autonomy: an agent whose record in a category shows this much is offered to their manager for a raised
    # limit (a ready-made trust statement); the agent is never told they were considered.
    autonomy_days = models.PositiveSmallIntegerField(
        _("earned autonomy: days looked back"), default=90, validators=[MinValueValidator(1)]
    )
    autonomy_min_covered = models.PositiveSmallIntegerField(
        _("earned autonomy: covered decisions needed"), default=10, validators=[MinValueValidator(1)]
    )
    autonomy_min_kept_percent = models.PositiveSmallIntegerField(
        _("earned autonomy: share of customers kept (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # The digest celebrates the last full week, Monday to Sunday: by default it opens the next one.
    digest_weekday = models.PositiveSmallIntegerField(
        _("digest weekday"),
        choices=Weekday,
        default=Weekday.MONDAY,
        help_text=_("The weekly digest celebrates the last full week, Monday to Sunday, and goes out on this day."),
    )
    digest_time = models.TimeField(_("digest time"), default=datetime.time(8, 0))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    mfa_required_for_admins = models.BooleanField(
        _("admins must use two-factor authentication"),
        default=False,
        help_text=_("Admins without an authenticator app are asked to set one up before they can go on."),
    )
    mfa_required_for_managers = models.BooleanField(
        _("managers and department heads must use two-factor authentication"),
        default=False,
        help_text=_("They read their teams' stories and reviews: ask them to set up an authenticator app too."),
    )
    # Nobody waits forever: counted in working days (Monday to Friday) in the organisation's time zone.
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind managers after (working days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A manager whose stories wait longer than this gets one reminder a day, at most."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("show to department heads after (working days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("A story still waiting after this long also appears to the department's heads and to admins."),
    )
    auto_approve_after_days = models.PositiveSmallIntegerField(
        _("approve covered stories automatically after (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Leave empty to never approve automatically. When set, a covered story that no manager acted on for this "
            "long is approved, and the audit trail says it was automatic."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_weekday__lte=6), name="org_digest_weekday_valid"),
            models.CheckConstraint(condition=models.Q(customer_lifetime_value__gte=0), name="org_ltv_not_negative"),
            models.CheckConstraint(
                condition=models.Q(small_decision_threshold__gte=0), name="org_small_decision_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(escalate_after_days__gte=models.F("reminder_after_days")),
                name="org_escalation_after_reminder",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from django.core.cache import cache

        cache.delete("leeway:organisation-time-zone")  # apps.org.selectors.organisation_time_zone
        memo = _request_organisation.get()
        if memo is not None:
            memo.clear()

    @classmethod
    def current(cls) -> "Organisation":
        """The organisation this installation serves (created with defaults on first use). Read once per request:
        the time zone, the two-factor rule and the page itself all ask (see `one_organisation_read_per_request`)."""
        memo = _request_organisation.get()
        if memo:
            return memo[0]
        org = cls.objects.order_by("pk").first()
        if org is None:
            org = cls.objects.create(name="Leeway")
        if memo is not None:
            memo.append(org)
        return org


# Within a request, the organisation read first (a list of at most one) serves every later `Organisation.current()`;
# saving the organisation forgets it. Outside requests (tasks, commands) nothing is remembered.
_request_organisation: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "request_organisation", default=None
)


@contextlib.contextmanager
def organisation_read_once():
    """Within the block, `Organisation.current()` reads the organisation once (a request, a batch of emails)."""
    token = _request_organisation.set([])
    try:
        yield
    finally:
        _request_organisation.reset(token)


class OneOrganisationReadPerRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with organisation_read_once():
            return self.get_response(request)


class Department(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=120)
    # Department heads (directors) read insights for every team in their departments, see stories that waited too
    # long there, and stand in for a team that has no manager. Set by admins.
    heads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="headed_departments",
        blank=True,
        verbose_name=_("heads"),
        help_text=_("Directors who oversee every team in this department."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="department_name_unique")]

    def __str__(self):
        return self.name


class Team(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="team_name_unique")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Manager")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.AGENT)
    # The active time zone's date (the organisation's or the person's), never the server machine's.
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_once_per_team"),
            # An agent works in one team; a manager may lead several.
            models.UniqueConstraint(fields=["user"], condition=models.Q(role="agent"), name="agent_in_one_team"),
            models.CheckConstraint(condition=models.Q(role__in=["agent", "manager"]), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} · {self.team} ({self.get_role_display()})"
