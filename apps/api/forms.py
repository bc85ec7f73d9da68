from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PlainTextForm

from .models import ApiToken
from .services import EXPIRY_DAYS

EXPIRY_CHOICES = [(str(days), _("%(days)s days") % {"days": days}) for days in EXPIRY_DAYS]


class ServiceTokenForm(PlainTextForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, such as “Power BI reporting”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Give the token a name, so you recognise it later.")},
    )
    days = forms.TypedChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial="90")


class PersonalTokenForm(ServiceTokenForm):
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read and write lets it log stories and endorse as you."),
    )

    field_order = ["name", "scope", "days"]
