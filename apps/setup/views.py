"""The Setup area (admins only) and the pages a new person meets: invitation and welcome. Thin views."""

import functools

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.decisions.models import Category, Guardrail
from apps.decisions.selectors import playbook_for
from apps.org.models import Department, Membership, Organisation, Team
from apps.org.selectors import team_of_agent

from . import importing, scim, selectors, services
from .emails import sso_configured
from .forms import (
    AcceptInvitationForm,
    CategoryForm,
    DepartmentForm,
    DepartmentsFilterForm,
    ImportForm,
    MembershipForm,
    OrganisationForm,
    PeopleFilterForm,
    PersonCreateForm,
    TeamForm,
    TeamsFilterForm,
)
from .models import PeopleImport, ScimToken
from .personal_data import person_erase as person_erase_service

PEOPLE_PAGE_SIZE = 50
DEPARTMENTS_PAGE_SIZE = TEAMS_PAGE_SIZE = 50
PREVIEW_LIST_LIMIT = 200


def admin_required(view):
    """Setup is for admins (`is_staff`); everyone else gets 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@admin_required
def checklist(request: HttpRequest) -> HttpResponse:
    steps = selectors.setup_checklist()
    return render(
        request, "setup/checklist.html", {"steps": steps, "done_count": sum(s.done for s in steps), "total": len(steps)}
    )


@admin_required
def organisation(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=Organisation.current())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organisation's settings are saved."))
        return redirect("setup:checklist")
    return render(request, "setup/organisation.html", {"form": form})


def _saved(request: HttpRequest, form, save) -> bool:
    """Posts `form` to the service `save`; a rule it refuses (a name already taken) shows next to its field."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _page_of(request: HttpRequest, items, size: int):
    """The page of `items` the address asks for, and the address's query without its page (for the page links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(items, size).get_page(request.GET.get("page")), query.urlencode()


@admin_required
def departments(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if _saved(request, form, functools.partial(services.department_save, department=Department())):
        messages.success(request, _("%(name)s is added.") % {"name": form.cleaned_data["name"]})
        return redirect("setup:departments")
    # Its own ids: the form to add a department below has fields of the same kind.
    filter_form = DepartmentsFilterForm(request.GET or None, auto_id="filter_%s")
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    departments = selectors.departments_list(
        search=filters.get("q", ""), without_head=bool(filters.get("without_head"))
    )
    page, query = _page_of(request, departments, DEPARTMENTS_PAGE_SIZE)
    context = {"page": page, "filter_form": filter_form, "query": query, "form": form}
    return render(request, "setup/departments.html", context)


@admin_required
def department(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    initial = {"name": department.name, "heads": list(department.heads.filter(is_active=True))}
    form = DepartmentForm(request.POST or None, initial=initial)
    if _saved(request, form, functools.partial(services.department_save, department=department)):
        messages.success(request, _("%(name)s is saved.") % {"name": department.name})
        return redirect("setup:departments")
    return render(request, "setup/department.html", {"department": department, "form": form})


@admin_required
@require_POST
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    try:
        services.department_delete(department=department)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("%(name)s is deleted.") % {"name": department.name})
    return redirect("setup:departments")


@admin_required
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if _saved(request, form, functools.partial(services.team_save, team=Team())):
        messages.success(request, _("%(name)s is added.") % {"name": form.cleaned_data["name"]})
        return redirect("setup:teams")
    # Its own ids: the form to add a team below has fields of the same names.
    filter_form = TeamsFilterForm(request.GET or None, auto_id="filter_%s")
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    teams = selectors.teams_list(
        search=filters.get("q", ""),
        department=filters.get("department"),
        without_manager=bool(filters.get("without_manager")),
    )
    page, query = _page_of(request, teams, TEAMS_PAGE_SIZE)
    context = {"page": page, "filter_form": filter_form, "query": query, "form": form}
    return render(request, "setup/teams.html", context)


@admin_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("department"), pk=pk)
    managers = User.objects.filter(is_active=True, memberships__team=team, memberships__role=Membership.Role.MANAGER)
    initial = {"name": team.name, "department": team.department, "managers": list(managers)}
    form = TeamForm(request.POST or None, initial=initial)
    if _saved(request, form, functools.partial(services.team_save, team=team)):
        messages.success(request, _("%(name)s is saved.") % {"name": team.name})
        return redirect("setup:teams")
    return render(request, "setup/team.html", {"team": team, "form": form})


@admin_required
def categories(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if _saved(request, form, functools.partial(services.category_save, category=Category(), admin=request.user)):
        messages.success(request, _("%(name)s is added.") % {"name": form.cleaned_data["name"]})
        return redirect("setup:categories")
    context = {"categories": selectors.categories_list(), "form": form, "organisation": Organisation.current()}
    return render(request, "setup/categories.html", context)


GUARDRAIL_EXAMPLE_FIELDS = [
    "in_scope",
    "out_of_scope",
    "in_scope_es",
    "out_of_scope_es",
    "in_scope_nl",
    "out_of_scope_nl",
]


@admin_required
def category(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    guardrail = Guardrail.objects.filter(category=category).first()
    initial = {
        "name": category.name,
        "name_es": category.name_es,
        "name_nl": category.name_nl,
        "description": category.description,
        "limit": guardrail.limit if guardrail else None,
        **{field: getattr(guardrail, field) if guardrail else "" for field in GUARDRAIL_EXAMPLE_FIELDS},
    }
    form = CategoryForm(request.POST or None, initial=initial)
    if _saved(request, form, functools.partial(services.category_save, category=category, admin=request.user)):
        messages.success(request, _("%(name)s is saved.") % {"name": category.name})
        return redirect("setup:categories")
    return render(request, "setup/category.html", {"category": category, "form": form})


@admin_required
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list(
        search=filters.get("q", ""),
        department=filters.get("department"),
        team=filters.get("team"),
        role=filters.get("role", ""),
        active=filters.get("active") or "yes",
        signed_in=filters.get("signed_in", ""),
    )
    page, query = _page_of(request, people, PEOPLE_PAGE_SIZE)
    return render(request, "setup/people.html", {"page": page, "filter_form": form, "query": query})


@admin_required
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.person_create(**form.cleaned_data, invited_by=request.user)
        messages.success(request, _("%(name)s is added and invited by email.") % {"name": user.display_name})
        return redirect("setup:person", pk=user.pk)
    return render(request, "setup/person_add.html", {"form": form})


def _person(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("invitation"), pk=pk)


@admin_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(pk)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.membership_set(user=user, team=form.cleaned_data["team"], role=form.cleaned_data["role"])
        messages.success(request, _("%(name)s's team is saved.") % {"name": user.display_name})
        return redirect("setup:person", pk=user.pk)
    return render(
        request,
        "setup/person.html",
        {"person": user, "memberships": selectors.person_teams(user=user), "form": form},
    )


@admin_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_pk, user_id=pk)
    services.membership_remove(membership=membership)
    messages.success(request, _("Taken out of %(team)s.") % {"team": membership.team.name})
    return redirect("setup:person", pk=pk)


@admin_required
@require_POST
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(pk)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(user=user, active=active, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if active:
            messages.success(request, _("%(name)s can sign in again.") % {"name": user.display_name})
        else:
            messages.success(
                request,
                _("%(name)s is deactivated: they can no longer sign in, and their stories keep their name.")
                % {"name": user.display_name},
            )
    return redirect("setup:person", pk=pk)


@admin_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(pk)
    if services.invitation_resend(user=user):
        messages.success(request, _("A new invitation is on its way to %(email)s.") % {"email": user.email})
    else:
        messages.info(request, _("%(name)s has already accepted their invitation.") % {"name": user.display_name})
    return redirect("setup:person", pk=pk)


@admin_required
@require_POST
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(pk)
    if user.pk == request.user.pk or user.erased_at is not None:
        raise PermissionDenied
    if request.POST.get("confirm_email", "").strip().lower() != user.email.lower():
        messages.error(request, _("Type the person's email address to confirm. Nothing was erased."))
        return redirect("setup:person", pk=pk)
    person_erase_service(user=user, by=request.user)
    messages.success(request, _("The person's personal data is erased. They show as “a former colleague”."))
    return redirect("setup:people")


# --- CSV import ----------------------------------------------------------------------------------------------------


@admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        people_import = services.people_import_upload(data=upload.read(), file_name=upload.name, by=request.user)
        return redirect("setup:import_preview", pk=people_import.pk)
    recent = PeopleImport.objects.select_related("created_by").defer("content")[:10]
    return render(request, "setup/import.html", {"form": form, "recent": recent})


@admin_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leeway-people.csv"'
    return response


@admin_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    people_import = get_object_or_404(PeopleImport, pk=pk)
    context = {"run": people_import, "progress": services.import_progress(pk), "limit": PREVIEW_LIST_LIMIT}
    if people_import.status == PeopleImport.Status.PREVIEWED:
        context["plan"] = importing.build_plan(people_import.content)
    return render(request, "setup/import_preview.html", context)


@admin_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx while a worker imports; it stops polling once the import has ended."""
    people_import = get_object_or_404(PeopleImport.objects.defer("content"), pk=pk)
    return render(
        request, "setup/_import_progress.html", {"run": people_import, "progress": services.import_progress(pk)}
    )


