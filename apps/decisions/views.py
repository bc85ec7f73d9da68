from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.converters import as_id
from apps.org.models import Organisation, Team
from apps.org.selectors import team_of_agent, teams_managed_by

from . import selectors, services
from .forms import (
    CoverageHintForm,
    DecisionForm,
    FeedFilterForm,
    OutcomeForm,
    PrecedentsForm,
    TeamGuardrailForm,
    TrustStatementForm,
)
from .models import Category, Decision, TrustStatement

FEED_PAGE_SIZE = 20
# Search results page by offset; past this many, refining the search helps more than paging.
FEED_MAX_OFFSET = 1000


def _visible_decision(request: HttpRequest, pk: int) -> Decision:
    """The decision if this person may read it; 404 otherwise (so nobody learns what exists)."""
    return get_object_or_404(selectors.with_card_data(selectors.visible_decisions(user=request.user)), pk=pk)


def _own_changeable_decision(request: HttpRequest, pk: int) -> Decision:
    decision = _visible_decision(request, pk)
    services.ensure_author_may_change(decision=decision, user=request.user)
    return decision


def _managed_team(request: HttpRequest, team_id: int) -> Team:
    team = get_object_or_404(Team, pk=team_id)
    services.ensure_manages(user=request.user, team=team)
    return team


def feed(request: HttpRequest) -> HttpResponse:
    filter_form = FeedFilterForm(request.GET or None, reader=request.user)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    cursor = request.GET.get("before")
    offset = request.GET.get("start", "")
    page = selectors.feed_page(
        user=request.user,
        filters=filters,
        cursor=cursor,
        offset=min(as_id(offset) or 0, FEED_MAX_OFFSET),
        size=FEED_PAGE_SIZE,
    )
    query = request.GET.copy()
    for name in ("page", "before", "start"):
        query.pop(name, None)
    return render(
        request,
        "decisions/feed.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": bool(filters and any(filters.values())),
            "query": query.urlencode(),
            "paged": bool(cursor or offset),
        },
    )


def decision_create(request: HttpRequest) -> HttpResponse:
    team = team_of_agent(user=request.user)
    if team is None:
        # Told before any form: nobody could approve a story from someone in no team.
        return render(request, "setup/no_team.html")
    organisation = Organisation.current()
    form = DecisionForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "values"}
        try:
            decision = services.decision_submit(author=request.user, fields=fields, values=form.cleaned_data["values"])
        except services.NoTeam:
            form.add_error(None, _("You are not in a team yet, so nobody could approve your story. Ask your admin."))
        else:
            messages.success(request, _("Thank you! Your story is logged and your team can see it."))
            return redirect("decisions:detail", pk=decision.pk)
    return render(request, "decisions/form.html", {"form": form, "team": team, "organisation": organisation})


def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _own_changeable_decision(request, pk)
    organisation = Organisation.current()
    form = DecisionForm(
        request.POST if request.method == "POST" else None, instance=decision, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "values"}
        services.decision_update(
            decision=decision, editor=request.user, fields=fields, values=form.cleaned_data["values"]
        )
        messages.success(request, _("Your changes are saved."))
        return redirect("decisions:detail", pk=decision.pk)
    return render(
        request,
        "decisions/form.html",
        {"form": form, "decision": decision, "organisation": organisation, "team": decision.team},
    )


def decision_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _own_changeable_decision(request, pk)
    if request.method == "POST":
        services.decision_withdraw(decision=decision, user=request.user)
        messages.success(request, _("Your story is withdrawn. Only you can still see it."))
        return redirect("decisions:mine")
    return render(request, "decisions/withdraw.html", {"decision": decision})


@require_GET
def coverage_hint(request: HttpRequest) -> HttpResponse:
    """The live "where do I stand" hint on the log form (htmx)."""
    form = CoverageHintForm(request.GET)
    team = team_of_agent(user=request.user)
    result = None
    if form.is_valid() and team is not None:
        result = services.coverage_for(
            author=request.user,
            team=team,
            category=form.cleaned_data["category"],
            cost=form.cleaned_data["cost"],
            on=form.cleaned_data["happened_on"] or timezone.localdate(),
        )
    return render(
        request,
        "decisions/_coverage_hint.html",
        {
            "result": result,
            "category": form.cleaned_data.get("category") if form.is_valid() else None,
            "organisation": Organisation.current(),
        },
    )


@require_GET
def precedents(request: HttpRequest) -> HttpResponse:
    """htmx, while the agent types: up to three shared stories like theirs, and the lessons shared in the category."""
    form = PrecedentsForm(request.GET)
    form.is_valid()
    category = form.cleaned_data.get("category")
    stories = selectors.precedents_for(
        user=request.user, text=form.cleaned_data.get("situation") or "", category=category
    )
    return render(request, "decisions/_precedents.html", {"precedents": stories, "category": category})


