from functools import partial
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core import outbox

from . import services
from .models import Delivery, Digest, Edition
from .tasks import send_pending


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["label", "period_start", "period_end", "built_at", "sent", "waiting", "failed"]
    readonly_fields = ["week_start", "period_start", "period_end", "built_at", "deliveries_created"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                n_waiting=Count(
                    "deliveries",
                    filter=Q(deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.CLAIMED]),
                ),
                n_failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            )
        )

    @admin.display(description=_("week"), ordering="week_start")
    def label(self, obj):
        return obj.label

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(description=_("waiting"), ordering="n_waiting")
    def waiting(self, obj):
        return obj.n_waiting

    @admin.display(description=_("failed"), ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    def has_add_permission(self, request):
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["title", "scope", "edition", "page"]
    list_filter = ["scope", "edition"]
    readonly_fields = ["edition", "scope", "department", "team", "title", "content"]

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("digests:detail", args=[obj.pk]), _("Open"))

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "edition",
        "digest",
        "status",
        "attempts",
        "sent_at",
        "last_error",
        "preview",
        "resend",
    ]
    list_filter = ["status", "edition"]
    search_fields = ["recipient__email", "recipient__first_name", "recipient__last_name"]
    list_select_related = ["recipient", "edition", "digest"]
    readonly_fields = [
        "edition",
        "digest",
        "recipient",
        "status",
        "personal",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
    ]
    exclude = ["claim"]
    actions = ["retry"]

    @admin.display(description=_("email"))
    def preview(self, obj):
        url = f"{reverse('digests:preview')}?{urlencode({'person': obj.recipient.email, 'week': obj.edition_id})}"
        return format_html('<a href="{}">{}</a>', url, _("Preview"))

    @admin.display(description=_("resend"))
    def resend(self, obj):
        if obj.status != Delivery.Status.FAILED:
            return "—"
        # One click: the button submits the list's own form (and its CSRF token) to this delivery's resend address.
        url = reverse("admin:digests_delivery_resend", args=[obj.pk])
        return format_html('<button type="submit" class="button" formaction="{}">{}</button>', url, _("Resend"))

    def get_urls(self):
        resend = self.admin_site.admin_view(self.resend_view)
        return [path("<int:pk>/resend/", resend, name="digests_delivery_resend"), *super().get_urls()]

    def resend_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        delivery = get_object_or_404(Delivery, pk=pk)
        if services.deliveries_retry(delivery_ids=[pk]):
            # After the request's transaction commits: a worker that started sooner would find nothing to send.
            transaction.on_commit(partial(outbox.enqueue, send_pending, delivery.edition_id))
            self.message_user(
                request, _("The digest to %(person)s is being sent again.") % {"person": delivery.recipient}
            )
        return redirect("admin:digests_delivery_changelist")

    @admin.action(description=_("Try the selected failed deliveries again"))
    def retry(self, request, queryset):
        count = services.deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)s delivery will be tried again.", "%(count)s deliveries will be tried again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False
