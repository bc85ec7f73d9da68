"""Pages: a person's own API tokens (from their profile) and the admins' service tokens (Setup). A new token's
secret is shown on the response that created it, and never again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import PersonalTokenForm, ServiceTokenForm


def _docs(request: HttpRequest) -> dict:
    return {
        "api_url": request.build_absolute_uri(reverse("api:stories")).removesuffix("stories/"),
        "docs_url": reverse("api:docs"),
        "schema_url": reverse("api:schema"),
    }


def personal_tokens(request: HttpRequest) -> HttpResponse:
    form = PersonalTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.personal_token_create(user=request.user, **form.cleaned_data)
        form = PersonalTokenForm()
    context = {"form": form, "secret": secret, "tokens": list(selectors.personal_tokens_of(user=request.user))}
    return render(request, "api/personal_tokens.html", context | _docs(request), status=400 if form.errors else 200)


@require_POST
def personal_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.personal_tokens_of(user=request.user), pk=pk)
    services.token_revoke(token=token, by=request.user)
    messages.success(request, _("The token is revoked: it works no more."))
    return redirect("api_tokens:personal")


def service_tokens(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied
    form = ServiceTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.service_token_create(admin=request.user, **form.cleaned_data)
        form = ServiceTokenForm()
    context = {"form": form, "secret": secret, "tokens": list(selectors.service_tokens())}
    return render(request, "api/service_tokens.html", context | _docs(request), status=400 if form.errors else 200)


@require_POST
def service_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied
    services.token_revoke(token=get_object_or_404(selectors.service_tokens(), pk=pk), by=request.user)
    messages.success(request, _("The token is revoked: it works no more."))
    return redirect("api_tokens:service")
