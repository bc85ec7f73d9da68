"""Recognition's reads. Every list here costs a constant number of queries, however many endorsements there are."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import User
from apps.decisions.models import Category, Decision
from apps.decisions.selectors import (
    can_manage_decision,
    feed_cursor,
    parse_feed_cursor,
    story_path,
    visible_decisions,
)
from apps.org.models import Organisation
from apps.org.selectors import teams_acted_on_by

from . import waiting
from .models import AuditEvent, Endorsement, Notification, Review

# A story waiting longer than this for its manager is shown as overdue in the queue.
QUEUE_OVERDUE_AFTER = datetime.timedelta(days=2)
# How long an approved story stays in the queue's "celebrate?" list.
CELEBRATE_WINDOW = datetime.timedelta(days=14)


# How many of the latest endorsement comments a story card shows.
LATEST_COMMENTS = 2


def latest_comments_prefetch() -> Prefetch:
    """Each decision's latest commented endorsements as `latest_comments`: one query for a whole page (a window
    function limits it to LATEST_COMMENTS per decision)."""
    comments = (Endorsement.objects.exclude(comment="").select_related("endorser").order_by("-created_at", "-pk"))[
        :LATEST_COMMENTS
    ]
    return Prefetch("endorsements", queryset=comments, to_attr="latest_comments")


def annotate_recognition(queryset: QuerySet[Decision], *, viewer: User) -> QuerySet[Decision]:
    """Adds `endorsement_count`, `endorsed_by_me` and `my_comment` to each decision, as subqueries (no query per
    row)."""
    count = (
        Endorsement.objects.filter(decision=OuterRef("pk"))
        .order_by()
        .values("decision")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        endorsement_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        endorsed_by_me=Exists(Endorsement.objects.filter(decision=OuterRef("pk"), endorser_id=viewer.pk)),
        my_comment=Subquery(
            Endorsement.objects.filter(decision=OuterRef("pk"), endorser_id=viewer.pk).values("comment")[:1]
        ),
    )


def story_url(decision: Decision | int) -> str:
    return story_path(decision if isinstance(decision, int) else decision.pk)


def can_endorse(*, user: User, decision: Decision) -> bool:
    return decision.author_id != user.pk and decision.status != Decision.Status.WITHDRAWN


# --- the manager's queue ------------------------------------------------------------------------------------------


# How many stories the queue shows in full at once (each with its text and actions), and how many of the approved
# ones and of those that waited too long: the page costs the same whatever the backlog, which is counted instead.
QUEUE_PAGE = 20
CELEBRATE_SHOWN = 10
ESCALATED_SHOWN = 20
# Those that waited too long are counted up to this many: reading a neglected organisation's whole backlog (25,000
# stories in the 10,000-agent benchmark) took longer than the rest of the page; past it the page says "more than".
ESCALATED_COUNTED = 1000


@dataclass
class Queue:
    waiting: list[Decision]
    to_celebrate: list[Decision]
    open_reviews: list[Review]
    returned: list[Decision] = field(default_factory=list)
    waiting_total: int = 0
    to_celebrate_total: int = 0
    # Where "Show the next ones" continues (after the last waiting story shown); None when none is left.
    next_cursor: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.waiting or self.to_celebrate or self.open_reviews or self.returned)

    @property
    def covered_waiting(self) -> list[Decision]:
        return [decision for decision in self.waiting if decision.covered]

    @property
    def more_to_celebrate(self) -> int:
        return self.to_celebrate_total - len(self.to_celebrate)


def _with_total(queryset: QuerySet) -> QuerySet:
    """Adds `total`: how many rows the query has before its LIMIT (in the same query)."""
    return queryset.annotate(total=Window(Count("pk")))


def manager_queue(*, manager: User, cursor: str | None = None) -> Queue:
    """What a manager has to act on, for the teams they manage: submitted stories oldest first (not those in
    review or returned to their authors), QUEUE_PAGE at a time from `cursor`; the latest approved ones that could
    still be celebrated; those returned to their authors, and open reviews. Six queries whatever the backlog."""
    now = timezone.now()
    team_ids = list(teams_acted_on_by(user=manager).values_list("pk", flat=True))
    base = annotate_recognition(
        Decision.objects.filter(team_id__in=team_ids)
        .exclude(author=manager)
        .select_related("author", "team", "category", "covering_trust_statement__author"),
        viewer=manager,
    )
    submitted = base.filter(status=Decision.Status.SUBMITTED).exclude(
        Exists(Review.objects.filter(decision=OuterRef("pk")))
    )
    pending = submitted.filter(returned_at__isnull=True)
    waiting_total = pending.order_by().count()
    after = parse_feed_cursor(cursor)
    if after is not None:
        moment, pk = after
        pending = pending.filter(created_at__gte=moment).filter(Q(created_at__gt=moment) | Q(pk__gt=pk))
    waiting = list(pending.order_by("created_at", "pk")[: QUEUE_PAGE + 1])
    next_cursor = feed_cursor(waiting[QUEUE_PAGE - 1]) if len(waiting) > QUEUE_PAGE else None
    waiting = waiting[:QUEUE_PAGE]
    returned = list(submitted.filter(returned_at__isnull=False).order_by("-returned_at", "-pk"))
    for decision in waiting:
        decision.waited = now - decision.created_at
        decision.is_overdue = decision.waited > QUEUE_OVERDUE_AFTER
    to_celebrate = list(
        _with_total(base.filter(status=Decision.Status.APPROVED, approved_at__gte=now - CELEBRATE_WINDOW)).order_by(
            "-approved_at", "-pk"
        )[:CELEBRATE_SHOWN]
    )
    open_reviews = list(
        Review.objects.filter(decision__team_id__in=team_ids, status=Review.Status.OPEN)
        .exclude(decision__author=manager)
        .select_related("decision", "decision__author", "decision__team", "decision__category")
        .annotate(message_count=Count("messages"))
        .order_by("opened_at", "pk")
    )
    return Queue(
        waiting=waiting,
        to_celebrate=to_celebrate,
        open_reviews=open_reviews,
        returned=returned,
        waiting_total=waiting_total,
        to_celebrate_total=to_celebrate[0].total if to_celebrate else 0,
        next_cursor=next_cursor,
    )


class Escalated(list):
    """The stories shown (a list), with how many there are in all, counted up to ESCALATED_COUNTED."""

    def __init__(self, stories, *, total: int):
        super().__init__(stories)
        self.total = min(total, ESCALATED_COUNTED)
        self.more_than = total > ESCALATED_COUNTED  # there are more than `total`

    @property
    def more(self) -> int:
        return self.total - len(self)


def escalated_for(*, user: User) -> Escalated:
    """Stories that waited past the organisation's second limit, for those who oversee their teams: every team for
    admins, the teams of the departments they head for department heads. The ESCALATED_SHOWN oldest and how many
    there are in all (up to ESCALATED_COUNTED), two queries."""
    stories = waiting.escalated(organisation=Organisation.current())
    if not user.is_staff:
        stories = stories.filter(team__department__heads=user)
    shown = list(stories.select_related("author", "team", "category").order_by("created_at", "pk")[:ESCALATED_SHOWN])
    if len(shown) < ESCALATED_SHOWN:
        return Escalated(shown, total=len(shown))
    return Escalated(shown, total=stories.order_by().values("pk")[: ESCALATED_COUNTED + 1].count())


def endorsements_of(*, decision: Decision) -> list[Endorsement]:
    """Who endorsed a decision and what they said, oldest first (one query)."""
    return list(Endorsement.objects.filter(decision=decision).select_related("endorser").order_by("created_at", "pk"))


# --- the decision panel -------------------------------------------------------------------------------------------


@dataclass
class DecisionPanel:
    decision: Decision
    viewer: User
    endorsements: list[Endorsement]
    is_author: bool
    can_manage: bool
    can_endorse: bool
    review: Review | None
    can_see_review: bool
    can_approve: bool = False
    can_celebrate: bool = False
    can_open_review: bool = False
    can_request_review: bool = False
    forms: dict = field(default_factory=dict)

    @property
    def endorsement_count(self) -> int:
        return len(self.endorsements)

    @property
    def has_actions(self) -> bool:
        return self.can_approve or self.can_celebrate or self.can_open_review


def decision_panel_context(*, decision: Decision, viewer: User, forms: dict | None = None) -> dict:
    """What `recognition/includes/decision_panel.html` shows, in three queries at most (two for the author).

    Returns {"recognition_panel": DecisionPanel}; `decision` gains `endorsement_count` and `endorsed_by_me` for the
    endorse button. `forms` may carry bound forms (with errors) to show instead of empty ones.
    """
    endorsements = endorsements_of(decision=decision)
    decision.endorsement_count = len(endorsements)
    mine = next((e for e in endorsements if e.endorser_id == viewer.pk), None)
    decision.endorsed_by_me, decision.my_comment = mine is not None, mine.comment if mine else None
    is_author = decision.author_id == viewer.pk
    can_manage = not is_author and can_manage_decision(user=viewer, decision=decision)
    # One query for the review and the names of who approved and celebrated, whatever the host page fetched.
    fresh = Decision.objects.select_related("review", "approved_by", "celebrated_by", "returned_by").get(pk=decision.pk)
    decision.approved_by, decision.celebrated_by = fresh.approved_by, fresh.celebrated_by
    decision.returned_by = fresh.returned_by
    try:
        review = fresh.review
    except Review.DoesNotExist:
        review = None
    live = decision.status != Decision.Status.WITHDRAWN
    in_open_review = review is not None and review.status == Review.Status.OPEN
    panel = DecisionPanel(
        decision=decision,
        viewer=viewer,
        endorsements=endorsements,
        is_author=is_author,
        can_manage=can_manage,
        can_endorse=can_endorse(user=viewer, decision=decision),
        review=review,
        can_see_review=review is not None and (is_author or can_manage or viewer.is_staff),
        # A story in an open review waits for the conversation to end before anyone shares it.
        can_approve=can_manage and decision.status == Decision.Status.SUBMITTED and not in_open_review,
        can_celebrate=can_manage
        and (
            decision.status == Decision.Status.APPROVED
            or (decision.status == Decision.Status.SUBMITTED and not in_open_review)
        ),
        can_open_review=can_manage and live and review is None,
        can_request_review=is_author and live and review is None,
        forms=forms or {},
    )
    return {"recognition_panel": panel}


# --- reviews ------------------------------------------------------------------------------------------------------


def review_for_viewer(*, decision_id: int, viewer: User) -> Review | None:
    """The review of a decision if `viewer` may see it (its author, the managers of the author's team, admins)."""
    review = (
        Review.objects.select_related(
            "decision", "decision__author", "decision__team", "decision__category", "closed_by"
        )
        .filter(decision_id=decision_id)
        .first()
    )
    if review is None:
        return None
    decision = review.decision
    if viewer.is_staff or decision.author_id == viewer.pk or can_manage_decision(user=viewer, decision=decision):
        return review
    return None


def review_messages(*, review: Review) -> QuerySet:
    return review.messages.select_related("author").order_by("created_at", "pk")


@dataclass(frozen=True)
class SharedLesson:
    lesson: str
    category: Category
    closed_on: datetime.date
    language: str = ""  # the language of whoever wrote it down (for `lang`), not their name


def shared_lessons_by_category() -> dict[int, list[SharedLesson]]:
    """Every shared lesson, grouped by category id (one query): for a playbook that lists all categories."""
    grouped: dict[int, list[SharedLesson]] = {}
    for lesson in shared_lessons():
        grouped.setdefault(lesson.category.pk, []).append(lesson)
    return grouped


def shared_lessons(*, category: Category | int | None = None) -> list[SharedLesson]:
    """Lessons from closed reviews that their authors agreed to share, newest first, with no name attached:
    only the lesson, the decision's category and the month it was learned."""
    reviews = Review.objects.filter(status=Review.Status.CLOSED, lesson_shared=True)
    if category is not None:
        reviews = reviews.filter(decision__category=category)
    reviews = (
        reviews.select_related("decision__category", "closed_by")
        .only("lesson", "closed_at", "decision__category", "closed_by__language")
        .order_by("-closed_at", "-pk")
    )
    return [
        SharedLesson(
            lesson=r.lesson,
            category=r.decision.category,
            closed_on=timezone.localdate(r.closed_at),
            language=r.closed_by.language if r.closed_by else "",
        )
        for r in reviews
    ]


# --- notifications and audit --------------------------------------------------------------------------------------


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("actor", "decision")
        .order_by("-created_at", "-pk")[:limit]
    )