def decision_detail(request: HttpRequest, pk: int, outcome_form: OutcomeForm | None = None) -> HttpResponse:
    decision = get_object_or_404(
        selectors.with_viewer_manages(
            selectors.with_card_data(selectors.visible_decisions(user=request.user)), user=request.user
        ),
        pk=pk,
    )
    if services.may_record_outcome(user=request.user, decision=decision):
        is_author = decision.author_id == request.user.pk
        outcome_form = outcome_form or OutcomeForm(
            for_author=is_author,
            initial={"outcome": decision.outcome, "values": [value.pk for value in decision.values.all()]},
        )
    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "is_author": decision.author_id == request.user.pk,
            "may_see_private": selectors.may_see_private_details(
                user=request.user, decision=decision, team_ids=selectors.guardrail_detail_team_ids_for(request)
            ),
            "can_change": decision.author_id == request.user.pk and decision.status == Decision.Status.SUBMITTED,
            "outcome_form": outcome_form,
            "outcome_changes": selectors.outcome_history(decision=decision) if decision.is_shared else [],
        },
    )


@require_POST
def decision_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The author or their manager says what became of the customer, after approval: confirmed or corrected."""
    decision = _visible_decision(request, pk)
    if not services.may_record_outcome(user=request.user, decision=decision):
        raise PermissionDenied
    form = OutcomeForm(request.POST, for_author=decision.author_id == request.user.pk)
    if not form.is_valid():
        return decision_detail(request, pk, outcome_form=form)
    change = services.decision_outcome_record(
        decision=decision,
        user=request.user,
        outcome=form.cleaned_data["outcome"],
        values=form.cleaned_data.get("values"),
    )
    if change.is_confirmation:
        messages.success(request, _("Thanks: the outcome is confirmed."))
    else:
        messages.success(request, _("Thanks: the outcome is corrected, and the change is kept in the story's history."))
    return redirect("decisions:detail", pk=pk)


def my_decisions(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.decisions_of(user=request.user), FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "decisions/mine.html", {"page": page})


def playbook(request: HttpRequest) -> HttpResponse:
    team = team_of_agent(user=request.user)
    context = selectors.playbook_for(user=request.user, team=team)
    context.update(
        team=team,
        organisation=Organisation.current(),
        acknowledged_at=selectors.playbook_acknowledged_at(user=request.user, team=team),
        managed_teams=[
            {"team": t, "acknowledgements": selectors.team_acknowledgements(team=t)}
            for t in teams_managed_by(user=request.user).order_by("name")
        ],
    )
    return render(request, "decisions/playbook.html", context)


@require_POST
def playbook_acknowledge(request: HttpRequest) -> HttpResponse:
    services.playbook_acknowledge(user=request.user)
    messages.success(request, _("Thank you. You can come back to the playbook whenever you are unsure."))
    return redirect("decisions:playbook")


def team_rules(request: HttpRequest, team_id: int) -> HttpResponse:
    """A manager's page for one team: its trust statements and its own guardrail limits."""
    team = _managed_team(request, team_id)
    trust_form = TrustStatementForm(team=team, prefix="trust")
    guardrail_form = TeamGuardrailForm(prefix="limit")
    if request.method == "POST" and "trust-text" in request.POST:
        trust_form = TrustStatementForm(request.POST, team=team, prefix="trust")
        if trust_form.is_valid():
            services.trust_statement_create(author=request.user, team=team, fields=trust_form.cleaned_data)
            messages.success(request, _("Your trust statement is published. The people it addresses see it now."))
            return redirect("decisions:team_rules", team_id=team.pk)
    elif request.method == "POST":
        guardrail_form = TeamGuardrailForm(request.POST, prefix="limit")
        if guardrail_form.is_valid():
            services.team_guardrail_set(
                manager=request.user,
                team=team,
                category=guardrail_form.cleaned_data["category"],
                limit=guardrail_form.cleaned_data["limit"],
            )
            messages.success(request, _("The team's limit is saved."))
            return redirect("decisions:team_rules", team_id=team.pk)
    today = timezone.localdate()
    statements = (
        TrustStatement.objects.filter(team=team).select_related("author", "agent", "category").order_by("-starts_on")
    )
    rules = selectors.playbook_for(user=request.user, team=team)["rules"]
    return render(
        request,
        "decisions/team_rules.html",
        {
            "team": team,
            "trust_form": trust_form,
            "guardrail_form": guardrail_form,
            "statements": statements,
            "rules": rules,
            "today": today,
            "organisation": Organisation.current(),
        },
    )


@require_POST
def trust_statement_end(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(TrustStatement, pk=pk)
    outcome = services.trust_statement_end(statement=statement, user=request.user)
    if outcome == "removed":
        messages.success(request, _("The trust statement had not started yet, so it is withdrawn."))
    elif outcome == "ended":
        messages.success(request, _("The trust statement ends today. Stories it covered stay covered."))
    return redirect("decisions:team_rules", team_id=statement.team_id)


def manage_rules(request: HttpRequest) -> HttpResponse:
    teams = list(teams_managed_by(user=request.user).order_by("name"))
    if not teams:
        raise PermissionDenied
    if len(teams) == 1:
        return redirect("decisions:team_rules", team_id=teams[0].pk)
    return render(request, "decisions/manage_rules.html", {"teams": teams, "categories": Category.objects.all()})
