from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.templatetags.leeway import money
from apps.decisions.models import Category
from apps.leaderboards import periods
from apps.org.models import Organisation, Team
from apps.org.selectors import teams_managed_by, teams_overseen_by

from . import selectors, services
from .exports import csv_response
from .figures import Figures, figures_for
from .filters import TEAM, AdoptLimitForm, Filters, InsightsFilterForm
from .tables import Table


def _filters(request: HttpRequest, org: Organisation, *, overseen: bool) -> tuple[InsightsFilterForm, Filters]:
    """The period and scope in force. Pages about teams answer 403 to people who oversee none (agents see their own
    stats only); a scope outside what the person oversees answers 404."""
    today = timezone.localtime(timezone.now(), periods.org_time_zone(org)).date()
    form = InsightsFilterForm(request.GET, viewer=request.user, today=today, with_scope=overseen)
    if overseen and not form.scopes:
        raise PermissionDenied
    return form, form.filters()


def _csv(request: HttpRequest, table: Table | None, filters: Filters, page: str, *, as_of=None) -> HttpResponse:
    if table is None:
        raise Http404
    in_force = [(_("Period"), filters.window.label)]
    if filters.scope:
        in_force.append((_("Scope"), filters.scope.label))
    if as_of:
        in_force.append((_("Figures as of"), date_format(timezone.localtime(as_of), "DATETIME_FORMAT")))
    window = filters.window
    return csv_response(
        table=table, filters=in_force, filename=f"leeway-{page}-{table.key}-{window.first_day}-{window.last_day}"
    )


def index(request: HttpRequest) -> HttpResponse:
    """Insights open on the ROI ledger for people who oversee teams, and on their own stats for everyone else."""
    if teams_overseen_by(user=request.user).exists():
        return redirect("insights:ledger")
    return redirect("insights:mine")


def _page(request: HttpRequest, *, page: str, name: str, overseen: bool = True, extra=None) -> HttpResponse:
    """Every insights page: the filters in force (checked against what the reader oversees), the numbers of the
    page's builder for them (stored figures for a large scope), then either the CSV of one of its tables
    (?csv=<key>) or the page `insights/<name>.html`, with those numbers under `name` and whatever `extra` adds."""
    org = Organisation.current()
    form, filters = _filters(request, org, overseen=overseen)
    if overseen:
        figures = figures_for(page=page, org=org, filters=filters, now=timezone.now())
    else:  # a person's own numbers
        figures = Figures(selectors.my_stats(org=org, user=request.user, window=filters.window), None)
    data = figures.data
    if hasattr(data, "seen_by"):
        data = data.seen_by(request.user)
    if "csv" in request.GET:
        return _csv(request, data.table(request.GET["csv"]), filters, page, as_of=figures.as_of)
    context = {
        "form": form,
        "filters": filters,
        name: data,
        "organisation": org,
        "page": page,
        "figures_as_of": figures.as_of,
    }
    return render(request, f"insights/{name}.html", context | (extra(org, filters, data) if extra else {}))


def ledger(request: HttpRequest) -> HttpResponse:
    return _page(request, page="ledger", name="ledger")


def my_stats(request: HttpRequest) -> HttpResponse:
    return _page(request, page="mine", name="mine", overseen=False)


def _offers(request: HttpRequest):
    def offers(org, filters, data) -> dict:
        """Earned-autonomy offers, to the agent's own manager only: on another page, computed for the teams in scope
        that the reader manages (none for a head or an admin who manages no team, who would only discard them)."""
        if isinstance(data, selectors.Autonomy):
            offers = [o for o in data.offers if o.team_id in data.managed_team_ids]
        else:
            managed = set(teams_managed_by(user=request.user).values_list("pk", flat=True))
            team_ids = [pk for pk in filters.scope.team_ids if pk in managed]
            offers = selectors.autonomy_offers(org=org, team_ids=team_ids, now=timezone.now()) if team_ids else []
        return {
            "offers": offers,
            "today": timezone.localtime(timezone.now(), periods.org_time_zone(org)).date(),
        }

    return offers


def managers(request: HttpRequest) -> HttpResponse:
    """Managers on board, with the earned-autonomy offers waiting for the reader."""
    return _page(request, page="managers", name="managers", extra=_offers(request))


def calibration(request: HttpRequest) -> HttpResponse:
    def may_adopt(org, filters, data) -> dict:
        """Admins adopt the organisation's limits; a team's managers, with that team as the scope, its own."""
        if filters.scope.kind != TEAM:
            return {"may_adopt": request.user.is_staff}
        return {"may_adopt": teams_managed_by(user=request.user).filter(pk=filters.scope.pk).exists()}

    return _page(request, page="calibration", name="calibration", extra=may_adopt)


def autonomy(request: HttpRequest) -> HttpResponse:
    return _page(request, page="autonomy", name="autonomy", extra=_offers(request))


def reach(request: HttpRequest) -> HttpResponse:
    return _page(request, page="reach", name="reach")


@require_POST
def adopt_limit(request: HttpRequest) -> HttpResponse:
    """Adopts a suggested limit in one step: the organisation's (admins) or a team's own (its managers)."""
    form = AdoptLimitForm(request.POST)
    if not form.is_valid():
        raise Http404
    category = get_object_or_404(Category, pk=form.cleaned_data["category"])
    team = get_object_or_404(Team, pk=form.cleaned_data["team"]) if form.cleaned_data["team"] else None
    limit = form.cleaned_data["limit"]
    services.suggested_limit_adopt(user=request.user, category=category, limit=limit, team=team)
    org = Organisation.current()
    amount = money(limit, org.currency)
    if team is None:
        message = _("%(category)s: the organisation's limit is now %(amount)s.")
    else:
        message = _("%(category)s: %(team)s's own limit is now %(amount)s.")
    messages.success(
        request, message % {"category": category.label, "team": team.name if team else "", "amount": amount}
    )
    return redirect(f"{reverse('insights:calibration')}?{form.cleaned_data['query']}")
