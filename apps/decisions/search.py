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
from django.db.models import (
    BooleanField,
    Expression,
    FloatField,
    Q,
    QuerySet,
    Value,
)

from .models import Decision

# The text-search configuration for each language a story may be written in; anything else is read as English.
CONFIGS = {"en": "english", "es": "spanish", "nl": "dutch"}
# Words shorter than this carry no meaning for "similar" (de, la, of …) and are left out of similarity queries.
MIN_WORD = 3
MAX_WORDS = 30
# Ranking reads every match's document: a common word matches a large share of the history (half a million stories
# at 10,000 agents), and ranking them all took half a second. The latest matches this many are ranked, the rest left
# out; a more precise query finds older stories.
RANKED_AT_MOST = 1000
# The latest matches are looked for first among the stories logged last (this many ids back), newest first, where a
# common word fills RANKED_AT_MOST at once; only if they do not are the older ones read, through the GIN index. (Read
# newest first over the whole history, a word that matches nothing made PostgreSQL walk all of it.)
RECENT_IDS = 50_000

_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The distinct words of `text`, in order, lower-cased: letters and digits only (safe inside a tsquery)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= MIN_WORD and not word.isdigit() and "_" not in word:
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


class _OnDocument(Expression):
    """SQL on the stories' search_document column (which the model does not declare: see above), written with the
    alias the query gives the stories' table, so that it can run inside a subquery, where that alias is not the
    table's name."""

    def __init__(self, template: str, params: list, output_field):
        super().__init__(output_field=output_field)
        self.template, self.params = template, params

    def as_sql(self, compiler, connection):
        table = Decision._meta.db_table
        alias = next(
            a for a, join in compiler.query.alias_map.items() if join.table_name == table and not join.join_type
        )
        document = f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('search_document')}"
        return self.template.format(document=document), self.params


def _boundary_and_queries(function: str, argument: str) -> tuple[int, str, str]:
    """In one statement: the last id before the recent window, and the query stemmed in every language as the text of
    two tsqueries: one to find stories with, without repeats ("zzyzx" stems alike in all three), and one to rank them
    with, each language's query ORed as before (a lone query of several words would be ranked as an AND, which
    orders its matches differently)."""
    stemmed = ", ".join(f"{function}('{name}'::regconfig, %s)::text" for name in CONFIGS.values())
    newest = f"SELECT {connection.ops.quote_name('id')} FROM {connection.ops.quote_name(Decision._meta.db_table)}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({newest} ORDER BY 1 DESC LIMIT 1), {stemmed}", [argument] * len(CONFIGS))
        newest_id, *queries = cursor.fetchone()
    stemmed = [query for query in queries if query]
    finding, ranking = (" | ".join(f"( {query} )" for query in found) for found in (dict.fromkeys(stemmed), stemmed))
    return (newest_id or 0) - RECENT_IDS, finding, ranking


def _latest_matches(matches: QuerySet[Decision], boundary: int) -> list[int]:
    """The ids of the RANKED_AT_MOST stories logged last among `matches` (ids grow with time), in one statement,
    whether or not the older stories are read (so a page makes the same queries whatever the history holds)."""
    recent = matches.filter(pk__gt=boundary).order_by("-pk").values("pk")[:RANKED_AT_MOST]
    older = matches.filter(pk__lte=boundary).order_by().values("pk")
    recent_sql, recent_params = recent.query.sql_with_params()
    older_sql, older_params = older.query.sql_with_params()
    # The older matches are read only when the recent ones are too few: the condition on `recent` is a one-time
    # filter, so PostgreSQL does not even start that scan otherwise. MATERIALIZED keeps it on the GIN index.
    sql = f"""
        WITH recent AS MATERIALIZED ({recent_sql}),
        older AS MATERIALIZED (
            SELECT * FROM ({older_sql}) AS older_matches WHERE (SELECT COUNT(*) FROM recent) < %s
        )
        SELECT * FROM recent
        UNION ALL
        (SELECT * FROM older ORDER BY 1 DESC LIMIT %s)
        ORDER BY 1 DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*recent_params, *older_params, RANKED_AT_MOST, RANKED_AT_MOST, RANKED_AT_MOST])
        return [row[0] for row in cursor.fetchall()]


def _postgres(queryset: QuerySet[Decision], function: str, argument: str) -> QuerySet[Decision]:
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            # Parallel workers would take longer to start (8 ms at 10,000 agents, for the precedents' words) than
            # these bounded reads take alone. LOCAL: for the rest of this transaction, the request's (its other reads
            # are bounded too; measured over every page, parallel workers helped none).
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    # The window's boundary and the stemmed query go in as values, not as subqueries: PostgreSQL cannot see into a
    # subquery when it plans. It guessed that a third of the history lay past the boundary, expected a word found
    # nowhere to turn up among thousands of recent stories, and read them all, newest first, to find none (22 ms at
    # 10,000 agents); told the window's real size and the query's words, it asks the GIN index (0.02 ms).
    boundary, finding, ranking = _boundary_and_queries(function, argument)
    if not finding:  # only stop words, in every language
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    matches = queryset.filter(_OnDocument("{document} @@ %s::tsquery", [finding], BooleanField()))
    return queryset.filter(pk__in=_latest_matches(matches, boundary)).annotate(
        search_rank=_OnDocument("ts_rank({document}, %s::tsquery)", [ranking], FloatField())
    )


def _contains(word: str) -> Q:
    return Q(action__icontains=word) | Q(situation__icontains=word) | Q(justification__icontains=word)


def matching(queryset: QuerySet[Decision], query: str) -> QuerySet[Decision]:
    """Stories matching a search box's query (every word, in any of the languages), annotated with `search_rank`."""
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres(queryset, "websearch_to_tsquery", query)
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
        return _postgres(queryset, "to_tsquery", " | ".join(words))
    # Without stemming or stop words, short words ("the", "los", "het") would match everything.
    condition = Q(pk__in=[])
    for word in words:
        if len(word) > MIN_WORD:
            condition |= _contains(word)
    return queryset.filter(condition).annotate(search_rank=Value(0.0, output_field=FloatField()))
