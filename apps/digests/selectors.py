from django.db.models import Prefetch, QuerySet

from apps.org.models import Membership

from . import content as digest_content
from .models import Delivery, Digest, Edition
from .services import digest_key_for, digest_scope_key, edition_snapshot, with_news_fallback


def editions_for_archive() -> QuerySet[Edition]:
    """Built weeks, newest first, with their digests (organisation first, then departments, then teams)."""
    digests = Digest.objects.select_related("department", "team").order_by("scope", "title").defer("content")
    return (
        Edition.objects.filter(built_at__isnull=False)
        .order_by("-week_start")
        .prefetch_related(Prefetch("digests", queryset=digests))
    )


def scope_keys_of(*, user) -> dict[str, str]:
    """The digests that concern a person: the one they are emailed, and their team's and department's."""
    memberships = list(Membership.objects.filter(user=user).values_list("team_id", "role", "team__department_id"))
    keys = {"organisation"}
    for team_id, _role, department_id in memberships:
        keys |= {digest_content.scope_key("team", team_id), digest_content.scope_key("department", department_id)}
    mine = digest_key_for([(t, r) for t, r, _d in memberships], {t: d for t, _r, d in memberships})
    return {"mine": mine, "related": keys}


def digest_key(digest: Digest) -> str:
    return digest_scope_key(digest)


def delivery_of(*, user, edition: Edition) -> Delivery | None:
    return Delivery.objects.filter(recipient=user, edition=edition).select_related("digest", "digest__edition").first()


def digest_for_person(*, user, edition: Edition) -> tuple[Digest, dict]:
    """The digest and personal numbers a person gets (or got) for a week: their delivery's if there is one, else
    what they would get. For the admins' preview."""
    delivery = delivery_of(user=user, edition=edition)
    if delivery is not None:
        return delivery.digest, delivery.personal
    digests = {digest_scope_key(d): d for d in Digest.objects.filter(edition=edition).select_related("team", "edition")}
    memberships = list(Membership.objects.filter(user=user).values_list("team_id", "role", "team__department_id"))
    key = digest_key_for([(t, r) for t, r, _d in memberships], {t: d for t, _r, d in memberships})
    digest = digests[with_news_fallback(key, digests)]
    personal = digest_content.personal_numbers(
        user_ids=[user.pk], start=edition.period_start, end=edition.period_end, snapshot=edition_snapshot(edition)
    )
    return digest, personal[user.pk]


def reader_situation(*, user) -> dict:
    """Where one digest's reader stands (see `reader_situations`)."""
    return reader_situations(user_ids=[user.pk])[user.pk]


def reader_situations(*, user_ids) -> dict[int, dict]:
    """Where each digest reader stands, so that the personal words fit them: whether they write stories (an agent),
    approve them (a manager) or neither (an admin, a director, someone in no team), how many of their own stories
    still wait for a manager and since when, and how many of their teams' stories wait for them.

    Three queries however many readers (two when none of them manages a team): the sender asks once per batch."""
    from django.db.models import Count, F, Min, Q

    from apps.recognition.waiting import waiting_decisions

    user_ids = list(user_ids)
    roles: dict[int, set[str]] = {pk: set() for pk in user_ids}
    for user_id, role in Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "role"):
        roles[user_id].add(role)
    own = {
        row["author_id"]: row
        for row in waiting_decisions()
        .filter(author_id__in=user_ids)
        .values("author_id")
        .annotate(count=Count("pk"), since=Min("created_at"))
    }
    managers = [pk for pk in user_ids if Membership.Role.MANAGER in roles[pk]]
    queues = {}
    if managers:
        # A story counts once per manager, however many of the story's team's managers read their digest.
        queues = dict(
            waiting_decisions()
            .filter(team__memberships__role=Membership.Role.MANAGER, team__memberships__user_id__in=managers)
            .annotate(manager_id=F("team__memberships__user_id"))
            .filter(~Q(author_id=F("manager_id")))
            .values("manager_id")
            .annotate(count=Count("pk", distinct=True))
            .values_list("manager_id", "count")
        )
    situations = {}
    for pk in user_ids:
        if Membership.Role.AGENT in roles[pk]:
            role = "agent"
        elif Membership.Role.MANAGER in roles[pk]:
            role = "manager"
        else:
            role = "reader"
        waiting = own.get(pk, {})
        situations[pk] = {
            "role": role,
            "waiting": waiting.get("count", 0),
            "waiting_since": waiting.get("since"),
            "queue": queues.get(pk, 0),
        }
    return situations
