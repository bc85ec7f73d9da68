"""`make run` keeps its promise without a database server: on SQLite (the default), the demo organisation is built and
every page its people reach from their home page answers without a server error.

The rest of the suite runs on PostgreSQL, so SQL that only PostgreSQL speaks (GROUPING SETS, WITH TIES, LATERAL, a
LIMIT inside a UNION) would otherwise break the demo unseen. Subprocesses, like `make run`: the settings are
read from the environment once per process."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.real_clock

# Each person follows the links of the pages they reach, from their home page, up to this many pages.
PAGES_PER_PERSON = 60

CRAWL = """
import logging, re, sys
import django
django.setup()
logging.disable(logging.CRITICAL)
from django.test import Client
from apps.accounts.models import User

failures = []
for email in sys.argv[1:]:
    client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)
    client.force_login(User.objects.get(email=email))
    seen, waiting = set(), ["/"]
    while waiting and len(seen) < int({pages}):
        url = waiting.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{{email}} {{url}} {{response.status_code}}")
        elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                link = link.replace("&amp;", "&")
                if not any(part in link for part in ("logout", "/static/", "unsubscribe", "/admin/")):
                    waiting.append(link)
print("\\n".join(failures) or "no server error")
"""


def _run(arguments: list[str], env: dict) -> str:
    done = subprocess.run(
        [sys.executable, *arguments], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_demo_runs_on_sqlite_and_no_page_fails(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "LEEWAY_VAR_DIR": str(tmp_path)}

    _run(["manage.py", "migrate", "--noinput"], env)
    _run(["manage.py", "seed_demo"], env)
    people = ["ana@acme.example", "grace@acme.example", "helen@acme.example", "morgan@acme.example"]
    report = _run(["-c", CRAWL.format(pages=PAGES_PER_PERSON), *people], env)

    assert (tmp_path / "leeway.sqlite3").exists()
    assert report.strip() == "no server error"
