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
    """Where the digest's reader stands, so that its personal words fit them (three small queries): whether they
    write stories (an agent), approve them (a manager) or neither (an admin, a director, someone in no team), how many
    of their own stories still wait for a manager and since when, and how many of their teams' stories wait for
    them."""
    from django.db.models import Count, Min

    from apps.recognition.waiting import waiting_decisions

    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if Membership.Role.AGENT in roles:
        role = "agent"
    elif Membership.Role.MANAGER in roles:
        role = "manager"
    else:
        role = "reader"
    own = waiting_decisions().filter(author=user).aggregate(count=Count("pk"), since=Min("created_at"))
    queue = 0
    if Membership.Role.MANAGER in roles:
        queue = (
            waiting_decisions()
            .filter(team__memberships__user=user, team__memberships__role=Membership.Role.MANAGER)
            .exclude(author=user)
            .distinct()
            .count()
        )
    return {"role": role, "waiting": own["count"], "waiting_since": own["since"], "queue": queue}
