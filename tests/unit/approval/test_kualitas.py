"""The quality check mapped to the evaluation worksheet (services/approval/kualitas.of_checks): each measured
criterion carries its check's coverage and the answer that coverage earns on the criterion's scale, and each
component the score its measured criteria predict (lke.skor with hanya_dijawab) — on the worked example."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel

from services.approval.kualitas import deadlines, of_checks, reports
from services.approval.lke import load_lke
from services.approval.models import TABLES, DraftHistory, DraftRow
from services.approval.web.presenters.kualitas import kualitas_view
from shared import clock
from shared.sakip import kualitas as k
from tests.unit.renderer.worked_example import load_pk, recaps

TENGGAT = {p: k.batas(2024, p) for p in ("TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN")}


def _quality(pk=None):  # type: ignore[no-untyped-def]
    found = k.semua(pk or load_pk(), recaps()["TAHUNAN"], tahun=2024, periode="TAHUNAN", laporan={}, tenggat=TENGGAT)
    return of_checks(load_lke(), found)


def test_each_measured_criterion_earns_the_answer_its_coverage_reaches() -> None:
    out = _quality()
    by_key = {c["kode"]: (c["kunci"], c["ada"], c["dari"], c["cakupan"], c["jawaban"]) for c in out["kriteria"]}
    assert by_key["3.b.6"] == ("benchmark", 4, 9, "44.44", "D")  # 44,44 % reaches D (25) but not C (50)
    assert by_key["3.b.8"] == ("efisiensi", 4, 5, "80.00", "B")
    assert by_key["3.b.3"][-1] == "A" and by_key["3.a.6"] == ("tepat_waktu", 0, 1, "0.00", "T")
    assert not any(c["kunci"].startswith("tindak_lanjut") for c in out["kriteria"])  # tindaklanjut.cakupan's, not here


def test_a_component_predicts_from_its_measured_criteria_only() -> None:
    komponen = {c["kode"]: c for c in _quality()["komponen"]}
    # 3.b (bobot 4,5): A A A D(0,25) A B(0,75) → 4,5 × 5/6 = 3,75; 3.a's E and T are 0; 3.c has no measured answer
    assert (komponen["3"]["prediksi"], komponen["3"]["terukur"]) == ("3.75", 8)
    assert komponen["4"]["prediksi"] is None and komponen["4"]["terukur"] == 0


def test_a_benchmark_for_ik21_raises_the_answer_and_the_prediction() -> None:
    pk = copy.deepcopy(load_pk())
    for s in pk["sasaran"]:
        for i in s["indikator"]:
            if i["kode"] in ("IK-2.1", "IK-2.3"):
                i["benchmark"] = {"nilai": "1", "sumber": "BPS", "tingkat": "nasional"}
    out = _quality(pk)
    bench = next(c for c in out["kriteria"] if c["kunci"] == "benchmark")
    assert (bench["ada"], bench["cakupan"], bench["jawaban"]) == (6, "66.67", "C")
    # 3.b: A A A C(0,5) A B(0,75) → 4,5 × 5,25/6 = 3,9375 → 3,94
    assert next(c for c in out["komponen"] if c["kode"] == "3")["prediksi"] == "3.94"


def test_the_page_says_it_in_words_and_in_both_languages() -> None:
    view = kualitas_view(_quality(), "id")
    assert view is not None
    bench = next(c for c in view["kriteria"] if c["kode"] == "3.b.6")
    assert bench["cakupan"] == "benchmark: 4 dari 9 indikator (44,44 %)"
    assert bench["kurang"][0]["alasan"] == "PK tanpa pembanding (benchmark)"
    three = next(c for c in view["komponen"] if c["kode"] == "3")
    assert three["prediksi"] == "3,75 dari bobot 15,00"
    assert three["terukur"] == "dari 8 kriteria terukur (komponen ini: 22 kriteria)"
    english = kualitas_view(_quality(), "en")
    assert english is not None
    assert next(c for c in english["kriteria"] if c["kode"] == "3.b.8")["cakupan"] == (
        "efisiensi: 4 of 5 objectives (80.00%)"
    )


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _report(db: Session, periode: str, state: str, decided: datetime | None) -> None:
    db.add(DraftRow(id=f"2024-{periode}", jenis="triwulan", tahun=2024, periode=periode, version=2, document_id="d",
                    recap_revision=1, state=state, data="{}"))  # fmt: skip
    db.add(DraftHistory(draft_id=f"2024-{periode}", version=1, action="approve", at=datetime(2024, 4, 1, tzinfo=UTC)))
    if decided is not None:  # the current version's last decision made it final
        db.add(DraftHistory(draft_id=f"2024-{periode}", version=2, action="approve", at=decided))


def test_a_report_is_final_on_the_office_day_of_its_last_decision(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """TW I is due 30 April 2024; approved 30 April 18:00 UTC is 1 May 01:00 WIB: one day late. TW II approved on
    its due day (30 July, 09:00 WIB) is on time; TW III is still under review."""
    monkeypatch.setattr(clock, "_zone", ZoneInfo("Asia/Jakarta"))  # the office's zone (shared/clock.py)
    _report(db, "TW1", "final", datetime(2024, 4, 30, 18, 0, tzinfo=UTC))
    _report(db, "TW2", "final", datetime(2024, 7, 30, 2, 0, tzinfo=UTC))
    _report(db, "TW3", "menunggu", None)
    db.commit()
    found = reports(db, 2024)
    assert {p: r["final_on"] for p, r in found.items()} == {
        "TW1": date(2024, 5, 1), "TW2": date(2024, 7, 30), "TW3": None,
    }  # fmt: skip
    check = k.berkala(2024, "S1", found, deadlines(load_lke(), 2024))
    assert (check["ada"], check["dari"]) == (1, 2)
    assert check["kurang"][0]["kode"] == "TW1" and "lewat batas 30 April 2024" in check["kurang"][0]["alasan_id"]
    assert check["kurang"][0]["tautan"] == "/draf/2024-TW1"
