from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.org.models import Team

DEFAULT_GUARDRAIL_LIMIT = Decimal("50.00")


def _languages_for_reader() -> list[str]:
    """Leeway's languages in the order admin-written text is looked for: the reader's, the organisation's (the
    installation's default language), then the others."""
    reader = (get_language() or settings.LANGUAGE_CODE)[:2]
    order = [reader, settings.LANGUAGE_CODE[:2], *(code for code, _name in settings.LANGUAGES)]
    return list(dict.fromkeys(code for code in order if code in dict(settings.LANGUAGES)))


class LocalizedName(models.Model):
    """Admin-managed names in each of Leeway's languages; `label` picks the reader's."""

    name = models.CharField(_("name (English)"), max_length=80)
    name_es = models.CharField(_("name (Spanish)"), max_length=80, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=80, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        for language in _languages_for_reader():
            name = self.name if language == "en" else getattr(self, f"name_{language}", "")
            if name:
                return name
        return self.name


class Category(LocalizedName):
    """The kind of decision (fee waiver, upgrade, …): the skill that reports group by."""

    slug = models.SlugField(unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]


class CompanyValue(LocalizedName):
    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company value")
        verbose_name_plural = _("company values")
        ordering = ["position", "name"]


class Guardrail(models.Model):
    """For a category, the cost under which any agent of the organisation decides alone."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="guardrail")
    limit = models.DecimalField(
        _("limit"), max_digits=10, decimal_places=2, default=DEFAULT_GUARDRAIL_LIMIT, validators=[MinValueValidator(0)]
    )
    in_scope = models.TextField(_("in scope: examples"), blank=True, help_text=_("One example per line."))
    out_of_scope = models.TextField(_("out of scope: examples"), blank=True, help_text=_("One example per line."))
    # The same examples for Spanish and Dutch readers; an empty one falls back (see `examples`).
    in_scope_es = models.TextField(_("in scope: examples (Spanish)"), blank=True)
    in_scope_nl = models.TextField(_("in scope: examples (Dutch)"), blank=True)
    out_of_scope_es = models.TextField(_("out of scope: examples (Spanish)"), blank=True)
    out_of_scope_nl = models.TextField(_("out of scope: examples (Dutch)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guardrail")
        verbose_name_plural = _("guardrails")
        ordering = ["category__position", "category__name"]
        constraints = [models.CheckConstraint(condition=Q(limit__gte=0), name="guardrail_limit_not_negative")]

    def __str__(self):
        return f"{self.category}: {self.limit}"

    def examples(self, field: str) -> tuple[str, list[str]]:
        """The examples of `field` ("in_scope" or "out_of_scope") in the reader's language, else the organisation's,
        else any language filled in; with the language they are written in, for the page's `lang` attribute."""
        for language in _languages_for_reader():
            text = getattr(self, field if language == "en" else f"{field}_{language}")
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return language, lines
        return "", []

    def in_scope_list(self) -> list[str]:
        return self.examples("in_scope")[1]

    def out_of_scope_list(self) -> list[str]:
        return self.examples("out_of_scope")[1]


class TeamGuardrail(models.Model):
    """A team's own limit for a category, set by its manager; it replaces the organisation's limit for that team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="guardrails")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="team_guardrails")
    limit = models.DecimalField(_("limit"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("team guardrail")
        verbose_name_plural = _("team guardrails")
        constraints = [
            models.UniqueConstraint(fields=["team", "category"], name="team_guardrail_once"),
            models.CheckConstraint(condition=Q(limit__gte=0), name="team_guardrail_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.team} · {self.category}: {self.limit}"


class TrustStatement(models.Model):
    """A manager's written "I trust you to …" to one agent or a whole team, optionally raising a category's limit."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trust_statements_written"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="trust_statements")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="trust_statements_received",
        help_text=_("Leave empty to address the whole team."),
    )
    text = models.TextField(_("I trust you to …"), max_length=1000)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    raised_limit = models.DecimalField(
        _("raised limit"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trust statement")
        verbose_name_plural = _("trust statements")
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(raised_limit__isnull=True) | Q(category__isnull=False), name="trust_limit_needs_category"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="trust_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(raised_limit__isnull=True) | Q(raised_limit__gte=0), name="trust_limit_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["team", "starts_on"])]

    def __str__(self):
        return self.text[:60]


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media")
    VIDEO = "video", _("Video")
    IN_PERSON = "in_person", _("In person")


class Outcome(models.TextChoices):
    RETAINED = "retained", _("Customer retained")
    DELIGHTED = "delighted", _("Customer delighted")
    NEUTRAL = "neutral", _("Neutral")
    LOST = "lost", _("Customer lost")
    TOO_EARLY = "too_early", _("Too early to tell")


