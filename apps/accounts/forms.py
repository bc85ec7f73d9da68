import re

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
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


def _active_people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


def _active_people_by_address(addresses) -> list[User]:
    """The active people whose addresses are among `addresses`, in any case (read through the index of the
    case-insensitive unique constraint)."""
    wanted = {address.strip().lower() for address in addresses if address.strip()}
    return list(_active_people().alias(address=Lower("email")).filter(address__in=wanted)) if wanted else []


class PersonByEmailField(forms.ModelChoiceField):
    """One active person, named by their email address in any case: a menu of everyone would hold ten thousand names
    at 10,000 agents."""

    default_error_messages = {"invalid_choice": _("Nobody active in Leeway has this address.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "off"}))
        super().__init__(queryset=_active_people(), to_field_name="email", **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = _active_people_by_address([str(value)])
        if not found:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found[0]


class PeopleByEmail(forms.Widget):
    """The people chosen so far as ticked boxes (untick to remove) and a box for more email addresses. A form shown
    again with an error keeps the boxes it offered, unticked ones included."""

    template_name = "forms/widgets/people_by_email.html"
    use_fieldset = True  # field.html groups the boxes under the field's label; the help text describes the group
    offered: tuple[str, ...] = ()  # the addresses of the boxes the form had, when it comes back with an error

    def value_from_datadict(self, data, files, name):
        ticked = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        ticked = [ticked] if isinstance(ticked, str) else list(ticked)
        offered = data.getlist(f"{name}_offered") if hasattr(data, "getlist") else data.get(f"{name}_offered", [])
        self.offered = tuple([offered] if isinstance(offered, str) else offered)
        return [*ticked, *(address for address in re.split(r"[\s,;]+", data.get(f"{name}_add", "")) if address)]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_add" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        addresses = [str(address) for address in (value or [])]
        wanted = {address.strip().lower() for address in addresses}
        people = _active_people_by_address([*addresses, *self.offered])
        known = {person.email.lower() for person in people}
        # Addresses that name nobody stay in the box, next to their error.
        unknown = dict.fromkeys(address for address in addresses if address.strip().lower() not in known)
        context["widget"].update(
            people=[(person, person.email.lower() in wanted) for person in people], added=", ".join(unknown)
        )
        return context


class PeopleByEmailField(forms.ModelMultipleChoiceField):
    """Active people, named by their email addresses in any case (see PeopleByEmail)."""

    widget = PeopleByEmail
    default_error_messages = {
        "invalid_choice": _("Nobody active in Leeway has the address %(value)s."),
        "invalid_choices": _("Nobody active in Leeway has these addresses: %(value)s."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=_active_people(), to_field_name="email", required=False, **kwargs)

    def clean(self, value):
        addresses = [address.strip().lower() for address in value or [] if address.strip()]
        people = _active_people_by_address(addresses)
        unknown = sorted(set(addresses) - {person.email.lower() for person in people})
        if unknown:
            code = "invalid_choice" if len(unknown) == 1 else "invalid_choices"
            raise ValidationError(self.error_messages[code], code=code, params={"value": ", ".join(unknown)})
        return self.queryset.filter(pk__in=[person.pk for person in people])
