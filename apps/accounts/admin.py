from allauth.account.models import EmailConfirmation
from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from apps.org.models import Membership

from .models import User

# Sign-in machinery (single sign-on access tokens, email confirmation keys) is no one's business in the admin.
for model in (SocialToken, EmailConfirmation):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    # Admins never see or choose a password: people choose theirs from their invitation (Setup → People).
    fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Personal details"), {"fields": ["first_name", "last_name", "language", "time_zone"]}),
        (_("Preferences"), {"fields": ["email_notifications", "email_digest", "show_on_leaderboards"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("setup:person_add")
