"""One translation catalogue (shared/i18n) for the officials' pages, the documents and the operator console
(issue 14, item 5): each surface reads its texts from it, in both languages, and the catalogue knows no service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.approval.web import i18n
from services.renderer import viewmodel
from shared import i18n as catalogue
from shared.i18n import DOCUMENTS, LANGS, OPERATOR, by_locale, lang_of, operator_text, pick


def test_the_documents_labels_are_the_catalogues():
    assert viewmodel.LABELS == by_locale(DOCUMENTS)
    assert list(viewmodel.LABELS["en"]) == list(DOCUMENTS)  # the catalogue's order
    assert viewmodel.LABELS["id"]["capaian"] == "Capaian (%)" and viewmodel.LABELS["en"]["tw"] == "Q"


def test_the_pages_and_the_console_read_the_catalogue():
    assert i18n.t("logout", "en") == catalogue.PAGES["logout"]["en"] == "Log out"
    assert i18n.t("final_pending", "id") == catalogue.FINAL_DOCUMENTS["final_pending"]["id"]
    assert operator_text("forbidden", "id") == OPERATOR["forbidden"]["id"] == "Halaman ini hanya untuk operator."
    assert operator_text("no-such-key", "en") == "no-such-key"
    assert pick(catalogue.JENIS, "tahunan", "en") == "Annual performance report (LKIP)" and pick({}, None, "id") == "–"
    assert lang_of("en") == "en" and lang_of("fr") == lang_of(None) == "id"


@pytest.mark.parametrize("table", ["PAGES", "FINAL_DOCUMENTS", "STATES", "JENIS", "ACTIONS", "OPERATOR", "DOCUMENTS"])
def test_every_text_is_in_both_languages(table):
    for key, texts in getattr(catalogue, table).items():
        assert set(texts) == set(LANGS) and all(texts.values()), (table, key)


def test_the_catalogue_imports_no_service():
    root = Path(catalogue.__file__).resolve().parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith(("services", "lapkin")) for m in modules), path
