"""A period's name is the SAKIP vocabulary's (shared.sakip.periode), not the number formatting's; and the words a
document shows for a missing capaian are the translation catalogue's."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from services.renderer.viewmodel import build_view_model
from shared import formatting
from shared.i18n import REASONS
from shared.sakip import Periode, periode_label, roman
from shared.sakip.rekap import Reason

NAMES = {
    "TW1": ("Triwulan I 2024", "Quarter I 2024"),
    "TW4": ("Triwulan IV 2024", "Quarter IV 2024"),
    "S1": ("Semester I 2024", "Semester I 2024"),
    "S2": ("Semester II 2024", "Semester II 2024"),
    "TAHUNAN": ("Tahun 2024", "Year 2024"),
}


@pytest.mark.parametrize("periode", list(NAMES))
def test_every_period_has_its_name_in_both_languages(periode: str) -> None:
    name_id, name_en = NAMES[periode]
    assert Periode(periode).label(2024) == periode_label(periode, 2024) == name_id
    assert Periode(periode).label(2024, "en") == name_en
    assert periode_label(periode, 2024, "fr") == name_id  # a locale without its words reads Indonesian


def test_an_unknown_period_or_quarter_number_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown periode"):
        periode_label("TW9X", 2024)
    with pytest.raises(ValueError, match="no roman numeral"):
        roman(5)


def test_formatting_no_longer_names_the_periods() -> None:
    assert not hasattr(formatting, "periode_label") and not hasattr(formatting, "roman")
    assert "_PERIODE_WORDS" not in vars(formatting)


def _row(reason: str) -> dict[str, object]:
    return {"kode": "IK-1", "nama": "Indikator", "satuan": "%", "sasaran": "SS-1", "target": "0.00",
            "realisasi": None, "capaian": None, "predikat": None, "reason": reason}  # fmt: skip


@pytest.mark.parametrize("locale", ["id", "en"])
def test_a_missing_capaian_is_explained_in_the_catalogues_words(locale: str) -> None:
    rekap = {"tahun": 2024, "periode": "TW1", "indikator": [_row("target_nol"), _row("belum_ada_data")],
             "sasaran": [], "capaian_instansi": None, "predikat_instansi": None}  # fmt: skip
    vm = build_view_model(rekap, pk=None, final=False, generated_on=date(2024, 4, 20), locale=locale)
    assert [r["keterangan"] for r in vm["rows"]] == [REASONS["target_nol"][locale], REASONS["belum_ada_data"][locale]]
    assert set(REASONS) == set(get_args(Reason))  # every reason a recap gives