# What the audit trail shows unless asked for everything: the managers' decisions and the reviews.
KEY_AUDIT_VERBS = [
    AuditEvent.Verb.LIMIT_ADOPTED,
    AuditEvent.Verb.APPROVED,
    AuditEvent.Verb.CELEBRATED,
    AuditEvent.Verb.REVIEW_OPENED,
    AuditEvent.Verb.REVIEW_REQUESTED,
    AuditEvent.Verb.REVIEW_CLOSED,
    AuditEvent.Verb.LESSON_SHARED,
    AuditEvent.Verb.LESSON_UNSHARED,
    AuditEvent.Verb.PERSON_ERASED,
]


def audit_events(*, verb: str = "", limit: int = 200) -> list[AuditEvent]:
    """The latest events, newest first: one kind (`verb`), everything ("all"), or by default the key ones."""
    events = AuditEvent.objects.select_related("actor", "decision", "decision__author")
    if verb == "all":
        pass
    elif verb:
        events = events.filter(verb=verb)
    else:
        events = events.filter(verb__in=KEY_AUDIT_VERBS)
    return list(events.order_by("-created_at", "-pk")[:limit])


def decision_for_viewer(*, pk: int, viewer: User) -> Decision | None:
    return (
        visible_decisions(user=viewer)
        .select_related("author", "team", "category", "approved_by", "celebrated_by")
        .filter(pk=pk)
        .first()
    )
