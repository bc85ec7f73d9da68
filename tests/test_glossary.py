"""One vocabulary and one informal register: the catalogues follow docs/glossary.md, Spanish says tú, Dutch says je."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


def _texts(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]


def _forbidden() -> dict[str, list[str]]:
    """The glossary's *Never* column: `en: feed; es: relato, muro; nl: tijdlijn` per row."""
    never: dict[str, list[str]] = {"en": [], "es": [], "nl": []}
    terms = GLOSSARY.read_text().split("## Terms", 1)[1].split("\n## ", 1)[0]
    for line in terms.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[3] or cells[3] == "Never" or set(cells[3]) <= {"-", " "}:
            continue
        for part in cells[3].split(";"):
            lang, _, words = part.partition(":")
            never[lang.strip()].extend(word.strip() for word in words.split(",") if word.strip())
    return never


def _hits(words: list[str], texts: list[str]) -> list[tuple[str, str]]:
    return [
        (word, text)
        for text in texts
        for word in words
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
    ]


def test_the_glossary_names_forbidden_variants_in_every_language():
    never = _forbidden()

    assert {"feed", "skill"} <= set(never["en"])
    assert {"habilidad", "manual"} <= set(never["es"])
    assert {"vaardigheid", "draaiboek"} <= set(never["nl"])


def test_english_strings_use_one_word_per_thing():
    msgids = [entry.msgid for entry in _po("es")] + [entry.msgid_plural for entry in _po("es") if entry.msgid_plural]

    assert _hits(_forbidden()["en"], msgids) == []


@pytest.mark.parametrize("lang", ["es", "nl"])
def test_translations_use_the_glossary_terms(lang):
    texts = [text for entry in _po(lang) for text in _texts(entry)]

    assert _hits(_forbidden()[lang], texts) == []


USTED = [
    r"\busted(es)?\b",
    r"(?<!por )\bsu cuenta\b",  # "por su cuenta" (on their own) is fine
    r"\bsu contraseña\b",
    r"\bsu correo\b",
    r"\bingrese\b",
    r"\bintroduzca\b",
    r"\bhaga clic\b",
    r"\binicie sesión\b",
    r"\bpor favor, inicie\b",
    r"\bverifique\b",
    r"\bconfirme\b",
    r"\bescriba\b",
    r"\belija\b",
    r"\bpuede usted\b",
    r"\bdesea\b",
]


def test_spanish_says_tu_never_usted():
    texts = [text for entry in _po("es") for text in _texts(entry)]

    assert [(pattern, text) for text in texts for pattern in USTED if re.search(pattern, text, re.IGNORECASE)] == []


def test_dutch_says_je_never_u():
    texts = [text for entry in _po("nl") for text in _texts(entry)]
    formal = r"(?<![\w-])(u|uw|U|Uw|gelieve|Gelieve)(?![\w-])"

    assert [text for text in texts if re.search(formal, text)] == []


def test_spanish_and_dutch_address_the_reader_informally_somewhere():
    es = " ".join(text for entry in _po("es") for text in _texts(entry))
    nl = " ".join(text for entry in _po("nl") for text in _texts(entry))

    assert len(re.findall(r"\btus?\b", es)) > 100
    assert len(re.findall(r"\b(je|jouw)\b", nl)) > 100
