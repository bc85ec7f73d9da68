"""What the API answers, field by field (and what the OpenAPI schema says of it). Writes are validated by the same
forms as the pages, not here."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.decisions.models import Channel, Decision, Outcome
from apps.decisions.selectors import may_see_private_details, sees_guardrail_detail, story_path


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class LabelledSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField(source="label")


class StorySerializer(serializers.Serializer):
    """A story as its reader may see it. `coverage` and `limit_in_force` are shown to its author and those who lead
    them; others see `covered` only when it is true. `customer_reference` follows the story page's rule."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    headline = serializers.CharField(source="action")
    situation = serializers.CharField()
    justification = serializers.CharField()
    category = LabelledSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices)
    cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    outcome = serializers.ChoiceField(choices=[("", ""), *Outcome.choices])
    values = LabelledSerializer(many=True)
    happened_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Decision.Status.choices)
    author = PersonSerializer()
    team = NamedSerializer()
    created_at = serializers.DateTimeField()
    covered = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()
    customer_reference = serializers.SerializerMethodField()

    def _sees_detail(self, decision) -> bool:
        return sees_guardrail_detail(
            user=self.context["request"].user, decision=decision, team_ids=self.context["team_ids"]
        )

    def get_url(self, decision) -> str:
        return self.context["request"].build_absolute_uri(story_path(decision.pk))

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_covered(self, decision) -> bool | None:
        if decision.covered or self._sees_detail(decision):
            return decision.covered
        return None

    @extend_schema_field(serializers.ChoiceField(choices=["organisation", "team", "trust", "none"], allow_null=True))
    def get_coverage(self, decision) -> str | None:
        return decision.coverage if self._sees_detail(decision) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_customer_reference(self, decision) -> str | None:
        user, team_ids = self.context["request"].user, self.context["team_ids"]
        if may_see_private_details(user=user, decision=decision, team_ids=team_ids):
            return decision.customer_reference
        return None


class StoryCreateSerializer(serializers.Serializer):
    """A new story, as on the log form: `situation`, `justification`, `category`, `cost` and `channel` are needed."""

    situation = serializers.CharField(max_length=2000)
    justification = serializers.CharField(max_length=2000, help_text="At least 20 characters: why was it right?")
    category = serializers.IntegerField(help_text="A category's id (GET /api/v1/stories/ shows them).")
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    channel = serializers.ChoiceField(choices=Channel.choices)
    happened_on = serializers.DateField(required=False, help_text="Today if left out.")
    headline = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    values = serializers.ListField(child=serializers.IntegerField(), required=False)
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=40)


class FieldErrorsSerializer(serializers.Serializer):
    """Each field's messages (`non_field_errors` for the story as a whole), the same words as on the form."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class EndorsementCreateSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class EndorsementSerializer(serializers.Serializer):
    story = serializers.IntegerField(source="decision_id")
    endorser = PersonSerializer()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    person_id = serializers.IntegerField(allow_null=True)
    team_id = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField()
    score = serializers.IntegerField()
    stories = serializers.IntegerField()
    celebrations = serializers.IntegerField()
    first_stories = serializers.IntegerField()
    endorsements = serializers.IntegerField()
    colleagues = serializers.IntegerField()


class LeaderboardSerializer(serializers.Serializer):
    board = serializers.ChoiceField(choices=["people", "teams"])
    period = serializers.CharField()
    period_label = serializers.CharField()
    starts_on = serializers.DateField()
    computed_at = serializers.DateTimeField()
    is_final = serializers.BooleanField()
    scope_label = serializers.CharField()
    entries = LeaderboardEntrySerializer(many=True)
    me = LeaderboardEntrySerializer(allow_null=True)


class DigestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    scope = serializers.CharField()
    week_start = serializers.DateField(source="edition.week_start")
    team = NamedSerializer(allow_null=True)
    department = NamedSerializer(allow_null=True)

    def get_url(self, digest) -> str:
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(reverse("digests:detail", args=[digest.pk]))


class DigestDetailSerializer(DigestSerializer):
    content = serializers.JSONField(help_text="The digest as it was built: its stories, spotlights and numbers.")


class LedgerNumbersSerializer(serializers.Serializer):
    decisions = serializers.IntegerField()
    covered_share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Percent of the decisions that were covered."
    )
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    median_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    small_share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Percent at or under the small-decision threshold."
    )
    retained = serializers.IntegerField()
    value_kept = serializers.DecimalField(max_digits=16, decimal_places=2)
    value_per_cost = serializers.DecimalField(max_digits=16, decimal_places=1, allow_null=True)


class LedgerTeamSerializer(LedgerNumbersSerializer):
    team = serializers.CharField(help_text="The team and its department.")


class LedgerSerializer(serializers.Serializer):
    period = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    currency = serializers.CharField()
    totals = LedgerNumbersSerializer()
    teams = LedgerTeamSerializer(many=True)
    figures_as_of = serializers.DateTimeField(
        allow_null=True,
        help_text="For a scope of many teams, when the figures were worked out (at most ten minutes ago, as on the "
        "insights pages); null for a smaller scope, whose figures are worked out on every call.",
    )


def paginated(child: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A cursor page of `child` as the schema describes it: `next` and `previous` are links, or null at the ends."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": child(many=True),
        },
    )


StoryPage = paginated(StorySerializer, "StoryPage")
DigestPage = paginated(DigestSerializer, "DigestPage")
