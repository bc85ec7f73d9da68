"""The "Can I?" page: a help desk's sidebar shows it next to a ticket. The agent sees at once whether a gesture is
covered (the log form's own live hint), their limits, and logs the story with the ticket's reference in one step."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.converters import as_id
from apps.decisions import services as decision_services
from apps.decisions.forms import DecisionForm
from apps.decisions.models import Category, Channel, Decision
from apps.decisions.selectors import playbook_for
from apps.org.models import Organisation
from apps.org.selectors import team_of_agent

# What a help desk may put in the page's address, and the log form's field each one fills.
PREFILL = {"category": "category", "cost": "cost", "channel": "channel", "ticket": "customer_reference"}


def _prefill(query: QueryDict) -> dict:
    initial = {}
    for param, field in PREFILL.items():
        value = query.get(param, "").strip()[:60]
        if value:
            initial[field] = value
    category = initial.get("category")
    if category:
        # A help desk knows categories by their slug ("fee-waiver"); the form by their id.
        found = Category.objects.filter(is_active=True, slug=category).values_list("pk", flat=True).first()
        initial["category"] = found or as_id(category)
    if initial.get("channel") not in Channel.values:
        initial.pop("channel", None)
    return initial


def _same_page(query: QueryDict) -> str:
    kept = QueryDict(mutable=True)
    for param in PREFILL:
        if query.get(param):
            kept[param] = query[param]
    return f"{reverse('can_i:page')}?{kept.urlencode()}" if kept else reverse("can_i:page")


def page(request: HttpRequest) -> HttpResponse:
    organisation = Organisation.current()
    team = team_of_agent(user=request.user)
    form = DecisionForm(
        request.POST if request.method == "POST" else None, organisation=organisation, initial=_prefill(request.GET)
    )
    if "autofocus" in form.fields["situation"].widget.attrs:
        del form.fields["situation"].widget.attrs["autofocus"]  # the help desk's ticket keeps the focus
    # A narrow sidebar: the fields' labels say enough (the full form in Leeway has the guidance).
    for name in ("customer_reference", "cost"):
        form.fields[name].help_text = ""
    if request.method == "POST" and team is not None and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "values"}
        try:
            decision = decision_services.decision_submit(
                author=request.user, fields=fields, values=form.cleaned_data["values"]
            )
        except decision_services.NoTeam:
            form.add_error(None, _("You are not in a team yet, so nobody could approve your story. Ask your admin."))
        else:
            messages.success(request, _("Logged. Thank you! Your team can see your story."))
            request.session["can_i_logged"] = decision.pk
            return redirect(_same_page(request.GET))
    logged_pk = request.session.pop("can_i_logged", None) if request.method == "GET" else None
    logged = Decision.objects.filter(pk=logged_pk, author=request.user).first() if logged_pk else None
    return render(
        request,
        "integrations/can_i.html",
        {
            "form": form,
            "team": team,
            "organisation": organisation,
            "rules": playbook_for(user=request.user, team=team)["rules"] if team else [],
            "logged": logged,
            "full_form_url": reverse("decisions:create"),
        },
    )
