from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.decisions.models import Category, Channel
from apps.org.models import Team


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    ALL = "all", _("All time")


class Snapshot(models.Model):
    """The points everyone earned in one period, as computed at `computed_at`.

    Pages and digests rank the rows of one snapshot, so they read a small table. A period that has ended is computed a
    last time and marked final: it is never recomputed, so past weeks stay as they were.
    """

    period = models.CharField(max_length=8, choices=Period)
    # The period's first day in the organisation's time zone: its name in URLs and lists.
    starts_on = models.DateField()
    start = models.DateTimeField(null=True, blank=True, help_text=_("Empty for all time."))
    end = models.DateTimeField()
    computed_at = models.DateTimeField()
    is_final = models.BooleanField(default=False)
    # The `ScoreSource` version its rows were computed from: while it has not moved, the rows cannot have changed and
    # a refresh only moves the snapshot's end (see `services.snapshot_compute`).
    source_version = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # Its `Standing` rows are written (snapshots computed before they existed have none; boards then add up rows).
    has_standings = models.BooleanField(default=False, editable=False)
    # How long its last computation took: a long one is not redone on every tick (see `services.RECOMPUTE_SHARE`).
    compute_seconds = models.FloatField(default=0, editable=False)

    class Meta:
        verbose_name = _("leaderboard snapshot")
        verbose_name_plural = _("leaderboard snapshots")
        ordering = ["-starts_on", "period"]
        constraints = [
            models.UniqueConstraint(fields=["period", "starts_on"], name="leaderboard_snapshot_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True) | models.Q(start__lt=models.F("end")),
                name="leaderboard_snapshot_start_before_end",
            ),
        ]

    def __str__(self):
        return f"{self.get_period_display()} {self.starts_on:%Y-%m-%d}"


class ScoreSource(models.Model):
    """One row counting the writes that can change a score (a story saved or deleted, an endorsement given or taken
    back, the organisation's settings saved). Bumped in the writer's own transaction, so a refresh that sees the same
    version as a snapshot's knows nothing it counts has changed since."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("score source version")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="score_source_single_row")]

    def __str__(self):
        return f"v{self.version}"


# Foreign keys of derived tables (rows and standings): see `Row`.
DERIVED = {"db_constraint": False, "db_index": False}


class Counts(models.Model):
    """What points are made of (apps/leaderboards/scoring.py weighs them)."""

    stories = models.PositiveIntegerField(default=0)
    celebrations = models.PositiveIntegerField(default=0)
    first_stories = models.PositiveIntegerField(default=0)
    endorsements = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class Row(Counts):
    """Points one person earned in a period, per (team, category, channel) of their stories.

    A row is either about stories (`endorser` is empty) or about the endorsements that count from one colleague
    (`endorser` is set), so that a board filtered by scope, category or channel can still count distinct colleagues.
    """

    # Derived rows, written hundreds of thousands at a time by INSERT … SELECT: no foreign-key checks per row and no
    # index beyond the two the boards read by (Django still deletes them with what they refer to).
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows", **DERIVED)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", **DERIVED)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", **DERIVED)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", **DERIVED)
    channel = models.CharField(max_length=16, choices=Channel)
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+", **DERIVED
    )

    class Meta:
        verbose_name = _("leaderboard row")
        verbose_name_plural = _("leaderboard rows")
        indexes = [models.Index(fields=["snapshot", "person"]), models.Index(fields=["snapshot", "team"])]

    def __str__(self):
        return f"{self.snapshot_id} · {self.person_id}"


class Standing(Counts):
    """One person's (or one team's) totals over a whole snapshot, organisation-wide — overall, per category and per
    channel — written with the snapshot's rows. The organisation's boards read these (a few thousand rows) and rank
    them as the page is asked for, rather than adding up every row of the period on each request. Boards of a
    department or a team, or filtered by category and channel at once, add up the rows (far fewer for a scope).
    Derived data, written once per snapshot under its lock: no unique constraint slows the writing."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="standings", **DERIVED)
    # People boards: a person, across their teams. Team boards: a team (and no person).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+", **DERIVED
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", **DERIVED)
    # Both empty: overall. One of them set: the totals of that category, or of that channel, alone.
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+", **DERIVED)
    channel = models.CharField(max_length=16, choices=Channel, blank=True, default="")
    score = models.PositiveIntegerField(default=0)
    # People: different colleagues whose endorsements count. Teams: people with points.
    colleagues = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("leaderboard standing")
        verbose_name_plural = _("leaderboard standings")
        # A board's rows in score order: the organisation's people board reads its first ranks and stops.
        # And one person's line (the reader's own, further down the board).
        indexes = [
            models.Index(fields=["snapshot", "category", "channel", "-score"], name="standing_ranked"),
            models.Index(fields=["snapshot", "person"], name="standing_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, team__isnull=True)
                | models.Q(person__isnull=True, team__isnull=False),
                name="standing_of_a_person_or_a_team",
            ),
            models.CheckConstraint(
                condition=models.Q(category__isnull=True) | models.Q(channel=""), name="standing_of_one_filter"
            ),
        ]

    def __str__(self):
        return f"{self.snapshot_id} · {self.person_id or self.team_id}"


class Badge(models.TextChoices):
    FIRST_STORY = "first_story", _("First story")
    FIRST_CELEBRATION = "first_celebration", _("First celebration")
    FIVE_COLLEAGUES = "five_colleagues", _("Endorsed by 5 colleagues")
    TEN_COVERED = "ten_covered", _("10 covered decisions")
    FIVE_CELEBRATIONS = "five_celebrations", _("5 celebrations")


BADGE_DESCRIPTIONS = {
    Badge.FIRST_STORY: _("A manager approved their first story."),
    Badge.FIRST_CELEBRATION: _("A manager celebrated one of their stories for the first time."),
    Badge.FIVE_COLLEAGUES: _("Five different colleagues endorsed their stories."),
    Badge.TEN_COVERED: _("Ten approved stories inside the guardrails and trust statements."),
    Badge.FIVE_CELEBRATIONS: _("Managers celebrated five of their stories."),
}


class BadgeAward(models.Model):
    """A badge a person earned, once, at the moment the event that earned it happened. Never taken back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    badge = models.CharField(_("badge"), max_length=24, choices=Badge)
    awarded_at = models.DateTimeField(_("awarded at"))

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["awarded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "badge"], name="badge_once_per_person")]
        indexes = [models.Index(fields=["awarded_at"])]

    def __str__(self):
        return f"{self.user} · {self.get_badge_display()}"

    @property
    def description(self) -> str:
        return str(BADGE_DESCRIPTIONS[Badge(self.badge)])
