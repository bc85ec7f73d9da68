from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import PersonByEmailField

from .models import Edition


class PreviewForm(forms.Form):
    """Whose digest email an admin previews, and which week."""

    person = PersonByEmailField(label=_("Person's email address"))
    week = forms.ModelChoiceField(
        label=_("Week"), queryset=Edition.objects.filter(built_at__isnull=False).order_by("-week_start")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].label_from_instance = lambda e: e.label
        latest = self.fields["week"].queryset.first()
        if latest is not None:
            self.fields["week"].initial = latest.pk


class WeekSearchForm(forms.Form):
    """Finds a digest by its team's or department's name on a week's page."""

    q = forms.CharField(
        label=_("Team or department"), required=False, max_length=120, widget=forms.TextInput(attrs={"type": "search"})
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()
