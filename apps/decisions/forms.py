import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.cache import names_generation, release
from apps.core.converters import as_id
from apps.core.forms import PlainTextForm, QuickSelect
from apps.core.personal_data import personal_data_kind
from apps.core.templatetags.leeway import money
from apps.org.forms import department_filter
from apps.org.models import Organisation, Team
from apps.org.selectors import teams_near

from . import selectors
from .models import Category, Channel, CompanyValue, Decision, Outcome, TrustStatement
from .services import HEADLINE_LENGTH

MIN_JUSTIFICATION = 20
# Stories are about decisions people remember; an older date is a typing mistake (or a date picker's "0001").
EARLIEST_STORY_DATE = datetime.date(2000, 1, 1)
# A trust statement is about how people work now: it may start up to a year back (to cover recent stories) and runs
# at most a few years ahead.
TRUST_BACKDATE_DAYS = 366
TRUST_HORIZON_DAYS = 3 * 366
PERSONAL_DATA_MESSAGES = {
    "card": _("This looks like a card number. Please leave it out: the ticket or case number is enough."),
    "email": _("This looks like an email address. Please leave it out: the ticket or case number is enough."),
    "phone": _("This looks like a phone number. Please leave it out: the ticket or case number is enough."),
}


class DecisionForm(PlainTextForm, forms.ModelForm):
    """What an agent tells about a decision. Status, author, team and coverage never come from the client."""

    class Meta:
        model = Decision
        # The five that matter come first and are the only ones required; the rest can wait (`OPTIONAL_DETAILS`).
        fields = [
            "situation",
            "justification",
            "category",
            "cost",
            "channel",
            "happened_on",
            "action",
            "outcome",
            "values",
            "customer_reference",
        ]
        labels = {
            "situation": _("What happened, and what did you decide?"),
            "action": _("Headline"),
            "justification": _("Why? Your justification"),
            "category": _("Category"),
            "channel": _("Channel"),
            "cost": _("Cost"),
            "outcome": _("Customer outcome"),
            "values": _("Which of our values does it show?"),
            "happened_on": _("When did it happen?"),
            "customer_reference": _("Customer reference"),
        }
        help_texts = {
            "situation": _("A few sentences: what the customer needed, what stood in the way, and what you did."),
            "action": _("A short title for the list of stories. Leave it empty and we use the start of your story."),
            "justification": _("Responsible freedom means a solid reason: why was this the right call?"),
            "cost": _("What it cost the company, in %(currency)s. Enter 0 if it cost nothing."),
            "customer_reference": _(
                "Optional: a ticket or case number, so your manager can look it up. "
                "Please no personal data: no names, emails, phone or card numbers."
            ),
        }
        widgets = {
            "situation": forms.Textarea(attrs={"rows": 4}),
            "action": forms.TextInput,
            "justification": forms.Textarea(attrs={"rows": 2}),
            "values": forms.CheckboxSelectMultiple,
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "cost": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    # Shown folded under "Add more": they can be added now, or later by editing the story.
    OPTIONAL_DETAILS = ("action", "outcome", "values", "customer_reference")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for name in (*self.OPTIONAL_DETAILS, "happened_on"):
            self.fields[name].required = False
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Choose a category")
        self.fields["values"].queryset = CompanyValue.objects.filter(is_active=True)
        self.fields["channel"].choices = [("", _("Choose a channel")), *Channel.choices]
        self.fields["outcome"].choices = [("", _("Not known yet")), *Outcome.choices]
        self.fields["cost"].help_text = self.fields["cost"].help_text % {"currency": organisation.currency}
        self.fields["cost"].error_messages["invalid"] = _("Enter the cost as a number, for example 25 or 12.50.")
        self.fields["cost"].error_messages["max_decimal_places"] = _("Use at most two decimals, for example 12.50.")
        self.fields["happened_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["happened_on"].widget.attrs["min"] = EARLIEST_STORY_DATE.isoformat()
        # Today in the person's own time zone (the middleware activates it).
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("happened_on", timezone.localdate())
            self.fields["situation"].widget.attrs["autofocus"] = True
        self.fields["action"].widget.attrs["maxlength"] = HEADLINE_LENGTH
        for name in ("situation", "justification"):
            self.fields[name].widget.attrs["maxlength"] = Decision._meta.get_field(name).max_length

    def clean_cost(self):
        cost = self.cleaned_data["cost"]
        if cost is None:
            return cost
        if cost < 0:
            raise forms.ValidationError(_("The cost cannot be negative. Enter 0 if it cost nothing."))
        if cost > self.organisation.cost_ceiling:
            raise forms.ValidationError(
                _("That is more than %(amount)s. Please check the amount: is there a typo?")
                % {"amount": money(self.organisation.cost_ceiling, self.organisation.currency)}
            )
        return cost.quantize(Decimal("0.01"))

    def clean_justification(self):
        justification = self.cleaned_data["justification"].strip()
        if len(justification) < MIN_JUSTIFICATION:
            raise forms.ValidationError(
                _("Tell us why in a sentence or two (at least %(count)d characters): it is what makes it your call.")
                % {"count": MIN_JUSTIFICATION}
            )
        return justification

    def clean_happened_on(self):
        happened_on = self.cleaned_data["happened_on"] or timezone.localdate()
        if happened_on > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future. When did it happen?"))
        if happened_on and happened_on < EARLIEST_STORY_DATE:
            raise forms.ValidationError(
                _("That date is too far in the past: enter a date from %(year)d on. When did it happen?")
                % {"year": EARLIEST_STORY_DATE.year}
            )
        return happened_on

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def optional_details(self):
        return [self[name] for name in self.OPTIONAL_DETAILS]

    def clean_customer_reference(self):
        reference = self.cleaned_data["customer_reference"].strip()
        kind = personal_data_kind(reference)
        if kind is not None:
            raise forms.ValidationError(PERSONAL_DATA_MESSAGES[kind])
        return reference


class CoverageHintForm(forms.Form):
    """The two inputs the live hint needs, read leniently while the person is still typing."""

    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True))
    cost = forms.DecimalField(min_value=0, decimal_places=2, max_digits=12)
    happened_on = forms.DateField(required=False)


