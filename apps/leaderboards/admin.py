from django.contrib import admin

from .models import BadgeAward, Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["period", "starts_on", "start", "end", "computed_at", "is_final"]
    list_filter = ["period", "is_final"]
    readonly_fields = ["period", "starts_on", "start", "end", "computed_at", "is_final"]

    def has_add_permission(self, request):
        return False


@admin.register(BadgeAward)
class BadgeAwardAdmin(admin.ModelAdmin):
    list_display = ["user", "badge", "awarded_at"]
    list_filter = ["badge"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "badge", "awarded_at"]

    def has_add_permission(self, request):
        return False
