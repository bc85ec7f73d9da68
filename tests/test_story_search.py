"""Search over stories: stemmed in English, Spanish and Dutch on PostgreSQL, substring matching on SQLite; the
precedents shown while typing are shared stories the reader may read, in a constant number of queries."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from apps.decisions import search
from apps.decisions.models import Decision
from apps.decisions.selectors import precedents_for
from tests.factories import CategoryFactory, DecisionFactory, ReviewFactory, TeamFactory, agent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _story(language: str, situation: str, **fields) -> Decision:
    author = agent(TeamFactory(), language=language)
    fields.setdefault("justification", "It was the right thing to do for this customer.")
    return DecisionFactory(
        author=author, language=language, situation=situation, action=situation[:60], approved=True, **fields
    )


@pytest.mark.parametrize(
    ("language", "written", "searched"),
    [
        ("en", "The customer was charged twice, so I refunded the second charge.", "refunds"),
        ("es", "Le hice la devolución de los gastos de envío al cliente.", "devoluciones"),
        ("nl", "De klant kreeg de verzendkosten terug omdat het pakket te laat was.", "klanten"),
    ],
)
def test_it_finds_a_story_by_another_form_of_its_words_in_its_own_language(language, written, searched):
    story = _story(language, written)
    _story("en", "A completely unrelated upgrade of a hotel room.")

    assert list(search.matching(Decision.objects.all(), searched)) == [story]
    assert list(search.similar(Decision.objects.all(), f"something about {searched} today")) == [story]


def test_the_feed_search_box_finds_stories_and_keeps_the_other_filters(client, an_agent, team):
    _story("en", "I waived the late fee because our payment page was down.")
    _story("en", "I upgraded the customer to a faster plan for a month.")
    client.force_login(an_agent)

    page = client.get(reverse("home"), {"q": "fees"}).content.decode()

    assert "I waived the late fee" in page and "I upgraded the customer" not in page
    assert 'name="q" value="fees"' in page
    none = client.get(reverse("home"), {"q": "fees", "category": CategoryFactory().pk}).content.decode()
    assert "I waived the late fee" not in none


def test_precedents_are_shared_stories_the_reader_may_read(an_agent, team):
    shared = _story("en", "The parcel was lost twice, so I sent a replacement by express.")
    DecisionFactory(author=agent(TeamFactory()), situation="The parcel was lost twice, I sent a replacement.")
    DecisionFactory(author=agent(team), situation="The parcel was lost twice, I sent a replacement.")  # not shared
    reviewed = _story("en", "The parcel was lost twice, so I refunded it.")
    ReviewFactory(decision=reviewed)

    found = precedents_for(user=an_agent, text="Her parcel was lost again; replacement?", category=None)

    assert shared in found
    assert all(story.status in ("approved", "celebrated") for story in found)
    assert all(story.team != team or story.status != "submitted" for story in found)


def test_precedents_put_the_same_category_and_celebrated_stories_first(an_agent):
    goodwill, refund = CategoryFactory(), CategoryFactory()
    other_category = _story("en", "The parcel was lost, I sent a replacement.", category=refund)
    celebrated = _story("en", "The parcel was lost, I sent a replacement.", category=goodwill)
    Decision.objects.filter(pk=celebrated.pk).update(status="celebrated", celebrated_at=celebrated.approved_at)
    for n in range(4):
        _story("en", f"Unrelated story number {n} about hotel rooms.")

    found = precedents_for(user=an_agent, text="parcel lost replacement", category=goodwill)

    assert found[:2] == [celebrated, other_category] and len(found) <= 3


def test_without_words_the_category_shows_its_latest_shared_stories(an_agent):
    category = CategoryFactory()
    story = _story("en", "Anything at all.", category=category)

    assert precedents_for(user=an_agent, text="", category=category) == [story]
    assert precedents_for(user=an_agent, text="", category=None) == []


def test_the_form_asks_for_precedents_while_the_agent_types(client, an_agent):
    client.force_login(an_agent)

    page = client.get(reverse("decisions:create")).content.decode()

    assert reverse("decisions:precedents") in page and "input from:#id_situation" in page


@pytest.mark.parametrize("count", [5, 60])
def test_precedents_cost_a_constant_number_of_queries(client, an_agent, count, django_assert_max_num_queries):
    category = CategoryFactory()
    for n in range(count):
        _story("en", f"The parcel number {n} was lost, so I sent a replacement.", category=category)
    client.force_login(an_agent)

    # Three of them find the latest matches, among the stories logged last and (as here, too few) the older ones: a
    # statement that keeps PostgreSQL from starting parallel workers, the newest id, then the read itself; one more
    # reads the authors of the three shown.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("decisions:precedents"), {"situation": "lost parcel", "category": category.pk})

    assert response.content.decode().count("made this call") == 3


def test_a_word_stemmed_alike_in_every_language_is_asked_for_once_and_a_query_of_stop_words_finds_nothing(
    monkeypatch,
):
    # PostgreSQL reckons how many stories a query may match from its words: "zzyzx" three times over looked three
    # times as common, enough to make it read the recent history row by row instead of asking the index.
    _story("en", "A refund for a lost parcel.")

    _boundary, finding, ranking = search._boundary_and_queries("websearch_to_tsquery", "zzyzx")
    assert (finding, ranking) == ("( 'zzyzx' )", "( 'zzyzx' ) | ( 'zzyzx' ) | ( 'zzyzx' )")
    _boundary, finding, _ranking = search._boundary_and_queries("websearch_to_tsquery", "refunds")
    assert finding.count("'refund'") == 1  # English and Dutch stem it alike; Spanish keeps its own

    monkeypatch.setattr(search, "CONFIGS", {"en": "english"})  # stop words in every language: nothing to ask for
    assert not search.matching(Decision.objects.all(), "the and of").order_by("-search_rank").exists()
    assert search.matching(Decision.objects.all(), "refunds -hotel").exists()


@pytest.mark.parametrize("recent_ids", [2, 100])
def test_a_common_word_ranks_only_its_latest_matches_found_among_the_recent_stories_or_the_older(
    monkeypatch, recent_ids, django_assert_num_queries
):
    monkeypatch.setattr(search, "RANKED_AT_MOST", 3)
    monkeypatch.setattr(search, "RECENT_IDS", recent_ids)
    stories = [_story("en", f"Refund number {n}: the parcel was late.") for n in range(6)]
    _story("en", "A completely unrelated upgrade of a hotel room.")

    # The same queries whether the recent stories hold enough matches (100) or not (2): no parallel workers (in a
    # transaction, as in a request), the newest id, the matches' ids, the stories.
    with django_assert_num_queries(4):
        found = list(search.matching(Decision.objects.all(), "refund"))

    assert sorted(found, key=lambda story: story.pk) == stories[3:]
    assert set(search.similar(Decision.objects.all(), "refund please")) == set(found)


def test_precedents_with_no_words_yet_are_the_categorys_latest_celebrated_then_approved(an_agent):
    category = CategoryFactory()
    approved = [_story("en", f"Approved story {n}.", category=category) for n in range(3)]
    celebrated = _story("en", "Celebrated story.", category=category)
    Decision.objects.filter(pk=celebrated.pk).update(
        status=Decision.Status.CELEBRATED, celebrated_at=celebrated.created_at
    )

    assert precedents_for(user=an_agent, text="", category=category) == [celebrated, approved[2], approved[1]]


def test_precedents_need_a_signed_in_person(client):
    response = client.get(reverse("decisions:precedents"), {"situation": "lost parcel"})

    assert response.status_code == 302


@pytest.mark.real_clock
def test_on_sqlite_the_migrations_run_and_search_falls_back_to_substrings(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'leeway.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTEST_XDIST_WORKER": "",
    }
    script = """
from apps.decisions import search
from apps.decisions.models import Decision
from tests.factories import DecisionFactory, agent
why = "It was the right thing to do."
DecisionFactory(author=agent(), situation="I waived the late fee.", action="Fee waived", justification=why)
DecisionFactory(author=agent(), situation="I upgraded her room.", action="Upgrade", justification=why)
print(list(search.matching(Decision.objects.all(), "late FEE").values_list("action", flat=True)))
print(list(search.similar(Decision.objects.all(), "the fee was late").values_list("action", flat=True)))
"""
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 240}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    assert migrate.returncode == 0, migrate.stderr
    shell = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], **run)

    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-2:] == ["['Fee waived']", "['Fee waived']"]
