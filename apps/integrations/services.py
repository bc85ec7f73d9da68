"""Integrations' writes: chat channels and webhooks hear about story events; every message is a Delivery row.

A row is written in the transaction of the change it announces (so a rolled-back approval announces nothing) and is
handed to Celery once that transaction commits; the manager's request never waits for Teams, Slack or anyone's
endpoint. A worker claims the row (pending → sending) before it POSTs, with connect and read timeouts; a failed POST
goes back to pending with a later attempt (backoff), until it is marked failed after the last one. A periodic drain
sends what the broker missed.
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
import uuid
from functools import partial

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core import outbox
from apps.decisions.models import Decision

from . import cards
from .models import ChatChannel, Delivery, WebhookEndpoint

logger = logging.getLogger(__name__)

Event = WebhookEndpoint.Event
# A row still "sending" after this long belonged to a worker that died mid-POST: not sent again automatically.
STUCK_AFTER = datetime.timedelta(minutes=10)
SIGNATURE_HEADER = "Leeway-Signature"
USER_AGENT = "Leeway-Webhooks/1.0"


def absolute(path: str) -> str:
    return settings.LEEWAY_BASE_URL + path


def retry_after(attempts: int) -> float:
    """Seconds before the next attempt: 30 s, 2 min, 8 min, 32 min with the default base (×4 each time)."""
    return settings.LEEWAY_WEBHOOK_RETRY_SECONDS * 4 ** max(attempts - 1, 0)


# --- what is said ---------------------------------------------------------------------------------------------------


def _story_message(decision: Decision, event: str) -> cards.Message:
    """Only what anyone in the organisation reads on a shared story: no cost, no coverage or limit, no trust
    statement, no customer reference, nothing of a review."""
    url = absolute(reverse("decisions:detail", args=[decision.pk]))
    context = f"{decision.team.name} · {decision.category.label} · {decision.get_channel_display()}"
    author = decision.author.display_name
    if event == Event.CELEBRATED:
        celebrated_by = decision.celebrated_by.display_name if decision.celebrated_by else ""
        return cards.Message(
            title=_("🎉 %(name)s's story is celebrated") % {"name": author},
            text=decision.action,
            quote=f"{decision.celebration_note} — {celebrated_by}",
            context=context,
            url=url,
            button=_("Read the story"),
        )
    return cards.Message(
        title=_("New story from %(name)s") % {"name": author},
        text=f"{decision.action}\n\n{decision.situation[:280]}",
        context=context,
        url=url,
        button=_("Read the story"),
    )


def webhook_payload(decision: Decision, event: str, *, delivery_key: str) -> dict:
    """What an endpoint receives: what the organisation's admins may read, without any trust statement's text."""
    return {
        "id": delivery_key,
        "event": event,
        "created_at": timezone.now().isoformat(),
        "story": {
            "id": decision.pk,
            "url": absolute(reverse("decisions:detail", args=[decision.pk])),
            "status": decision.status,
            "headline": decision.action,
            "situation": decision.situation,
            "justification": decision.justification,
            "category": {"slug": decision.category.slug, "name": decision.category.name},
            "channel": decision.channel,
            "cost": str(decision.cost),
            "currency": decision.currency,
            "covered": decision.covered,
            "coverage": decision.coverage,
            "happened_on": decision.happened_on.isoformat(),
            "outcome": decision.outcome or None,
            "customer_reference": decision.customer_reference or None,
            "author": {"id": decision.author_id, "name": decision.author.display_name, "email": decision.author.email},
            "team": {"id": decision.team_id, "name": decision.team.name},
            "department": {"id": decision.team.department_id, "name": decision.team.department.name},
            "created_at": decision.created_at.isoformat(),
            "approved_at": decision.approved_at.isoformat() if decision.approved_at else None,
            "celebrated_at": decision.celebrated_at.isoformat() if decision.celebrated_at else None,
            "celebration_note": decision.celebration_note or None,
        },
    }


# --- recording events -----------------------------------------------------------------------------------------------


def enqueue(delivery_id: int, countdown: float | None = None) -> None:
    from .tasks import deliver

    if countdown is None:
        outbox.enqueue(deliver, delivery_id)
        return
    try:
        deliver.apply_async((delivery_id,), countdown=countdown, retry=False)
    except Exception:
        logger.warning("Broker unavailable; delivery %s waits for the drain", delivery_id, exc_info=True)


def _record(*, key: str, event: str, payload: dict, channel=None, endpoint=None) -> Delivery | None:
    """Writes a delivery once per (target, key) and hands it to Celery when the transaction commits."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                channel=channel, endpoint=endpoint, key=key, event=event, payload=payload
            )
    except IntegrityError:
        return None  # announced already (a repeated run)
    transaction.on_commit(partial(enqueue, delivery.pk))
    return delivery


