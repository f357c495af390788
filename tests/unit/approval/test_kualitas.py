"""The quality check mapped to the evaluation worksheet (services/approval/kualitas.of_checks): each measured
criterion carries its check's coverage and the answer that coverage earns on the criterion's scale, and each
component the range its score may still take (lke.rentang: the unmeasured at 0, at their best) — on the worked
example."""

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
    # 3.b (bobot 4,5; 9 criteria): A A A D(0,25) A B(0,75) = 5 → floor 4,5 × 5/9 = 2,50, ceiling 4,5 × 8/9 = 4,00;
    # 3.a (3; 6): E and T measured → floor 0, ceiling 3 × 4/6 = 2,00; 3.c (7,5) unmeasured → 0 … 7,50
    three = komponen["3"]
    assert (three["prediksi_min"], three["prediksi_maks"], three["terukur"]) == ("2.50", "13.50", 8)
    assert komponen["4"]["prediksi_min"] is None and komponen["4"]["prediksi_maks"] is None
    assert komponen["4"]["terukur"] == 0


def test_a_benchmark_for_ik21_raises_the_answer_and_the_prediction() -> None:
    pk = copy.deepcopy(load_pk())
    for s in pk["sasaran"]:
        for i in s["indikator"]:
            if i["kode"] in ("IK-2.1", "IK-2.3"):
                i["benchmark"] = {"nilai": "1", "sumber": "BPS", "tingkat": "nasional"}
    out = _quality(pk)
    bench = next(c for c in out["kriteria"] if c["kunci"] == "benchmark")
    assert (bench["ada"], bench["cakupan"], bench["jawaban"]) == (6, "66.67", "C")
    # 3.b: A A A C(0,5) A B(0,75) = 5,25 → floor 4,5 × 5,25/9 = 2,625 → 2,63; ceiling 4,5 × 8,25/9 = 4,125 → 4,13
    three = next(c for c in out["komponen"] if c["kode"] == "3")
    assert (three["prediksi_min"], three["prediksi_maks"]) == ("2.63", "13.63")  # + 2,00 + 7,50


def test_the_page_says_it_in_words_and_in_both_languages() -> None:
    view = kualitas_view(_quality(), "id")
    assert view is not None
    bench = next(c for c in view["kriteria"] if c["kode"] == "3.b.6")
    assert bench["cakupan"] == "Realisasi dibandingkan dengan pembanding (benchmark): 4 dari 9 indikator (44,44 %)"
    assert bench["kurang"][0]["alasan"] == "PK tanpa pembanding (benchmark)"
    three = next(c for c in view["komponen"] if c["kode"] == "3")
    assert three["prediksi"] == "prakiraan 2,50 – 13,50 dari bobot 15,00"
    assert three["terukur"] == "8 dari 22 kriteria terukur"
    english = kualitas_view(_quality(), "en")
    assert english is not None
    assert next(c for c in english["kriteria"] if c["kode"] == "3.b.8")["cakupan"] == (
        "Efficiency of resources per objective: 4 of 5 objectives (80.00%)"
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


def test_measured_periodically_counts_the_quarters_whose_recap_is_complete(db: Session) -> None:
    """1.c.4 and 2.b.4 (monitored/measured periodically) read the quarters' recaps, not the quarterly targets: TW1
    complete (its second revision), TW2 with a unit's data still missing, TW3 and TW4 without a recap: 1 of 4."""
    from services.approval.kualitas import recaps_complete
    from services.approval.models import RekapRow

    for periode, revision, status in (("TW1", 1, "provisional"), ("TW1", 2, "complete"), ("TW2", 1, "provisional"),
                                      ("TW2", 2, "provisional"), ("TAHUNAN", 1, "complete")):  # fmt: skip
        db.add(RekapRow(tahun=2024, periode=periode, revision=revision, status=status, body="{}"))
    db.add(RekapRow(tahun=2023, periode="TW3", revision=1, status="complete", body="{}"))  # another year
    db.commit()
    lengkap = recaps_complete(db, 2024)
    assert lengkap == {"TW1": True, "TW2": False}
    db.add(RekapRow(tahun=2024, periode="TW3", revision=1, status="final", body="{}"))  # closed as final
    db.commit()
    assert recaps_complete(db, 2024) == {"TW1": True, "TW2": False, "TW3": True}
    check = k.pengukuran_berkala(2024, "TAHUNAN", lengkap, {"TW2": "/draf/2024-TW2"})
    assert (check["ada"], check["dari"], check["cakupan"]) == (1, 4, "25.00")
    why = {m["kode"]: (m["alasan_id"], m["tautan"]) for m in check["kurang"]}
    assert why["TW2"] == ("rekap belum lengkap: data sebagian unit belum masuk", "/draf/2024-TW2")
    assert why["TW3"][0] == "belum ada rekap triwulan ini" and set(why) == {"TW2", "TW3", "TW4"}
    assert k.pengukuran_berkala(2024, "S1", lengkap)["dari"] == 2  # a semester's own two quarters
    found = k.semua(load_pk(), recaps()["TAHUNAN"], tahun=2024, periode="TAHUNAN", laporan={}, tenggat=TENGGAT,
                    rekap_lengkap=lengkap)  # fmt: skip
    measured = {c["kode"]: (c["kunci"], c["jawaban"]) for c in of_checks(load_lke(), found)["kriteria"]}
    # 25 % on the A–E scale earns D; quarterly targets alone (rencana_aksi) still answer 1.a.5 only
    assert measured["1.c.4"] == measured["2.b.4"] == ("pengukuran_berkala", "D")
    assert measured["1.a.5"][0] == "rencana_aksi"


def test_a_check_with_nothing_to_look_at_says_why_under_its_title() -> None:
    from services.approval.web.presenters.kualitas import coverage_text

    text = coverage_text("tindak_lanjut_selesai", "Tindak lanjut selesai", 0, 0, None, "id")
    assert text == "Tindak lanjut selesai: tidak ada yang perlu diperiksa: belum ada tindak lanjut"
    assert "tindak_lanjut_selesai" not in text
    analisis = coverage_text("analisis", k.JUDUL["analisis"][1], 0, 0, None, "en")
    assert analisis.endswith("nothing needs checking: no indicator with an achievement outside 100–120%")


def test_on_time_says_it_is_measured_by_the_signing_date() -> None:
    judul_id, judul_en = k.JUDUL["tepat_waktu"]
    assert "tanda tangan" in judul_id and "di luar Lapkin" in judul_id and "signing date" in judul_en
    assert "ditandatangani" in load_lke().kriteria("3.a.6").bukti
