"""The Django admin lists integration deliveries (read-only) for IT; channels and webhooks are managed on
Setup → Integrations, which never shows their secrets."""

from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "endpoint", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "event")
    readonly_fields = [field.name for field in Delivery._meta.fields]
    exclude = ("payload",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
