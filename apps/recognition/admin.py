from django.contrib import admin

from apps.core.admin import OutboxAdminMixin, ReadOnlyAdmin

from .models import AuditEvent, Endorsement, Notification, Review, ReviewMessage


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "verb", "decision"]
    list_filter = ["verb", "created_at"]
    search_fields = ["actor__email", "actor__first_name", "actor__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "decision"]


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "endorser", "decision_author", "decision", "comment"]
    search_fields = ["endorser__email", "decision_author__email", "comment"]
    list_select_related = ["endorser", "decision_author", "decision"]
    date_hierarchy = "created_at"


class ReviewMessageInline(admin.TabularInline):
    model = ReviewMessage
    extra = 0
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["decision", "status", "opened_by", "opened_at", "closed_by", "closed_at", "lesson_shared"]
    list_filter = ["status", "lesson_shared", "requested_by_author"]
    list_select_related = ["decision", "opened_by", "closed_by"]
    inlines = [ReviewMessageInline]


@admin.register(Notification)
class NotificationAdmin(OutboxAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "actor", "email_status", "email_attempts", "email_sent_at"]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient", "actor"]
    date_hierarchy = "created_at"
