from django.contrib import admin

from .models import Category, CompanyValue, Decision, Guardrail, PlaybookAcknowledgement, TeamGuardrail, TrustStatement


class GuardrailInline(admin.StackedInline):
    model = Guardrail
    extra = 1
    max_num = 1


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "name_nl", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GuardrailInline]


@admin.register(CompanyValue)
class CompanyValueAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "name_nl", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Guardrail)
class GuardrailAdmin(admin.ModelAdmin):
    list_display = ["category", "limit", "updated_at"]


@admin.register(TeamGuardrail)
class TeamGuardrailAdmin(admin.ModelAdmin):
    list_display = ["team", "category", "limit", "set_by", "updated_at"]
    list_filter = ["team", "category"]


@admin.register(TrustStatement)
class TrustStatementAdmin(admin.ModelAdmin):
    list_display = ["text", "author", "team", "agent", "category", "raised_limit", "starts_on", "ends_on"]
    list_filter = ["team"]
    autocomplete_fields = ["author", "agent"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["action", "author", "team", "category", "cost", "covered", "status", "created_at"]
    list_filter = ["status", "covered", "team", "category", "channel"]
    search_fields = ["action", "situation", "author__email", "author__first_name", "author__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author", "team", "category"]
    # The workflow (approve, celebrate, withdraw) goes through Leeway's pages, which check roles and keep the audit
    # trail; the admin shows it but does not change it.
    readonly_fields = [
        "author",
        "team",
        "status",
        "approved_at",
        "approved_by",
        "celebrated_at",
        "celebrated_by",
        "withdrawn_at",
        "covered",
        "coverage",
        "limit_in_force",
        "covering_guardrail",
        "covering_team_guardrail",
        "covering_trust_statement",
        "created_at",
        "updated_at",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and obj.is_shared and {"category", "channel"} & set(form.changed_data):
            # Its points move to another category or channel in months that may have ended: they are recomputed.
            from apps.leaderboards.services import months_reopen

            endorsed = obj.endorsements.values_list("created_at", flat=True)
            months_reopen(moments=[obj.approved_at, obj.celebrated_at, *endorsed])


@admin.register(PlaybookAcknowledgement)
class PlaybookAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["user", "acknowledged_at"]
