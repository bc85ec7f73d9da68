from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.selectors import is_manager

from .models import User


class ProfileForm(forms.ModelForm):
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
        help_texts = {
            "time_zone": _("Leave empty to use the organisation's time zone."),
            "language": _("Leeway and its emails speak to you in this language."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only managers have a queue to be reminded of.
        if not is_manager(user=self.instance):
            del self.fields["email_reminders"]
