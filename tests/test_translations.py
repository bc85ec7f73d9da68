"""Every user-facing string ships in Spanish and Dutch: nothing untranslated, nothing fuzzy, .mo files up to date."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["es", "nl"]


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_untranslated_or_fuzzy(lang):
    po = _po(lang)

    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(lang):
    with open(ROOT / "locale" / lang / "LC_MESSAGES" / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)

    for entry in _po(lang).translated_entries():
        if entry.msgid_plural:
            continue
        lookup = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
        assert lookup == entry.msgstr, f"{entry.msgid!r}: run `make messages`"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed (CI installs it)")
def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """Run makemessages on a copy of the sources and compare: a new string without a translation fails here."""
    for part in ["apps", "config", "templates", "manage.py"]:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    for lang in LANGUAGES:
        (tmp_path / "locale" / lang / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--settings=config.settings.test"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    in_code = {(e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / "locale/es/LC_MESSAGES/django.po"))}

    for lang in LANGUAGES:
        in_catalogue = {(e.msgctxt, e.msgid) for e in _po(lang) if not e.obsolete}
        assert sorted(in_code - in_catalogue, key=str) == [], f"locale/{lang}: run `make messages` and translate"
