from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Department, Membership, Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """One installation, one organisation: it can be changed, never added or deleted."""

    list_display = ["name", "currency", "customer_lifetime_value", "digest_weekday", "digest_time", "time_zone"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "currency", "customer_lifetime_value", "cost_ceiling", "small_decision_threshold"]},
        ),
        (_("Digests and time"), {"fields": ["digest_weekday", "digest_time", "time_zone"]}),
        (
            _("Nobody waits forever"),
            {"fields": ["reminder_after_days", "escalate_after_days", "auto_approve_after_days"]},
        ),
        (_("Earned autonomy"), {"fields": ["autonomy_days", "autonomy_min_covered", "autonomy_min_kept_percent"]}),
        (_("Security"), {"fields": ["mfa_required_for_admins", "mfa_required_for_managers"]}),
    ]

    def has_add_permission(self, request):
        return not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    autocomplete_fields = ["heads"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_on"]
    list_filter = ["role", "team"]
    autocomplete_fields = ["user", "team"]
