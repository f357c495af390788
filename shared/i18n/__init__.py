"""One translation catalogue (catalogue.py) for the officials' pages, the documents and the operator console, and the
few rules for reading it: the languages, a reader's language, a text by key, and a table by language (the shape a
document's view-model carries as `labels`)."""

from __future__ import annotations

from shared.i18n.catalogue import (
    ACTIONS,
    DOCUMENTS,
    FINAL_DOCUMENTS,
    JENIS,
    OPERATOR,
    PAGES,
    PEMANFAATAN,
    PERIODE_NAMES,
    REASONS,
    STATES,
    VERIFIKASI,
    Table,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_LANG",
    "DOCUMENTS",
    "FINAL_DOCUMENTS",
    "JENIS",
    "LANGS",
    "OPERATOR",
    "PAGES",
    "PEMANFAATAN",
    "PERIODE_NAMES",
    "REASONS",
    "STATES",
    "VERIFIKASI",
    "Table",
    "by_locale",
    "lang_of",
    "operator_text",
    "pick",
]

LANGS = ("id", "en")
DEFAULT_LANG = "id"


def lang_of(value: str | None) -> str:
    """A supported language, or the default (Indonesian)."""
    return value if value in LANGS else DEFAULT_LANG


def pick(table: Table, key: str | None, lang: str) -> str:
    """`table[key]` in `lang`; the key itself when the table has no such entry, "–" for no key."""
    if key is None:
        return "–"
    entry = table.get(key)
    return entry[lang] if entry else key


def operator_text(key: str, lang: str) -> str:
    """A text of the operator console (the key itself when there is none)."""
    return OPERATOR.get(key, {}).get(lang, key)


def by_locale(table: Table) -> dict[str, dict[str, str]]:
    """{lang: {key: text}}: the table as one language's labels each, keys in the catalogue's order."""
    return {lang: {key: texts[lang] for key, texts in table.items()} for lang in LANGS}
