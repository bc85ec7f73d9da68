from django.db.models import Case, Count, Q, QuerySet, When

from apps.org.models import Membership

from . import content as digest_content
from .models import Delivery, Digest, Edition
from .services import digest_key_for, digest_scope_key, edition_snapshot, with_news_fallback

ARCHIVE_WEEKS_PER_PAGE = 12
WEEK_DIGESTS_PER_PAGE = 50


def _scope_order():
    """The organisation first, then the departments, then the teams."""
    return Case(
        When(scope=Digest.Scope.ORGANISATION, then=0), When(scope=Digest.Scope.DEPARTMENT, then=1), default=2
    ).asc()


def editions_for_archive() -> QuerySet[Edition]:
    """Built weeks, newest first (their digests are read by `archive_weeks`, only those the reader is shown)."""
    return Edition.objects.filter(built_at__isnull=False).order_by("-week_start")


def archive_weeks(*, user, editions: list[Edition]) -> list[dict]:
    """For each week on a page of the archive: the reader's own digest, their teams', departments' and the
    organisation's, and how many other digests the week has (listed on the week's own page). Three queries whatever
    the size of the organisation: not its thousand team digests."""
    keys = scope_keys_of(user=user)
    ids = [edition.pk for edition in editions]
    shown: dict[int, list[Digest]] = {pk: [] for pk in ids}
    digests = (
        Digest.objects.filter(_scopes(keys["related"]), edition_id__in=ids)
        .only("pk", "edition_id", "scope", "title", "team_id", "department_id")
        .order_by(_scope_order(), "title")
    )
    for digest in digests:
        shown[digest.edition_id].append(digest)
    # COUNT(*), not COUNT(id): the index on the week answers it alone, without reading a thousand digests a week
    # (6 → 1.6 ms at 10,000 agents).
    counts = dict(
        Digest.objects.filter(edition_id__in=ids)
        .order_by()
        .values("edition_id")
        .annotate(count=Count("*"))
        .values_list("edition_id", "count")
    )
    weeks = []
    for edition in editions:
        mine = next((d for d in shown[edition.pk] if digest_key(d) == keys["mine"]), None)
        weeks.append(
            {
                "edition": edition,
                "mine": mine,
                "related": [d for d in shown[edition.pk] if d != mine],
                "others": counts.get(edition.pk, 0) - len(shown[edition.pk]),
                # The week's page is reached through one of its digests: the organisation's is always built.
                "week_digest": next((d for d in shown[edition.pk] if d.scope == Digest.Scope.ORGANISATION), mine),
            }
        )
    return weeks


def week_menu(*, user, digest: Digest) -> list[Digest]:
    """What a digest page's "Other digests this week" menu offers: the organisation's digest, every department's and
    the reader's own teams' (the week's thousand team digests are on the week's page)."""
    keys = scope_keys_of(user=user)["related"] | {"organisation"}
    return list(
        Digest.objects.filter(
            _scopes(keys) | Q(scope=Digest.Scope.DEPARTMENT) | Q(pk=digest.pk), edition=digest.edition
        )
        .only("pk", "edition_id", "scope", "title", "team_id", "department_id")
        .order_by(_scope_order(), "title")
    )


def week_digests(*, edition: Edition, search: str = "") -> QuerySet[Digest]:
    """Every digest of a week (organisation, departments, then teams, by name), for its own page, to paginate."""
    digests = Digest.objects.filter(edition=edition).only("pk", "edition_id", "scope", "title")
    if search:
        digests = digests.filter(title__icontains=search)
    return digests.order_by(_scope_order(), "title", "pk")


def _scopes(keys: set[str]) -> Q:
    """The digests of the given scope keys ("organisation", "department:3", "team:7")."""
    teams = [int(key.partition(":")[2]) for key in keys if key.startswith("team:")]
    departments = [int(key.partition(":")[2]) for key in keys if key.startswith("department:")]
    scopes = Q(pk__in=[])
    if "organisation" in keys:
        scopes |= Q(scope=Digest.Scope.ORGANISATION)
    if departments:
        scopes |= Q(scope=Digest.Scope.DEPARTMENT, department_id__in=departments)
    if teams:
        scopes |= Q(scope=Digest.Scope.TEAM, team_id__in=teams)
    return scopes


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
    memberships = list(Membership.objects.filter(user=user).values_list("team_id", "role", "team__department_id"))
    key = digest_key_for([(t, r) for t, r, _d in memberships], {t: d for t, _r, d in memberships})
    # Only the digests this person could get (their teams', their departments', the organisation's), not the
    # edition's every digest: a thousand teams' at 10,000 agents.
    candidates = Digest.objects.filter(edition=edition).filter(
        Q(scope=Digest.Scope.ORGANISATION)
        | Q(scope=Digest.Scope.TEAM, team_id__in=[t for t, _r, _d in memberships])
        | Q(scope=Digest.Scope.DEPARTMENT, department_id__in=[d for _t, _r, d in memberships])
    )
    digests = {digest_scope_key(d): d for d in candidates.select_related("team", "edition")}
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
