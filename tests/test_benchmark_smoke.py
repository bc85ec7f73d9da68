"""The benchmark (`make bench`) still runs from end to end: a tiny organisation, a few requests, no wrk. Not timed."""

import json

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.decisions.models import Decision
from apps.digests.models import Delivery
from apps.recognition.models import Endorsement

pytestmark = pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction


def test_seed_scale_makes_a_realistic_organisation_the_same_way_each_time(capsys):
    call_command("seed_scale", agents=30, weeks=2, seed=7)

    agents = User.objects.filter(email__startswith="agent-")
    assert agents.count() == 30
    assert User.objects.filter(email__startswith="manager-").count() == 3
    assert User.objects.filter(is_staff=True).count() == 1
    stories = Decision.objects.all()
    assert 30 <= stories.count() <= 30 * 2 * 4
    assert stories.filter(status=Decision.Status.CELEBRATED).exists()
    assert stories.filter(status=Decision.Status.APPROVED).exists()
    assert Endorsement.objects.exists()
    first = sorted(stories.values_list("author__email", "created_at", "status"))
    assert "VACUUM ANALYZE" in capsys.readouterr().out

    with pytest.raises(Exception, match="already has a scale organisation"):
        call_command("seed_scale", agents=30, weeks=2, seed=7)
    assert sorted(stories.values_list("author__email", "created_at", "status")) == first


def test_the_benchmark_measures_pages_jobs_and_prints_one_table(tmp_path, capsys):
    output = tmp_path / "bench.json"

    call_command("bench", sizes="20", weeks=2, requests=2, wrk_seconds=0, same_database=True, output=str(output))

    out = capsys.readouterr().out
    assert "VACUUM ANALYZE ran after seeding and before each measured job" in out
    assert "| feed (p50 / p95 ms, queries) |" in out
    result = json.loads(output.read_text())["sizes"]["20"]
    pages = result["pages"]
    measured = {"feed", "story detail", "queue (manager)", "leaderboard teams all-time", "digest page", "insights me"}
    assert measured <= set(pages)
    assert all(page["status"] == 200 for page in pages.values()), {n: p["status"] for n, p in pages.items()}
    assert all(page["queries"] > 0 for page in pages.values())
    assert result["leaderboard_refresh"]["refresh_queries"] > 0
    digests = result["digests"]
    assert digests["recipients"] > 20
    assert digests["received_by_sink"] == digests["sent"] == Delivery.objects.filter(status="sent").count()
    # Sent again by two real Celery workers sharing the week: every email once.
    assert digests["workers"]["count"] == 2
    assert digests["workers"]["received_by_sink"] == digests["workers"]["sent"] == digests["sent"]
