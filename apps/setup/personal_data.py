"""Personal data (GDPR): a person's own data as a ZIP of JSON and CSV, and an admin's erasure of a person.

Erasure keeps what others' numbers rely on — the stories' category, cost, outcome, dates and statuses (the ROI
ledger), endorsements as counts, leaderboard rows — and removes who the person was and what they wrote.
"""

import csv
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.cache import names_changed
from apps.decisions.models import Decision, PlaybookAcknowledgement, TrustStatement
from apps.digests.models import Digest
from apps.org.models import Membership
from apps.recognition.models import AuditEvent, Endorsement, Notification, Review, ReviewMessage

from .models import Invitation, Newcomer

ERASED_TEXT = "—"
FORMER_COLLEAGUE = "a former colleague"  # frozen digests keep English text; pages translate `display_name`

DECISION_FIELDS = [
    "id",
    "created_at",
    "happened_on",
    "team__name",
    "category__name",
    "channel",
    "situation",
    "action",
    "justification",
    "cost",
    "currency",
    "outcome",
    "customer_reference",
    "status",
    "covered",
    "approved_at",
    "celebrated_at",
    "celebration_note",
]
ENDORSEMENT_FIELDS = ["decision_id", "created_at", "comment"]
NOTIFICATION_FIELDS = ["id", "created_at", "kind", "decision_id", "read_at", "email_status"]


def _csv(rows: list[dict], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def personal_data(user: User) -> dict[str, list[dict] | dict]:
    """Everything Leeway holds about `user`, by section. A constant number of queries."""
    profile = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "email_notifications": user.email_notifications,
        "email_digest": user.email_digest,
        "show_on_leaderboards": user.show_on_leaderboards,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "teams": list(Membership.objects.filter(user=user).values("team__name", "role", "joined_on")),
        "departments_headed": list(user.headed_departments.values_list("name", flat=True)),
        "playbook_acknowledged_at": PlaybookAcknowledgement.objects.filter(user=user)
        .values_list("acknowledged_at", flat=True)
        .first(),
    }
    thread_reviews = Review.objects.filter(Q(decision__author=user) | Q(messages__author=user)).distinct()
    reviews = []
    messages_by_review: dict[int, list[dict]] = {}
    for message in ReviewMessage.objects.filter(review__in=thread_reviews).select_related("author"):
        messages_by_review.setdefault(message.review_id, []).append(
            {"author": message.author.display_name, "created_at": message.created_at, "body": message.body}
        )
    for review in thread_reviews.order_by("opened_at"):
        reviews.append(
            {
                "decision_id": review.decision_id,
                "status": review.status,
                "opened_at": review.opened_at,
                "closed_at": review.closed_at,
                "lesson": review.lesson,
                "messages": messages_by_review.get(review.pk, []),
            }
        )
    return {
        "profile": profile,
        "stories": list(Decision.objects.filter(author=user).order_by("created_at", "pk").values(*DECISION_FIELDS)),
        "endorsements_given": list(
            Endorsement.objects.filter(endorser=user).order_by("created_at", "pk").values(*ENDORSEMENT_FIELDS)
        ),
        "endorsements_received": list(
            Endorsement.objects.filter(decision_author=user)
            .order_by("created_at")
            .values(*ENDORSEMENT_FIELDS, "endorser__first_name", "endorser__last_name")
        ),
        "trust_statements_received": list(
            TrustStatement.objects.filter(agent=user).values("text", "team__name", "starts_on", "ends_on")
        ),
        "trust_statements_written": list(
            TrustStatement.objects.filter(author=user).values("text", "team__name", "starts_on", "ends_on")
        ),
        "reviews": reviews,
        "notifications": list(Notification.objects.filter(recipient=user).values(*NOTIFICATION_FIELDS)),
    }


def personal_data_zip(user: User) -> bytes:
    """A ZIP with one JSON file per section, and a CSV beside each list that is a table."""
    data = personal_data(user)
    tables = {
        "stories": DECISION_FIELDS,
        "endorsements_given": ENDORSEMENT_FIELDS,
        "endorsements_received": [*ENDORSEMENT_FIELDS, "endorser__first_name", "endorser__last_name"],
        "notifications": NOTIFICATION_FIELDS,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, section in data.items():
            archive.writestr(f"{name}.json", json.dumps(section, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            if name in tables:
                archive.writestr(f"{name}.csv", "\ufeff" + _csv(section, tables[name]))
    return buffer.getvalue()


def _scrub(node, *, user_id: int, name: str):
    """A built digest's frozen content without the person: their stories' text and every mention of their name."""
    if isinstance(node, list):
        for item in node:
            _scrub(item, user_id=user_id, name=name)
    elif isinstance(node, dict):
        if node.get("author_id") == user_id:
            node.update({"action": ERASED_TEXT, "situation": ERASED_TEXT, "note": ""})
        for key, value in node.items():
            if isinstance(value, str) and name and value == name:
                node[key] = FORMER_COLLEAGUE
            else:
                _scrub(value, user_id=user_id, name=name)


@transaction.atomic
def person_erase(*, user: User, by: User) -> None:
    """Erases a person: their name and address, what they wrote (stories' text, comments, notes, review messages),
    their sign-in and notifications. Stories, endorsements and leaderboard rows stay as counts, so the ledger and
    others' scores do not move. The audit trail records who erased someone, and when — not who, nor what."""
    now = timezone.now()
    name = user.get_full_name() or user.email.split("@")[0]
    for digest in Digest.objects.all().iterator():
        before = json.dumps(digest.content)
        _scrub(digest.content, user_id=user.pk, name=name)
        if json.dumps(digest.content) != before:
            digest.save(update_fields=["content"])
    User.objects.filter(pk=user.pk).update(
        first_name="",
        last_name="",
        email=f"erased-{user.pk}@erased.invalid",
        password="!erased",
        time_zone="",
        is_active=False,
        is_staff=False,
        is_superuser=False,
        email_notifications=False,
        email_digest=False,
        show_on_leaderboards=False,
        erased_at=now,
    )
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Invitation.objects.filter(user=user).delete()
    Newcomer.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    # updated_at and comment_edits move too: the story cards kept in the cache show the erased text from now on.
    Decision.objects.filter(author=user).update(
        situation=ERASED_TEXT, action=ERASED_TEXT, justification=ERASED_TEXT, customer_reference="", updated_at=now
    )
    Decision.objects.filter(celebrated_by=user).exclude(celebration_note="").update(
        celebration_note=ERASED_TEXT, updated_at=now
    )
    Endorsement.objects.filter(endorser=user).exclude(comment="").update(
        comment="", comment_edits=F("comment_edits") + 1
    )
    TrustStatement.objects.filter(author=user).update(text=ERASED_TEXT)
    # Review threads about their stories lose every message; elsewhere, the messages they wrote go.
    ReviewMessage.objects.filter(Q(review__decision__author=user) | Q(author=user)).delete()
    Review.objects.filter(decision__author=user).exclude(lesson="").update(lesson=ERASED_TEXT, lesson_shared=False)
    names_changed()  # their name, on the cards of the stories they commented on
    AuditEvent.objects.create(actor=by, verb=AuditEvent.Verb.PERSON_ERASED, decision=None, data={})