class PrecedentsForm(forms.Form):
    """What the log form has so far, read leniently while the agent types."""

    situation = forms.CharField(required=False, max_length=2000)
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True), required=False)


class FeedFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search stories"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. late fee, reembolso, terugbetaling")}),
    )
    department = department_filter()
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("All teams"),
        label=_("Team"),
        widget=QuickSelect,
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("All categories"),
        label=_("Category"),
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *Channel.choices], required=False, label=_("Channel"), widget=QuickSelect
    )
    value = forms.ModelChoiceField(
        queryset=CompanyValue.objects.filter(is_active=True),
        required=False,
        empty_label=_("All values"),
        label=_("Value"),
        widget=QuickSelect,
    )

    def __init__(self, *args, reader: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["data-autosubmit"] = ""
        if reader is not None:
            self.fields["team"].widget.choices = self._nearby_teams(reader)

    def _nearby_teams(self, reader: User) -> list[tuple]:
        """The team menu lists the chosen department's teams, or else the reader's own departments' (a thousand teams
        would make an unreadable menu, and most of the page); any team still filters by its link (?team=id)."""
        chosen, team = as_id(self.data.get("department", "")), as_id(self.data.get("team", ""))
        if chosen is None and team is None:
            return [("", self.fields["team"].empty_label), *teams_near(user=reader)]
        nearby = (
            Q(department_id=chosen) if chosen is not None else Q(pk__in=[pk for pk, _name in teams_near(user=reader)])
        )
        if team is not None:
            nearby |= Q(pk=team)
        teams = Team.objects.filter(nearby).order_by("name").values_list("pk", "name")
        return [("", self.fields["team"].empty_label), *teams]

    def filter_fields(self):
        """The drop-down filters; the search box is shown on its own above the stories."""
        return [self[name] for name in self.fields if name != "q"]

    def fragment_key(self) -> str:
        """Everything the drop-down filters' HTML depends on, for the feed's cached fragment: Leeway's release, the
        language, the names (a generation), what is chosen and the teams of the team menu."""
        # What is chosen, as cleaned (a form with errors is never cached, and "007" is team 7): a bounded set of keys.
        cleaned = getattr(self, "cleaned_data", {})  # none when nothing is chosen (an unbound form)
        chosen = [getattr(value, "pk", value) for name, value in cleaned.items() if name != "q"]
        teams = self.fields["team"].widget.choices[1:]  # the first is "All teams"
        return repr((release(), get_language(), names_generation(), chosen, teams))


class TrustStatementForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = TrustStatement
        fields = ["agent", "text", "category", "raised_limit", "starts_on", "ends_on"]
        labels = {
            "agent": _("To"),
            "text": _("I trust you to …"),
            "category": _("Category whose limit it raises"),
            "raised_limit": _("New limit"),
            "starts_on": _("From"),
            "ends_on": _("Until"),
        }
        help_texts = {
            "text": _("In your own words, e.g. “I trust you to waive a late fee whenever our own systems caused it.”"),
            "raised_limit": _("Optional: raise the cost limit for this category, for the people it is addressed to."),
            "ends_on": _("Optional: leave empty for no end date."),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "raised_limit": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["agent"].queryset = User.objects.filter(
            memberships__team=team, memberships__role="agent", is_active=True
        ).order_by("first_name", "last_name")
        self.fields["agent"].empty_label = _("The whole team")
        self.fields["agent"].required = False
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("No limit change")
        self.fields["category"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("raised_limit") is not None and not cleaned.get("category"):
            self.add_error("category", _("Choose the category whose limit you raise."))
        if cleaned.get("category") and cleaned.get("raised_limit") is None:
            self.add_error("raised_limit", _("Enter the new limit for this category, or choose no limit change."))
        category, raised = cleaned.get("category"), cleaned.get("raised_limit")
        if category and raised is not None:
            current = selectors.base_limit(team=self.team, category=category)[0]
            if raised <= current:
                self.add_error(
                    "raised_limit",
                    _("The team's limit for this category is already %(limit)s: enter a higher one to raise it.")
                    % {"limit": money(current, Organisation.current().currency)},
                )
        today = timezone.localdate()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and starts < today - datetime.timedelta(days=TRUST_BACKDATE_DAYS):
            self.add_error("starts_on", _("A trust statement may start at most a year ago. Please check the date."))
        for name, date in (("starts_on", starts), ("ends_on", ends)):
            if date and date > today + datetime.timedelta(days=TRUST_HORIZON_DAYS):
                self.add_error(name, _("That is more than three years ahead. Please check the date."))
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date comes before the start date."))
        return cleaned


class TeamGuardrailForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), label=_("Category"), empty_label=_("Choose a category")
    )
    limit = forms.DecimalField(
        min_value=0,
        decimal_places=2,
        max_digits=10,
        required=False,
        label=_("Team limit"),
        help_text=_("Leave empty to follow the organisation's limit."),
    )


class OutcomeForm(forms.Form):
    """After approval: what became of the customer (author or manager), and, for the author, the values it shows."""

    # A required select starts empty (HTML requires it, and nothing is chosen for the author by accident).
    outcome = forms.ChoiceField(label=_("What became of the customer?"), choices=[("", "—"), *Outcome.choices])
    values = forms.ModelMultipleChoiceField(
        queryset=CompanyValue.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Which of our values does it show?"),
    )

    def __init__(self, *args, for_author: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not for_author:
            del self.fields["values"]