@admin_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    people_import = get_object_or_404(PeopleImport, pk=pk, status=PeopleImport.Status.PREVIEWED)
    started = services.people_import_confirm(people_import=people_import)
    if not started.in_background:
        people_import.refresh_from_db()
        if people_import.status == PeopleImport.Status.DONE:
            messages.success(request, _("The file is imported."))
        else:
            messages.error(request, people_import.result.get("error", _("The import failed; nothing changed.")))
    return redirect("setup:import_preview", pk=pk)


# --- SCIM provisioning tokens ---------------------------------------------------------------------------------------


@admin_required
def provisioning(request: HttpRequest) -> HttpResponse:
    """Bearer tokens for an identity provider's SCIM client. A new token is shown on this response only."""
    secret = None
    name = request.POST.get("name", "").strip()[:100] if request.method == "POST" else ""
    if request.method == "POST":
        if name:
            _token, secret = scim.scim_token_create(name=name, by=request.user)
        else:
            messages.error(request, _("Give the token a name, such as the identity provider's."))
    context = {
        "tokens": ScimToken.objects.select_related("created_by"),
        "secret": secret,
        "scim_url": request.build_absolute_uri("/scim/v2/"),
    }
    return render(request, "setup/provisioning.html", context)


@admin_required
@require_POST
def scim_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    scim.scim_token_revoke(token=get_object_or_404(ScimToken, pk=pk))
    messages.success(request, _("The token is revoked: it works no more."))
    return redirect("setup:provisioning")


# --- a new person's first steps ------------------------------------------------------------------------------------


@login_not_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: the person chooses a password (or signs in with single sign-on)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as error:
        return render(request, "setup/invitation_invalid.html", {"reason": error.reason}, status=410)
    form = AcceptInvitationForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["password1"])
        except services.InvitationInvalid as error:
            return render(request, "setup/invitation_invalid.html", {"reason": error.reason}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("welcome:index")
    return render(
        request, "setup/accept_invitation.html", {"form": form, "person": invitation.user, "sso": sso_configured()}
    )


def welcome(request: HttpRequest) -> HttpResponse:
    """A new person's first page: their team and manager, their limits in plain words, and where to start. Someone
    in no team is told so here, before any form."""
    services.newcomer_welcomed(user=request.user)
    team = team_of_agent(user=request.user)
    context = {"team": team, "organisation": Organisation.current()}
    if team is not None:
        context["managers"] = list(
            User.objects.filter(
                memberships__team=team, memberships__role=Membership.Role.MANAGER, is_active=True
            ).exclude(pk=request.user.pk)
        )
        context["rules"] = playbook_for(user=request.user, team=team)["rules"]
    return render(request, "setup/welcome.html", context)
