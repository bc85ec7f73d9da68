from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import outbox
from .models import AccountEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: admins read it, nobody edits it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OutboxAdminMixin:
    """An outbox's emails in the admin: filter the failed ones, read why, and send them again."""

    actions = ["retry_email"]

    @admin.action(description=_("Send the email again if it failed"))
    def retry_email(self, request, queryset):
        count = outbox.retry_failed(queryset)
        self.message_user(request, _("%(count)d email(s) are back in the outbox.") % {"count": count})


@admin.register(AccountEmail)
class AccountEmailAdmin(OutboxAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "email_status", "email_attempts", "email_sent_at", "email_error"]
    list_filter = ["email_status"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    # The body (a confirmation or password reset link) is a secret: the admin never shows it.
    fields = ["to", "subject", "email_status", "email_attempts", "email_claimed_at", "email_sent_at", "email_error"]
