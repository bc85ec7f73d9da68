"""Integrations' reads."""

from django.db.models import OuterRef, Subquery

from apps.org.models import Organisation

from .models import ChatChannel, Delivery, HelpDeskSettings, WebhookEndpoint


def help_desk_settings() -> HelpDeskSettings:
    settings, _created = HelpDeskSettings.objects.get_or_create(organisation=Organisation.current())
    return settings


def help_desk_origins() -> list[str]:
    frame_origins = (
        HelpDeskSettings.objects.filter(organisation=Organisation.current())
        .values_list("frame_origins", flat=True)
        .first()
    )
    return (frame_origins or "").split()


def _with_health(queryset, target: str):
    """Each channel or endpoint with its last success and its last error (two subqueries, one query in all)."""
    deliveries = Delivery.objects.filter(**{target: OuterRef("pk")})
    last_failed = deliveries.exclude(last_error="").order_by("-created_at", "-pk")
    return queryset.annotate(
        last_sent_at=Subquery(
            deliveries.filter(status=Delivery.Status.SENT).order_by("-sent_at").values("sent_at")[:1]
        ),
        last_error=Subquery(last_failed.values("last_error")[:1]),
        last_error_at=Subquery(last_failed.values("created_at")[:1]),
        last_error_status=Subquery(last_failed.values("status")[:1]),
    )


def channels_with_health():
    return _with_health(ChatChannel.objects.select_related("department", "team"), "channel")


def endpoints_with_health():
    return _with_health(WebhookEndpoint.objects.all(), "endpoint")


def recent_deliveries(limit: int = 20):
    return Delivery.objects.select_related("channel", "endpoint").order_by("-created_at", "-pk")[:limit]