def channels_for_story(decision: Decision, *, flag: str):
    return ChatChannel.objects.filter(is_active=True, **{flag: True}).filter(
        Q(scope=ChatChannel.Scope.ORGANISATION)
        | Q(scope=ChatChannel.Scope.DEPARTMENT, department__teams=decision.team_id)
        | Q(scope=ChatChannel.Scope.TEAM, team_id=decision.team_id)
    )


def _story_targets(decision: Decision, event: str, *, chat: bool) -> tuple[list, list]:
    """The endpoints that asked for this event and, for approvals and celebrations, the chat channels whose audience
    reads the story (a team channel only its team's, a department channel its teams'). Two small queries."""
    # Few endpoints: filtered here, which works on SQLite's JSON too.
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in e.events]
    flag = {Event.APPROVED: "send_approved", Event.CELEBRATED: "send_celebrations"}.get(event)
    channels = list(channels_for_story(decision, flag=flag)) if chat and flag else []
    return endpoints, channels


def story_event_record(*, decision: Decision, event: str, chat: bool = True) -> int:
    """Called in the transaction of a story's change: one delivery per target (see _story_targets), each sent by a
    worker once that transaction commits. Returns how many were written."""
    return _story_write(decision, event, *_story_targets(decision, event, chat=chat))


def _story_write(decision: Decision, event: str, endpoints: list, channels: list) -> int:
    if not endpoints and not channels:
        return 0
    decision = Decision.objects.select_related("author", "team__department", "category", "celebrated_by").get(
        pk=decision.pk
    )
    key = f"{event}:{decision.pk}"
    written = 0
    for endpoint in endpoints:
        payload = webhook_payload(decision, event, delivery_key=f"{key}:{endpoint.pk}")
        written += _record(key=key, event=event, payload=payload, endpoint=endpoint) is not None
    for channel in channels:
        with translation.override(channel.language):
            payload = cards.render(channel.platform, _story_message(decision, event))
        written += _record(key=key, event=event, payload=payload, channel=channel) is not None
    return written


def on_story_event(decision: Decision, event: str, *, chat: bool = True) -> None:
    """The hook the stories' services call: never lets an integration's trouble fail the person's action."""
    try:
        endpoints, channels = _story_targets(decision, event, chat=chat)
        if endpoints or channels:  # the common case, nothing connected, costs two small reads and no savepoint
            with transaction.atomic():
                _story_write(decision, event, endpoints, channels)
    except Exception:
        logger.exception("Could not record the %s event of story %s for integrations", event, decision.pk)


def _digest_message(digest) -> cards.Message:
    content = digest.content
    celebrated = content.get("celebrated", [])
    numbers = content.get("numbers", {})
    lines = [
        _("Stories logged this week: %(logged)s. Approved: %(approved)s. Celebrated: %(celebrated)s.")
        % {
            "logged": numbers.get("decisions", 0),
            "approved": numbers.get("approved", 0),
            "celebrated": numbers.get("celebrated", len(celebrated)),
        }
    ]
    lines += [f"• {story['author']}: {story['action']}" for story in celebrated[:3]]
    return cards.Message(
        title=_("This week in %(name)s") % {"name": digest.title},
        text="\n".join(lines),
        context=digest.edition.label,
        url=absolute(reverse("digests:detail", args=[digest.pk])),
        button=_("Open the digest"),
    )


def digest_posts_record(*, edition, channels=None) -> int:
    """Called in the transaction that builds a week's digests: one summary per chat channel that asked for it, of
    its own scope's digest (the organisation's, its department's or its team's)."""
    from apps.digests.models import Digest

    if channels is None:
        channels = list(ChatChannel.objects.filter(is_active=True, send_digest=True))
    if not channels:
        return 0
    digests = {
        (digest.scope, digest.department_id or digest.team_id): digest
        for digest in Digest.objects.filter(edition=edition).select_related("edition")
    }
    written = 0
    for channel in channels:
        digest = digests.get((channel.scope, channel.department_id or channel.team_id))
        if digest is None:
            continue
        with translation.override(channel.language):
            payload = cards.render(channel.platform, _digest_message(digest))
        written += (
            _record(key=f"digest:{edition.week_start}", event="digest", payload=payload, channel=channel) is not None
        )
    return written


