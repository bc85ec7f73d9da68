"""Setup → Integrations (admins only): chat channels, outgoing webhooks, the help desks that may show "Can I?"."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.setup.views import admin_required

from . import selectors, services
from .forms import ChatChannelForm, HelpDeskSettingsForm, WebhookEndpointForm
from .models import ChatChannel, WebhookEndpoint


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/index.html",
        {
            "channels": selectors.channels_with_health(),
            "endpoints": selectors.endpoints_with_health(),
            "help_desk_form": HelpDeskSettingsForm(instance=selectors.help_desk_settings()),
            "deliveries": selectors.recent_deliveries(),
            "can_i_url": services.absolute("/can-i/"),
        },
    )


@admin_required
@require_POST
def help_desk(request: HttpRequest) -> HttpResponse:
    form = HelpDeskSettingsForm(request.POST, instance=selectors.help_desk_settings())
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved: these help desks may show the “Can I?” page."))
        return redirect("integrations:index")
    return render(
        request,
        "integrations/index.html",
        {
            "channels": selectors.channels_with_health(),
            "endpoints": selectors.endpoints_with_health(),
            "help_desk_form": form,
            "deliveries": selectors.recent_deliveries(),
            "can_i_url": services.absolute("/can-i/"),
        },
    )


def _channel_page(request: HttpRequest, channel: ChatChannel | None) -> HttpResponse:
    form = ChatChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if channel is None:
            saved.created_by = request.user
        saved.save()
        messages.success(request, _("The channel is saved. Send it a test message to check the address."))
        return redirect("integrations:index")
    return render(request, "integrations/channel.html", {"form": form, "channel": channel})


@admin_required
def channel_create(request: HttpRequest) -> HttpResponse:
    return _channel_page(request, None)


@admin_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _channel_page(request, get_object_or_404(ChatChannel, pk=pk))


@admin_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(ChatChannel, pk=pk)
    services.channel_ping_record(channel=channel)
    messages.success(
        request,
        _("A test message is on its way to “%(name)s”. Reload in a moment to see whether it arrived.")
        % {"name": channel.name},
    )
    return redirect("integrations:index")


@admin_required
@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(ChatChannel, pk=pk)
    channel.delete()
    messages.success(request, _("The channel “%(name)s” is removed.") % {"name": channel.name})
    return redirect("integrations:index")


@admin_required
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.created_by = request.user
        endpoint.save()
        # The signing secret is shown on this response only.
        return render(request, "integrations/webhook_created.html", {"endpoint": endpoint})
    return render(request, "integrations/webhook.html", {"form": form, "endpoint": None})


@admin_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The webhook is saved."))
        return redirect("integrations:index")
    return render(request, "integrations/webhook.html", {"form": form, "endpoint": endpoint})


@admin_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.endpoint_ping_record(endpoint=endpoint)
    messages.success(request, _("A signed test event is on its way to “%(name)s”.") % {"name": endpoint.name})
    return redirect("integrations:index")


@admin_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoint.delete()
    messages.success(request, _("The webhook “%(name)s” is removed.") % {"name": endpoint.name})
    return redirect("integrations:index")
