"""The officials' web app's pure parts: Indonesian/English dates and durations, recap figures, what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.approval.limits import MAX_TEXT, too_long
from services.approval.login import wait_words
from services.approval.web.i18n import TEXT, fmt_datetime, fmt_duration, predikat
from services.approval.web.paths import safe_local
from services.approval.web.present import figure, indicator_figure, places_of
from services.approval.web.presenters.cards import pengingat_view
from services.approval.web.presenters.changes import changes as _changes


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
    assert figure("1234.56", "id") == "1.234,56"
    assert figure("1234.56", "en") == "1,234.56"
    assert figure("15.00-25.00", "id") == "15,00 – 25,00"
    assert figure(None, "id") == "–"
    assert predikat("Sangat Baik", "en") == "Very Good" and predikat("Sangat Baik", "id") == "Sangat Baik"


def test_decimals_per_indicator_counts_whole_percentages_two_places_or_the_indicators_own():
    count = {"satuan": "orang", "target": "1200.00", "realisasi": "1187.00", "capaian": "98.92"}
    assert places_of(count) == 0
    assert indicator_figure(count, "target", "id") == "1.200"
    assert indicator_figure(count, "realisasi", "en") == "1,187"
    assert indicator_figure(count, "capaian", "id") == "98,92"  # an achievement is a percentage
    percent = {"satuan": " % ", "target": "15.00-25.00"}
    assert places_of(percent) == 2 and indicator_figure(percent, "target", "id") == "15,00 – 25,00"
    assert places_of({"satuan": "indeks", "desimal": 1}) == 1
    assert indicator_figure({"satuan": "%", "desimal": "0", "realisasi": "78.50"}, "realisasi", "id") == "79"
    assert places_of({"satuan": "orang", "desimal": 99}) == 0  # nonsense: the rule, not the value


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        ("/draf/2024-TW1", True),
        ("/draf/2024-TW1?semua=1", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/draf/\r\nSet-Cookie:x", False),
        ("", False),
        ("draf/2024-TW1", False),
    ],
)
def test_a_login_returns_only_to_a_path_on_this_site(target: str, ok: bool):
    assert (safe_local(target) == target) is ok


def test_the_lock_out_says_how_long_as_a_person_reads_it():
    assert wait_words(1) == ("1 detik", "1 second")
    assert wait_words(45) == ("45 detik", "45 seconds")
    assert wait_words(290) == ("5 menit", "5 minutes")
    assert wait_words(900) == ("15 menit", "15 minutes")
    assert wait_words(3900) == ("1 jam 5 menit", "1 hour 5 minutes")


def test_text_limits_name_the_field_and_the_limit():
    assert too_long("note", "x" * MAX_TEXT["note"]) is None
    err = too_long("note", "x" * 4012, ("Alasan pengembalian", "Reason for the return"))
    assert err is not None and (err.field, err.rule) == ("note", "too_long")
    assert err.message_id == "Alasan pengembalian: paling banyak 4.000 karakter (terisi 4.012)."
    assert err.message_en == "Reason for the return: at most 4,000 characters (4,012 entered)."


def test_a_line_break_counts_once_as_the_browser_counts_it():
    """Outsider check: a reason the browser's maxlength allowed (4,000 with its line breaks) was refused as 4,160,
    because a form sends each line break as CR LF."""
    text = ("a" * 9 + "\r\n") * 400  # 400 lines: 4,000 characters as the textarea counts them
    assert len(text.replace("\r\n", "\n")) == MAX_TEXT["note"] and len(text) > MAX_TEXT["note"]
    assert too_long("note", text) is None
    err = too_long("note", text + "x\r\n")
    assert err is not None and "terisi 4.002" in err.message_id


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
    out = _changes(prev, cur, "id", names={"BID-A": "Bidang A"})
    assert [(c["kode"], [(f["label"], f["old"], f["new"]) for f in c["fields"]]) for c in out["indicators"]] == [
        ("IK-1", [("Realisasi", "10", "12"), ("Capaian (%)", "50,00", "60,00")])  # no satuan given: a count
    ]
    assert out["units"] == [
        {"unit": "Bidang A", "triwulan": "1", "revision": 2},
        {"unit": "BID-C", "triwulan": "1", "revision": 1},
    ]


def test_a_reminder_names_its_unit_not_its_code():
    p = {"nama_unit": None, "unit": "UPT-BLK", "periode": "TW1", "tahun": 2024, "jenis": "terlambat",
         "deadline": "2024-04-10T10:00:00+00:00", "missing_indikator": ["IK-2.1"]}  # fmt: skip
    assert pengingat_view(p, "id", {"UPT-BLK": "UPT Balai Latihan Kerja"})["label"] == (
        "UPT Balai Latihan Kerja · Triwulan I 2024"
    )
    assert pengingat_view({**p, "nama_unit": "UPT BLK Kota"}, "id")["label"] == "UPT BLK Kota · Triwulan I 2024"


def test_a_measured_time_under_an_hour_keeps_its_seconds_on_the_compliance_page():
    """Outsider re-check: a worst time of 2,55 minutes read "2 menit" beside a 2-minute standard marked 67 % met."""
    from datetime import timedelta

    from services.approval.web.i18n import fmt_duration

    assert fmt_duration(timedelta(seconds=153), "id", seconds=True) == "2 menit 33 detik"
    assert fmt_duration(timedelta(seconds=153), "en", seconds=True) == "2 min 33 s"
    assert fmt_duration(timedelta(minutes=2), "id", seconds=True) == "2 menit"
    assert fmt_duration(timedelta(seconds=153), "id") == "2 menit"  # waiting times elsewhere stay in minutes
