"""The officials' web app's pure parts: Indonesian/English dates and durations, recap figures, what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.approval.web.i18n import TEXT, fmt_datetime, fmt_duration, predikat
from services.approval.web.views import _changes, _num


def test_dates_are_indonesian_first_in_the_offices_time_zone():
    at = datetime(2024, 1, 8, 3, 5, tzinfo=UTC)
    assert fmt_datetime(at, "id") == "8 Januari 2024 10.05 WIB"
    assert fmt_datetime(at, "en") == "8 January 2024 10:05 WIB"


def test_durations():
    assert fmt_duration(timedelta(minutes=30), "id") == "30 menit"
    assert fmt_duration(timedelta(days=2, hours=3, minutes=4), "id") == "2 hari 3 jam"
    assert fmt_duration(timedelta(hours=1, minutes=5), "en") == "1 h 5 min"
    assert fmt_duration(timedelta(seconds=20), "id") == "< 1 menit"


def test_recap_figures_are_formatted():
    assert _num("1234.56", "id") == "1.234,56"
    assert _num("1234.56", "en") == "1,234.56"
    assert _num("15.00-25.00", "id") == "15,00 – 25,00"
    assert _num(None, "id") == "–"
    assert predikat("Sangat Baik", "en") == "Very Good" and predikat("Sangat Baik", "id") == "Sangat Baik"


def test_every_label_has_both_languages():
    assert all(set(v) == {"id", "en"} for v in TEXT.values())


def test_changes_between_versions():
    prev = {
        "rekap": {"indikator": [{"kode": "IK-1", "realisasi": "10.00", "capaian": "50.00"},
                                {"kode": "IK-2", "realisasi": "5.00", "capaian": "100.00"}]},
        "inputs": {"1:BID-A": 1, "1:BID-B": 1},
    }  # fmt: skip
    cur = {
        "rekap": {"indikator": [{"kode": "IK-1", "nama": "Satu", "realisasi": "12.00", "capaian": "60.00"},
                                {"kode": "IK-2", "realisasi": "5.00", "capaian": "100.00"}]},
        "inputs": {"1:BID-A": 2, "1:BID-B": 1, "1:BID-C": 1},
    }  # fmt: skip
    out = _changes(prev, cur, "id")
    assert [(c["kode"], [(f["label"], f["old"], f["new"]) for f in c["fields"]]) for c in out["indicators"]] == [
        ("IK-1", [("Realisasi", "10,00", "12,00"), ("Capaian (%)", "50,00", "60,00")])
    ]
    assert out["units"] == [
        {"unit": "BID-A", "triwulan": "1", "revision": 2},
        {"unit": "BID-C", "triwulan": "1", "revision": 1},
    ]
