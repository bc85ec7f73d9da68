from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import PeopleByEmailField
from apps.accounts.models import TIME_ZONE_CHOICES, User
from apps.core.forms import QuickSelect
from apps.org.forms import department_filter
from apps.org.models import Department, Membership, Organisation, Team
from apps.org.selectors import team_label, team_menu

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "currency", "customer_lifetime_value", "digest_weekday", "digest_time", "time_zone"]
        widgets = {"digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), "time_zone": QuickSelect}


class _TeamOptions(ModelChoiceIterator):
    """Each team as "Team · Department" (two departments may each have a Billing team), read as rows rather than a
    thousand model instances (10,000 agents: they were most of the people list's time)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, department in self.queryset.values_list("pk", "name", "department__name"):
            yield (pk, team_label(name, department))


class _TeamField(forms.ModelChoiceField):
    iterator = _TeamOptions


def _team_field(**kwargs) -> forms.ModelChoiceField:
    return _TeamField(queryset=Team.objects.order_by("department__name", "name"), widget=QuickSelect, **kwargs)


class PersonCreateForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", _("The organisation's"))] + TIME_ZONE_CHOICES,
        required=False,
        widget=QuickSelect,
    )
    team = _team_field(label=_("Team"), required=False, empty_label=_("No team yet"))
    role = forms.ChoiceField(label=_("Role in the team"), choices=Membership.Role.choices, initial="agent")

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone already has this address."))
        return email


class MembershipForm(forms.Form):
    team = _team_field(label=_("Team"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    department = department_filter()
    # Its menu is written by team_menu (below): the field only checks the team chosen.
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), label=_("Team"), required=False, empty_label=_("All teams"), widget=QuickSelect
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[
            ("", _("All roles")),
            ("agent", _("Agent")),
            ("manager", _("Manager")),
            ("department_head", _("Department head")),
            ("admin", _("Admin")),
            ("none", _("In no team")),
        ],
    )
    signed_in = forms.ChoiceField(
        label=_("Last sign-in"),
        required=False,
        choices=[("", _("Any time")), ("never", _("Never signed in")), ("30", _("Not in the last 30 days"))],
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("yes", _("Active")), ("no", _("Deactivated")), ("all", _("Everyone"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A thousand teams make an unreadable menu: past a few, it lists the chosen department's teams.
        department, team = (str(self.data.get(name, "")) for name in ("department", "team"))
        teams, complete = team_menu(
            teams=Team.objects.all(),
            department_id=int(department) if department.isdigit() else None,
            team_id=int(team) if team.isdigit() else None,
        )
        self.fields["team"].widget.choices = [("", self.fields["team"].empty_label), *teams]
        if not complete and not team.isdigit():
            self.fields["team"].help_text = _("Choose a department and filter to list its teams.")


class TeamsFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=120, widget=forms.TextInput(attrs={"type": "search"})
    )
    department = department_filter()
    without_manager = forms.BooleanField(label=_("Only teams without a manager"), required=False)


class DepartmentsFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=120, widget=forms.TextInput(attrs={"type": "search"})
    )
    without_head = forms.BooleanField(label=_("Only departments without a head"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: email, name, department, team, role, language, time_zone. UTF-8 or Windows-1252."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            try:
                validate_password(one, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    heads = PeopleByEmailField(
        label=_("Heads"),
        help_text=_("Department heads oversee every team in this department. Untick someone to take them off."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), widget=QuickSelect
    )
    managers = PeopleByEmailField(
        label=_("Managers"),
        help_text=_("They approve the team's stories and may lead other teams too. Untick someone to take them off."),
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=80)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=80, required=False)
    name_nl = forms.CharField(label=_("Name (Dutch)"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    limit = forms.DecimalField(
        label=_("Organisation limit"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text=_("The cost under which any agent decides alone."),
    )
    in_scope = forms.CharField(
        label=_("In scope: examples"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One example per line."),
    )
    out_of_scope = forms.CharField(
        label=_("Out of scope: examples"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One example per line."),
    )
    in_scope_es = forms.CharField(
        label=_("In scope: examples (Spanish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "es"}),
        help_text=_("Optional. Spanish readers see these; left empty, they see the English examples."),
    )
    out_of_scope_es = forms.CharField(
        label=_("Out of scope: examples (Spanish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "es"}),
        help_text=_("Optional. Spanish readers see these; left empty, they see the English examples."),
    )
    in_scope_nl = forms.CharField(
        label=_("In scope: examples (Dutch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "nl"}),
        help_text=_("Optional. Dutch readers see these; left empty, they see the English examples."),
    )
    out_of_scope_nl = forms.CharField(
        label=_("Out of scope: examples (Dutch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "nl"}),
        help_text=_("Optional. Dutch readers see these; left empty, they see the English examples."),
    )
