from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import QuickSelect

from .models import Department


def department_filter() -> forms.ModelChoiceField:
    """The "Department" menu of a filter form (the feed's, the people list's)."""
    return forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("All departments"),
        label=_("Department"),
        widget=QuickSelect,
    )
