from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Department, Membership, Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "customer_lifetime_value", "digest_weekday", "digest_time", "time_zone"]
    fieldsets = [
        (None, {"fields": ["name", "currency", "customer_lifetime_value", "cost_ceiling", "time_zone"]}),
        (_("Digests"), {"fields": ["digest_weekday", "digest_time"]}),
        (
            _("Nobody waits forever"),
            {"fields": ["reminder_after_days", "escalate_after_days", "auto_approve_after_days"]},
        ),
    ]


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
