"""Story cards, written once and shared by every reader who sees them the same way.

At 10,000 agents every reader of the feed sees the same newest stories, and writing twenty cards cost more than the
rest of the page. So each card's HTML is kept in the cache under a key that names everything the card shows:

- the story as last saved (`updated_at`: its text, status, celebration, outcome…);
- its endorsements and their comments (see StoryFacts);
- the language, and how long ago it was logged ("3 hours ago");
- what this reader may see and do with it (the variant): endorse it or not, endorsed it already (and their comment),
  see where it stands against the guardrails or only "Covered";
- the names of people, teams, categories and values, as a generation moved on when one of them is saved
  (`names_changed`).

A change to any of these makes a new key, so a card is never shown out of date: it is written again, once, for the
next readers. So does a new release of Leeway (`release()`: its templates and translations). Every card also expires
after CARD_TTL, for names changed by bulk updates that send no signal.

The reader's CSRF token and the page's address are never in the cache: a card is written with marks in their place,
and each reader's own are put in as the page is served.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import prefetch_related_objects
from django.middleware.csrf import get_token
from django.template import Context
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from apps.core.cache import names_generation, release
from apps.core.templatetags.leeway import since
from apps.recognition.models import Endorsement
from apps.recognition.selectors import can_endorse, latest_comments_prefetch

from .models import Decision
from .selectors import guardrail_detail_team_ids_for, sees_guardrail_detail, with_card_data

CARD_TEMPLATE = "decisions/_card.html"
# Long enough to serve thousands of readers, short enough that a name changed without a signal shows up soon.
CARD_TTL = 10 * 60
# Letters and digits, so that HTML escaping leaves them as they are; derived from the secret key, so that nobody can
# type them into a story and see them replaced.
CSRF_MARK = "leewaycsrf" + salted_hmac("decisions.cards.mark", "csrf").hexdigest()[:20]
NEXT_MARK = "leewaynext" + salted_hmac("decisions.cards.mark", "next").hexdigest()[:20]


@dataclass(frozen=True)
class StoryFacts:
    """What a card's key needs of a story. It has a Decision's names for what `sees_guardrail_detail` and
    `can_endorse` read (author_id, team_id, status)."""

    pk: int
    created_at: datetime.datetime
    updated_at: object  # as the database gives it: only compared
    author_id: int
    team_id: int
    status: str
    covered: bool
    endorsement_count: int
    endorsed_by_me: bool
    my_comment: str | None
    # The newest endorsement's id and how many times comments were changed: with the count, they change when an
    # endorsement is given (a new id), taken back (a smaller count), both at once, or a comment changes.
    newest_endorsement: int | None
    comment_edits: int | None


def story_cards(context: Context, stories: list[tuple[int, datetime.datetime]]) -> list[SafeString]:
    """The card of each story ((id, created_at), in order) for the reader of `context` (a template's, with its
    request). Two round trips whatever the page: one query for what the keys need, one read of the cache; then, only
    for the cards missing there, their stories in full and their HTML."""
    request = context["request"]
    facts = story_facts(stories, viewer=request.user)
    written_with = (release(), names_generation(), get_language())
    keys = [_key(f, request=request, written_with=written_with) for f in facts]
    found = cache.get_many(keys)
    missing = [(key, f) for key, f in zip(keys, facts, strict=True) if key not in found]
    if missing:
        written = _write([f for _key, f in missing], request=request, engine=context.template.engine)
        fresh = {key: card for (key, _f), card in zip(missing, written, strict=True)}
        cache.set_many({key: card.html for key, card in fresh.items() if card.keep}, CARD_TTL)
        found.update({key: card.html for key, card in fresh.items()})
    token, here = escape(get_token(request)), escape(request.get_full_path())
    return [mark_safe(found[key].replace(CSRF_MARK, token).replace(NEXT_MARK, here)) for key in keys]


def story_facts(stories: list[tuple[int, datetime.datetime]], *, viewer) -> list[StoryFacts]:
    """StoryFacts of each story still there, in order, in one query. Written in SQL: the ORM took 4 to 5 ms to
    build this query, which PostgreSQL runs in a quarter of a millisecond, and it runs on every page of the feed."""
    if not stories:
        return []
    marks = ", ".join(["%s"] * len(stories))
    sql = f"""
        SELECT d.id, d.updated_at, d.author_id, d.team_id, d.status, d.covered,
               COUNT(e.id), COUNT(e.id) FILTER (WHERE e.endorser_id = %s),
               MAX(e.comment) FILTER (WHERE e.endorser_id = %s), MAX(e.id), SUM(e.comment_edits)
        FROM {Decision._meta.db_table} d
        LEFT JOIN {Endorsement._meta.db_table} e ON e.decision_id = d.id
        WHERE d.id IN ({marks})
        GROUP BY d.id, d.updated_at, d.author_id, d.team_id, d.status, d.covered
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, viewer.pk, *[pk for pk, _created_at in stories]])
        rows = {row[0]: row for row in cursor.fetchall()}
    return [
        StoryFacts(pk, created_at, *rows[pk][1:7], rows[pk][7] > 0, *rows[pk][8:])
        for pk, created_at in stories
        if pk in rows
    ]


def _variant(request, facts: StoryFacts) -> tuple:
    """What differs between two readers of the same card."""
    user = request.user
    sees_detail = not facts.covered and sees_guardrail_detail(
        user=user, decision=facts, team_ids=guardrail_detail_team_ids_for(request)
    )
    endorsed = facts.endorsed_by_me
    my_comment = hashlib.sha256(facts.my_comment.encode()).hexdigest() if endorsed and facts.my_comment else ""
    return (sees_detail, can_endorse(user=user, decision=facts), endorsed, my_comment)


def _key(facts: StoryFacts, *, request, written_with: tuple) -> str:
    parts = (
        written_with,  # Leeway's release, the names' generation, the language
        facts.pk,
        str(facts.updated_at),
        (facts.endorsement_count, facts.newest_endorsement, facts.comment_edits),
        since(facts.created_at),
        _variant(request, facts),
    )
    return "card:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class WrittenCard:
    html: str
    # Not if the story changed, between its facts and the read that wrote it, in a way that decides who sees what: the
    # card was keyed by the facts, and would be served to readers it was not written for.
    keep: bool


def _write(facts: list[StoryFacts], *, request, engine) -> list[WrittenCard]:
    """The cards of these stories, in full, with marks for the reader's own."""
    full = with_card_data(Decision.objects.filter(pk__in=[f.pk for f in facts])).in_bulk()
    prefetch_related_objects(list(full.values()), latest_comments_prefetch())
    template = engine.get_template(CARD_TEMPLATE)
    written = []
    for known in facts:
        story = full.get(known.pk)
        if story is None:  # deleted since its facts were read: nothing to show
            written.append(WrittenCard("", keep=False))
            continue
        story.endorsement_count = known.endorsement_count
        story.endorsed_by_me, story.my_comment = known.endorsed_by_me, known.my_comment
        # Only what a card may use, so that nothing else about this page or reader is ever kept in it.
        context = {"request": request, "user": request.user, "decision": story}
        html = template.render(Context({**context, "csrf_token": CSRF_MARK, "next_url": NEXT_MARK}))
        decides = (story.author_id, story.team_id, story.status, bool(story.covered))
        keep = decides == (known.author_id, known.team_id, known.status, bool(known.covered))
        written.append(WrittenCard(str(html), keep=keep))
    return written
