"""Search over stories, with stemming in each of Leeway's languages.

On PostgreSQL each story has a stored, generated `search_document` (tsvector) column, built with the text-search
configuration of the language it was written in (english, spanish or dutch) and indexed with GIN (migration 0005,
which copies CONFIGS). A query is stemmed in all three languages and the results are ORed, so "refunds",
"reembolsos" and "terugbetalingen" find the stories written in each. The model does not declare the column: it
exists only on PostgreSQL. On the embedded SQLite default the same functions fall back to case-insensitive
substring matching.
"""

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from .models import Decision

# The text-search configuration for each language a story may be written in; anything else is read as English.
CONFIGS = {"en": "english", "es": "spanish", "nl": "dutch"}
# Words shorter than this carry no meaning for "similar" (de, la, of …) and are left out of similarity queries.
MIN_WORD = 3
MAX_WORDS = 30

_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The distinct words of `text`, in order, lower-cased: letters and digits only (safe inside a tsquery)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= MIN_WORD and not word.isdigit() and "_" not in word:
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def _tsquery(function: str, *, joiner: str = " || ") -> str:
    return "(" + joiner.join(f"{function}('{name}'::regconfig, %s)" for name in CONFIGS.values()) + ")"


def _postgres(queryset: QuerySet[Decision], tsquery_sql: str, argument: str) -> QuerySet[Decision]:
    params = [argument] * len(CONFIGS)
    table = Decision._meta.db_table
    return queryset.filter(
        RawSQL(f'"{table}"."search_document" @@ {tsquery_sql}', params, output_field=BooleanField())
    ).annotate(search_rank=RawSQL(f'ts_rank("{table}"."search_document", {tsquery_sql})', params, FloatField()))


def _contains(word: str) -> Q:
    return Q(action__icontains=word) | Q(situation__icontains=word) | Q(justification__icontains=word)


def matching(queryset: QuerySet[Decision], query: str) -> QuerySet[Decision]:
    """Stories matching a search box's query (every word, in any of the languages), annotated with `search_rank`."""
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres(queryset, _tsquery("websearch_to_tsquery"), query)
    condition = Q()
    for word in _WORD.findall(query.lower()):
        condition &= _contains(word)
    return queryset.filter(condition).annotate(search_rank=Value(0.0, output_field=FloatField()))


def similar(queryset: QuerySet[Decision], text: str) -> QuerySet[Decision]:
    """Stories sharing words with `text` (a situation being typed), the most similar first by `search_rank`."""
    words = words_of(text)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        # to_tsquery stems each word and drops the language's stop words; "|" asks for any of them.
        return _postgres(queryset, _tsquery("to_tsquery"), " | ".join(words))
    # Without stemming or stop words, short words ("the", "los", "het") would match everything.
    condition = Q(pk__in=[])
    for word in words:
        if len(word) > MIN_WORD:
            condition |= _contains(word)
    return queryset.filter(condition).annotate(search_rank=Value(0.0, output_field=FloatField()))
