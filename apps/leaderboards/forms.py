import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.converters import as_id
from apps.core.forms import QuickSelect
from apps.decisions.models import Category, Channel
from apps.org.models import Department, Membership, Team

PERIODS = [
    ("this-week", _("This week")),
    ("last-week", _("Last week")),
    ("this-month", _("This month")),
    ("this-quarter", _("This quarter")),
    ("all-time", _("All time")),
]


class LeaderboardFilterForm(forms.Form):
    """The filters of a leaderboard page (a GET form: every view of a board has its own address)."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    # Every department is a choice (a hundred at 10,000 agents): options written in Python, not one template each.
    scope = forms.ChoiceField(label=_("Who"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=QuickSelect)
    # One past week by its Monday (any day of it will do): the board a weekly digest links to.
    week = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, teams_board: bool, viewer=None):
        super().__init__(data)
        scopes = [("", _("Whole organisation"))]
        scopes += [
            (f"department-{pk}", name) for pk, name in Department.objects.order_by("name").values_list("pk", "name")
        ]
        if not teams_board:
            teams = Team.objects.order_by("department__name", "name")
            if viewer is not None:
                # A page offers the reader's own teams and those of the departments they head (and the team asked for,
                # as a link may), not every team of a large organisation: any team is on its department's board.
                asked = (data.get("scope") or "").removeprefix("team-")
                # Each asked by its own index (joined and ORed, every team of the organisation was read).
                mine = Q(pk__in=Membership.objects.filter(user=viewer).values("team_id")) | Q(
                    department_id__in=Department.heads.through.objects.filter(user=viewer).values("department_id")
                )
                asked_id = as_id(asked)
                teams = teams.filter(mine | Q(pk=asked_id) if asked_id is not None else mine)
            scopes += [(f"team-{pk}", name) for pk, name in teams.values_list("pk", "name")]
        self.fields["scope"].choices = scopes
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.slug, c.label) for c in Category.objects.filter(is_active=True)
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        for field in ("scope", "category", "channel"):
            self.fields[field].widget.attrs["data-autosubmit"] = ""

    def filters(self) -> dict:
        """The valid filters; anything unknown in the address falls back to the default view."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name, "") for name in self.fields}
        scope_kind, _sep, scope_id = (data["scope"] or "organisation-").partition("-")
        category = None
        if data["category"]:
            category = Category.objects.filter(slug=data["category"]).first()
        week = data["week"]
        return {
            "period": data["period"] or "this-week",
            "week": week - datetime.timedelta(days=week.weekday()) if week else None,
            "scope": scope_kind,
            "scope_id": int(scope_id) if scope_id else None,
            "category": category,
            "channel": data["channel"] or None,
        }
