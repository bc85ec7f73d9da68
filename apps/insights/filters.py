"""The one period picker and scope selector of every insights page, checked against what the viewer may see."""

import dataclasses
import datetime
from collections.abc import Mapping

from django import forms
from django.http import Http404, QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.forms import QuickSelect
from apps.leaderboards import periods
from apps.leaderboards.models import Period
from apps.org import selectors as org_selectors
from apps.org.models import Department
from apps.org.selectors import team_label, teams_overseen_by

WEEK, MONTH, QUARTER, CUSTOM = Period.WEEK.value, Period.MONTH.value, Period.QUARTER.value, "custom"
PERIOD_CHOICES = [(WEEK, _("Week")), (MONTH, _("Month")), (QUARTER, _("Quarter")), (CUSTOM, _("Custom range"))]
# A custom range longer than this would make the weekly trend unreadable.
LONGEST_RANGE = datetime.timedelta(days=366)
ORGANISATION, DEPARTMENT, TEAM = "organisation", "department", "team"


@dataclasses.dataclass(frozen=True)
class Window:
    """Days from `first_day` up to, not including, `end_day`, in the organisation's time zone."""

    period: str
    first_day: datetime.date
    end_day: datetime.date

    @property
    def last_day(self) -> datetime.date:
        return self.end_day - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.period == WEEK:
            return periods.week_title(self.first_day)
        return periods.day_span(self.first_day, self.last_day)

    def weeks(self) -> list[tuple[datetime.date, datetime.date]]:
        """The weeks the window touches, as (Monday, first day inside the window)."""
        monday = periods.starts_on(Period.WEEK, self.first_day)
        weeks = []
        while monday < self.end_day:
            weeks.append((monday, max(monday, self.first_day)))
            monday = periods.next_starts_on(Period.WEEK, monday)
        return weeks

    def bounds(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        """The window as aware datetimes, for columns that hold a moment rather than a day."""
        return periods.local_midnight(self.first_day, tz), periods.local_midnight(self.end_day, tz)

    @property
    def previous(self) -> "Window | None":
        """The period before this one; none for a custom range."""
        if self.period == CUSTOM:
            return None
        first = periods.previous_starts_on(self.period, self.first_day)
        return Window(self.period, first, self.first_day)

    @property
    def following(self) -> "Window | None":
        if self.period == CUSTOM:
            return None
        return Window(self.period, self.end_day, periods.next_starts_on(self.period, self.end_day))


@dataclasses.dataclass(frozen=True)
class Scope:
    kind: str
    pk: int | None
    label: str
    team_ids: tuple[int, ...]
    department_id: int | None = None  # the department a department or team is (in)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}" if self.pk else ORGANISATION


@dataclasses.dataclass(frozen=True)
class Filters:
    window: Window
    scope: Scope | None
    query: QueryDict  # the filters in force, to keep them in links (CSV, previous and next period)

    def query_for(self, **changes) -> str:
        query = self.query.copy()
        for name, value in changes.items():
            query[name] = value
        return query.urlencode()


class InsightsFilterForm(forms.Form):
    """A GET form: every view of every insights page has its own address."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    on = forms.DateField(required=False, widget=forms.HiddenInput)
    start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scope = forms.ChoiceField(label=_("Scope"), required=False, widget=QuickSelect)  # an admin's: every team

    def __init__(self, data, *, viewer, today: datetime.date, with_scope: bool = True):
        data = data.copy()
        data.setdefault("period", MONTH)
        super().__init__(data)
        self.today = today
        self.viewer = viewer
        self.scopes = Scopes({}, {})
        if with_scope:
            self.scopes = _scopes_for(viewer)
            self.fields["scope"].choices = self._scope_menu()
        else:
            del self.fields["scope"]
        self.fields["period"].widget.attrs["data-autosubmit"] = ""

    def _scope_menu(self) -> list[tuple[str, str]]:
        """Everything, the departments, then the teams: all of them while they are few; past that, those of the
        department in force (a menu of a thousand teams is unreadable, and was most of the page), with a hint."""
        teams = self.scopes.team_rows
        # Shortened only for someone with departments to choose from (a manager's teams are few).
        if len(teams) > org_selectors.TEAM_MENU_MAX and len(self.scopes.wide) > 1:
            chosen = self.scopes.get(str(self.data.get("scope", "")))
            department = chosen.department_id if chosen else None
            teams = {key: row for key, row in teams.items() if department and row[2] == department}
            if department is None:
                self.fields["scope"].help_text = gettext("Choose a department to list its teams here.")
        return [(key, scope.label) for key, scope in self.scopes.wide.items()] + [
            (key, team_label(name, department)) for key, (_pk, name, _department_id, department) in teams.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", gettext("Choose the first day of the range."))
            if not end and "end" not in self.errors:
                self.add_error("end", gettext("Choose the last day of the range."))
            if start and end and end < start:
                self.add_error("end", gettext("The last day comes before the first day."))
            elif start and end and end - start >= LONGEST_RANGE:
                self.add_error("end", gettext("Choose a range of at most a year."))
        return data

    def filters(self) -> Filters:
        """The filters in force. A scope or period that is not offered answers 404: nobody reads numbers they may
        not see by editing the address. A custom range with a mistake shows its error and this month meanwhile."""
        if self.data.get("period") and self.data["period"] not in dict(PERIOD_CHOICES):
            raise Http404
        if "scope" in self.fields and self.data.get("scope") and self.data["scope"] not in self.scopes:
            raise Http404
        self.is_valid()
        data = self.cleaned_data
        period = data.get("period") or MONTH
        if period == CUSTOM and not self.errors:
            window = Window(CUSTOM, data["start"], data["end"] + datetime.timedelta(days=1))
        else:
            period = MONTH if period == CUSTOM else period
            first = periods.starts_on(period, data.get("on") or self.today)
            window = Window(period, first, periods.next_starts_on(period, first))
        scope = None
        if self.scopes:
            scope = self.scopes[data.get("scope") or ORGANISATION]
        query = QueryDict(mutable=True)
        query["period"] = window.period
        if window.period == CUSTOM:
            query["start"], query["end"] = window.first_day.isoformat(), window.last_day.isoformat()
        elif data.get("on"):
            query["on"] = window.first_day.isoformat()
        if scope and scope.kind != ORGANISATION:
            query["scope"] = scope.key
        return Filters(window=window, scope=scope, query=query)


class Scopes(Mapping):
    """The scopes a person may choose, by key. A team's Scope is made when it is asked for: an admin may choose among
    a thousand teams at 10,000 agents, on every insights page, and reads one."""

    def __init__(self, wide: dict[str, Scope], team_rows: dict[str, tuple]):
        self.wide = wide  # everything, and the departments
        self.team_rows = team_rows  # key: (pk, name, department id, department name)

    def __getitem__(self, key: str) -> Scope:
        if key in self.wide:
            return self.wide[key]
        pk, name, department_id, department = self.team_rows[key]
        return Scope(TEAM, pk, team_label(name, department), (pk,), department_id)

    def __contains__(self, key) -> bool:
        return key in self.wide or key in self.team_rows

    def __iter__(self):
        yield from self.wide
        yield from self.team_rows

    def __len__(self) -> int:
        return len(self.wide) + len(self.team_rows)


def _scopes_for(viewer) -> Scopes:
    """The scopes a person may choose: everything they oversee, each department they head (every department for
    admins) and each team they oversee. Two queries; the teams as plain rows, not model instances."""
    teams = list(
        teams_overseen_by(user=viewer)
        .order_by("department__name", "name")
        .values_list("pk", "name", "department_id", "department__name")
    )
    if not teams:
        return Scopes({}, {})
    departments = Department.objects.all() if viewer.is_staff else Department.objects.filter(heads=viewer)
    everything = gettext("Whole organisation") if viewer.is_staff else gettext("All the teams you oversee")
    wide = {ORGANISATION: Scope(ORGANISATION, None, everything, tuple(row[0] for row in teams))}
    teams_of: dict[int, list[int]] = {}
    for pk, _name, department_id, _department in teams:
        teams_of.setdefault(department_id, []).append(pk)
    for department_id, name in departments.order_by("name").values_list("pk", "name"):
        wide[f"{DEPARTMENT}-{department_id}"] = Scope(
            DEPARTMENT, department_id, name, tuple(teams_of.get(department_id, ())), department_id
        )
    return Scopes(wide, {f"{TEAM}-{row[0]}": row for row in teams})


class AdoptLimitForm(forms.Form):
    """One click on a suggested limit: which category, which limit, for a team or (empty) the organisation, and the
    insights address to come back to."""

    category = forms.IntegerField(widget=forms.HiddenInput)
    limit = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, widget=forms.HiddenInput)
    team = forms.IntegerField(required=False, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_query(self):
        # Only the filters of an insights page come back; never another address.
        return QueryDict(self.cleaned_data["query"]).urlencode()
