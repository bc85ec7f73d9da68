from allauth.account.forms import AddEmailForm, SignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PlainTextForm, QuickSelect
from apps.org.selectors import is_manager

from .adapters import email_domain_allowed
from .models import User


class AllowedDomainEmail:
    """Only addresses at the organisation's sign-up domains may sign up or be added to an account. (Other forms, such
    as the password reset, answer every address the same way, so they tell nobody which addresses exist.)"""

    def clean_email(self):
        email = super().clean_email()
        if email and not email_domain_allowed(email):
            raise forms.ValidationError(
                gettext(
                    "Sign-up is open only to addresses at %(domains)s. Ask your Leeway administrator for an account."
                )
                % {"domains": ", ".join("@" + d for d in settings.LEEWAY_SIGNUP_DOMAINS)}
            )
        return email


class LeewaySignupForm(AllowedDomainEmail, SignupForm):
    pass


class LeewayAddEmailForm(AllowedDomainEmail, AddEmailForm):
    pass


class ProfileForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "language",
            "time_zone",
            "email_notifications",
            "email_digest",
            "email_reminders",
            "show_on_leaderboards",
            "outcome_reminders",
        ]
        labels = {"time_zone": _("Time zone")}
        # Some four hundred time zones: one template per option was most of the page.
        widgets = {"time_zone": QuickSelect}
        help_texts = {
            "time_zone": _("Leave empty to use the organisation's time zone."),
            "language": _("Leeway and its emails speak to you in this language."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only managers have a queue to be reminded of.
        if not is_manager(user=self.instance):
            del self.fields["email_reminders"]
