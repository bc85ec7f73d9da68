from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.leaderboards import periods
from apps.org.models import Organisation
from apps.org.selectors import teams_overseen_by

from . import selectors
from .exports import csv_response
from .filters import Filters, InsightsFilterForm
from .tables import Table


def _filters(request: HttpRequest, org: Organisation, *, overseen: bool) -> tuple[InsightsFilterForm, Filters]:
    """The period and scope in force. Pages about teams answer 403 to people who oversee none (agents see their own
    stats only); a scope outside what the person oversees answers 404."""
    today = timezone.localtime(timezone.now(), periods.org_time_zone(org)).date()
    form = InsightsFilterForm(request.GET, viewer=request.user, today=today, with_scope=overseen)
    if overseen and not form.scopes:
        raise PermissionDenied
    return form, form.filters()


def _csv(request: HttpRequest, table: Table | None, filters: Filters, page: str) -> HttpResponse:
    if table is None:
        raise Http404
    in_force = [(_("Period"), filters.window.label)]
    if filters.scope:
        in_force.append((_("Scope"), filters.scope.label))
    window = filters.window
    return csv_response(
        table=table, filters=in_force, filename=f"leeway-{page}-{table.key}-{window.first_day}-{window.last_day}"
    )


def index(request: HttpRequest) -> HttpResponse:
    """Insights open on the ROI ledger for people who oversee teams, and on their own stats for everyone else."""
    if teams_overseen_by(user=request.user).exists():
        return redirect("insights:ledger")
    return redirect("insights:mine")


def ledger(request: HttpRequest) -> HttpResponse:
    org = Organisation.current()
    form, filters = _filters(request, org, overseen=True)
    data = selectors.ledger(org=org, team_ids=filters.scope.team_ids, window=filters.window)
    if "csv" in request.GET:
        return _csv(request, data.table(request.GET["csv"]), filters, "ledger")
    return render(
        request,
        "insights/ledger.html",
        {"form": form, "filters": filters, "ledger": data, "organisation": org, "page": "ledger"},
    )


def my_stats(request: HttpRequest) -> HttpResponse:
    org = Organisation.current()
    form, filters = _filters(request, org, overseen=False)
    data = selectors.my_stats(org=org, user=request.user, window=filters.window)
    if "csv" in request.GET:
        return _csv(request, data.table(request.GET["csv"]), filters, "my-stats")
    return render(
        request,
        "insights/mine.html",
        {"form": form, "filters": filters, "stats": data, "organisation": org, "page": "mine"},
    )


def managers(request: HttpRequest) -> HttpResponse:
    org = Organisation.current()
    form, filters = _filters(request, org, overseen=True)
    data = selectors.managers_on_board(
        org=org, team_ids=filters.scope.team_ids, window=filters.window, now=timezone.now()
    )
    if "csv" in request.GET:
        return _csv(request, data.table(request.GET["csv"]), filters, "managers")
    return render(
        request,
        "insights/managers.html",
        {"form": form, "filters": filters, "onboard": data, "organisation": org, "page": "managers"},
    )