def on_digest_built(edition) -> None:
    """The hook of the digests' build: one small read when no channel wants the digest."""
    try:
        channels = list(ChatChannel.objects.filter(is_active=True, send_digest=True))
        if channels:
            with transaction.atomic():
                digest_posts_record(edition=edition, channels=channels)
    except Exception:
        logger.exception("Could not record the digest posts of %s", edition)


def channel_ping_record(*, channel: ChatChannel) -> Delivery:
    with translation.override(channel.language):
        message = cards.Message(
            title=_("Leeway is connected"),
            text=_("This channel will hear about the stories of: %(audience)s.") % {"audience": channel.audience},
            context=_("A test message, sent from Setup → Integrations."),
            url=absolute(reverse("home")),
            button=_("Open Leeway"),
        )
        payload = cards.render(channel.platform, message)
    return _record(key=f"test:{uuid.uuid4().hex}", event="test", payload=payload, channel=channel)


def endpoint_ping_record(*, endpoint: WebhookEndpoint) -> Delivery:
    key = f"test:{uuid.uuid4().hex}"
    payload = {"id": f"{key}:{endpoint.pk}", "event": "ping", "created_at": timezone.now().isoformat()}
    return _record(key=key, event="ping", payload=payload, endpoint=endpoint)


# --- sending ----------------------------------------------------------------------------------------------------------


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: a receiver recomputes it and rejects old timestamps."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class PermanentFailure(Exception):
    """The other side refused the message for good (a removed webhook, a bad request): not tried again."""


def _post(delivery: Delivery) -> None:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if delivery.endpoint_id:
        url = delivery.endpoint.url
        headers[SIGNATURE_HEADER] = signature(secret=delivery.endpoint.secret, timestamp=int(time.time()), body=body)
        headers["Leeway-Event"] = delivery.event
        headers["Leeway-Delivery"] = delivery.payload.get("id", str(delivery.pk))
    else:
        url = delivery.channel.webhook_url
    timeout = settings.LEEWAY_WEBHOOK_TIMEOUT
    response = requests.post(url, data=body, headers=headers, timeout=(timeout, timeout), allow_redirects=False)
    if 200 <= response.status_code < 300:
        return
    error = f"HTTP {response.status_code}: {response.text[:200]}"
    if 400 <= response.status_code < 500 and response.status_code not in (408, 409, 425, 429):
        raise PermanentFailure(error)
    raise RuntimeError(error)


def claim(delivery_id: int, *, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def delivery_send(*, delivery_id: int) -> float | None:
    """Sends one delivery if it is due and nobody else has it. Returns the seconds until its next attempt when this
    one failed and another is allowed, else None."""
    if not claim(delivery_id):
        return None
    delivery = Delivery.objects.select_related("channel", "endpoint").get(pk=delivery_id)
    rows = Delivery.objects.filter(pk=delivery_id)
    try:
        _post(delivery)
    except Exception as error:
        message = str(error) if isinstance(error, PermanentFailure) else f"{type(error).__name__}: {error}"
        give_up = isinstance(error, PermanentFailure) or delivery.attempts >= settings.LEEWAY_WEBHOOK_MAX_ATTEMPTS
        delay = retry_after(delivery.attempts)
        rows.update(
            status=Delivery.Status.FAILED if give_up else Delivery.Status.PENDING,
            last_error=message[:300],
            next_attempt_at=None if give_up else timezone.now() + datetime.timedelta(seconds=delay),
        )
        logger.warning(
            "Delivery %s to %s failed (attempt %s)%s: %s",
            delivery_id,
            "endpoint" if delivery.endpoint_id else "chat channel",
            delivery.attempts,
            "; giving up" if give_up else "",
            message,
        )
        return None if give_up else delay
    rows.update(status=Delivery.Status.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return None


def deliveries_drain(*, limit: int = 200) -> int:
    """Periodic: marks rows left `sending` by a dead worker failed, and hands due pending rows to workers (the broker
    was down when they were written, or their retry was lost). Returns how many it handed out."""
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Delivery.Status.FAILED, last_error="Interrupted while sending; not retried."
    )
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(created_at__lt=now - datetime.timedelta(seconds=30))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        enqueue(delivery_id)
    return len(due)


def delivery_retry(*, delivery: Delivery) -> bool:
    """An admin sends a failed message again (after fixing the address); a sent one never goes twice."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=None, claimed_at=None
    )
    if changed:
        transaction.on_commit(partial(enqueue, delivery.pk))
    return bool(changed)