class Coverage(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation guardrail")
    TEAM = "team", _("Team guardrail")
    TRUST = "trust", _("Trust statement")
    NONE = "none", _("Above the guardrail")


class DecisionQuerySet(models.QuerySet):
    def shared(self):
        """Stories the whole organisation may read: approved or celebrated."""
        return self.filter(status__in=Decision.SHARED_STATUSES)

    def live(self):
        return self.exclude(status=Decision.Status.WITHDRAWN)


class Decision(models.Model):
    """What an agent decided alone: shown to people as a *story*."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        CELEBRATED = "celebrated", _("Celebrated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    # The author's team when they logged it: managers of this team approve it, and reports group by it.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="decisions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="decisions")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    situation = models.TextField(_("what was the situation?"), max_length=2000)
    action = models.TextField(_("what did you decide?"), max_length=2000)
    justification = models.TextField(_("why? your justification"), max_length=2000)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3)
    # Often known only later: the author adds it by editing the story.
    outcome = models.CharField(_("customer outcome"), max_length=16, choices=Outcome, blank=True)
    values = models.ManyToManyField(CompanyValue, blank=True, related_name="decisions", verbose_name=_("values"))
    happened_on = models.DateField(_("when did it happen?"))
    customer_reference = models.CharField(_("customer reference"), max_length=40, blank=True)
    # The language it was written in (its author's at the time): search stems it with that language's rules.
    language = models.CharField(_("language"), max_length=8, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.SUBMITTED)
    # Decided by the server at submit time and never rewritten when the rules change later.
    covered = models.BooleanField(_("covered"), default=False)
    coverage = models.CharField(max_length=12, choices=Coverage, default=Coverage.NONE)
    limit_in_force = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    covering_guardrail = models.ForeignKey(
        Guardrail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    covering_team_guardrail = models.ForeignKey(
        TeamGuardrail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    covering_trust_statement = models.ForeignKey(
        TrustStatement, on_delete=models.SET_NULL, null=True, blank=True, related_name="covered_decisions"
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    celebrated_at = models.DateTimeField(null=True, blank=True)
    celebrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    celebration_note = models.TextField(_("celebration note"), max_length=1000, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # When its author was reminded, once, to say what became of the customer (see OutcomeChange).
    outcome_reminded_at = models.DateTimeField(null=True, blank=True)
    # A manager may hand a submitted story back to its author to change (say, a customer's personal data slipped
    # into the text). Not a penalty: the story stays submitted and goes back to the queue once the author edits it.
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_note = models.TextField(_("note to the author"), max_length=1000, blank=True)

    # Stories the whole organisation may read.
    SHARED_STATUSES = (Status.APPROVED, Status.CELEBRATED)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="decision_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "approved", "celebrated", "withdrawn"]),
                name="decision_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "celebrated"]) | Q(approved_at__isnull=False),
                name="decision_shared_was_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="celebrated") | Q(celebrated_at__isnull=False),
                name="decision_celebrated_has_date",
            ),
            models.CheckConstraint(
                condition=Q(covered=False) | ~Q(coverage="none"), name="decision_covered_names_its_rule"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(status="submitted"), name="decision_returned_while_submitted"
            ),
            # Nobody approves or celebrates their own story, however the row is written.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")), name="decision_not_self_approved"
            ),
            models.CheckConstraint(
                condition=Q(celebrated_by__isnull=True) | ~Q(celebrated_by=F("author")),
                name="decision_not_self_celebrated",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["author", "-created_at"]),
            models.Index(fields=["approved_at"]),
            # The feed's shared stories, newest first, read page by page from a cursor.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status__in=["approved", "celebrated"]),
                name="decision_shared_newest",
            ),
            # The feed filtered by team (one team among a thousand): its shared stories, newest first.
            models.Index(
                fields=["team", "-created_at", "-id"],
                condition=Q(status__in=["approved", "celebrated"]),
                name="decision_shared_by_team",
            ),
            # A team's waiting stories: the feed's "my team" branch and the manager's queue, oldest first.
            models.Index(
                fields=["team", "created_at", "id"], condition=Q(status="submitted"), name="decision_submitted_by_team"
            ),
            # Every waiting story, oldest first: what waited too long (for heads and admins) and the reminder jobs.
            models.Index(
                fields=["created_at", "id"], condition=Q(status="submitted"), name="decision_submitted_oldest"
            ),
            # Insights: the stories a scope's teams logged in a period (the ledger, calibration, earned autonomy).
            models.Index(fields=["team", "created_at"], name="decision_team_created"),
            # Insights: what each manager approved and celebrated in a period; digests: what the week celebrated.
            models.Index(fields=["approved_by", "approved_at"], name="decision_approved_by_at"),
            models.Index(
                fields=["celebrated_at"], condition=Q(celebrated_at__isnull=False), name="decision_celebrated_at"
            ),
            # Insights: which of a reader's teams celebrated nothing this month, a look-up per team (through the index
            # above PostgreSQL read every celebration of the month in the organisation).
            models.Index(
                fields=["team", "celebrated_at"],
                condition=Q(celebrated_at__isnull=False),
                name="decision_team_celebrated",
            ),
        ]

    def __str__(self):
        return self.action[:80]

    @property
    def is_shared(self) -> bool:
        return self.status in self.SHARED_STATUSES


class OutcomeChange(models.Model):
    """The outcome of a shared story confirmed or corrected by its author or their manager ("did the customer
    stay?"). The story holds the latest outcome, which the ROI ledger counts; these rows keep the history."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="outcome_changes")
    # Empty when the story was logged before its outcome was known (the outcome is optional when logging).
    previous = models.CharField(_("before"), max_length=16, choices=Outcome, blank=True)
    outcome = models.CharField(_("customer outcome"), max_length=16, choices=Outcome)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outcome change")
        verbose_name_plural = _("outcome changes")
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in Outcome])
                & (Q(previous="") | Q(previous__in=[o.value for o in Outcome])),
                name="outcome_change_valid",
            )
        ]

    def __str__(self):
        return f"{self.decision_id}: {self.previous} → {self.outcome}"

    @property
    def is_confirmation(self) -> bool:
        return self.previous == self.outcome


class PlaybookAcknowledgement(models.Model):
    """A person read and understood the playbook as it was at `acknowledged_at`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playbook_ack")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("playbook acknowledgement")
        verbose_name_plural = _("playbook acknowledgements")

    def __str__(self):
        return f"{self.user} · {self.acknowledged_at:%Y-%m-%d}"
