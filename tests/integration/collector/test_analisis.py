"""Issue 15, item 1: a unit's analysis of an indicator (penyebab, kendala, solusi, tindak_lanjut) travels from its
report through the collector (stored per value, carried by TriwulanSubmitted) to the aggregator's recap
(`analisis`, GET /rekap), and a re-submission that leaves the fields out keeps them. The collector and the
aggregator run in-process on one stream prefix, on real Redis and a real database (PostgreSQL with
LAPKIN_TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from services.collector.models import BulananValue
from tests.integration.collector import test_figures
from tests.integration.conftest import Service, auth, eventually, put_pk, unit_key

office = test_figures.office  # the collector and the aggregator of one install (fixture)
REPORT = "/api/v1/laporan-triwulan"

WHY = "Dua angkatan pelatihan menjahit diundur ke TW III: instruktur bersertifikat BNSP belum tersedia"
DONE = "Meminjam instruktur dari UPT BLK Provinsi Banten"
NEXT = "Mengajukan sertifikasi dua instruktur internal pada Juli 2024"


def pptk(ik23: dict[str, Any], triwulan: int = 2) -> dict[str, Any]:
    return {"tahun": 2024, "triwulan": triwulan, "unit": "BID-PPTK",
            "realisasi": [{"indikator": "IK-2.2", "nilai": "83"}, {"indikator": "IK-2.3", **ik23}]}  # fmt: skip


def recap_with(aggregator: Service, periode: str, realisasi: str) -> dict[str, Any]:
    """The period's recap once IK-2.3's realisasi is `realisasi` (the report before it has been counted)."""

    def newest() -> dict[str, Any] | None:
        r = aggregator.client.get(f"/api/v1/rekap/2024/{periode}", headers=aggregator.admin)
        if r.status_code != 200:
            return None  # 404 until the PK's event is handled
        row = next(i for i in r.json()["indikator"] if i["kode"] == "IK-2.3")
        return r.json() if row["realisasi"] == realisasi else None

    return eventually(newest, timeout=20)  # type: ignore[no-any-return]


def test_a_reports_analysis_is_in_the_recap_and_a_resubmission_without_it_keeps_it(
    office: tuple[Service, Service], pk: dict[str, Any]
) -> None:
    collector, aggregator = office
    put_pk(collector, pk)
    key = auth(unit_key(collector, "BID-PPTK"))

    first = {"nilai": "28.5", "keterangan": "Data SIAPkerja 30 Juni", "penyebab": WHY, "solusi": DONE,
             "tindak_lanjut": NEXT}  # fmt: skip
    assert collector.client.post(REPORT, json=pptk(first), headers=key).status_code == 202
    collector.wait_relayed()
    expected = {"indikator": "IK-2.3", "triwulan": 2, "unit": "BID-PPTK", "penyebab": WHY, "kendala": None,
                "solusi": DONE, "tindak_lanjut": NEXT}  # fmt: skip
    tw2 = recap_with(aggregator, "TW2", "28.50")
    assert tw2["analisis"] == [expected]  # IK-2.2 gave no analysis: not listed
    assert recap_with(aggregator, "S1", "28.50")["analisis"] == [expected]  # the semester holds its quarters'
    assert recap_with(aggregator, "TW2", "28.50")["catatan"] == []  # a keterangan is no kendala
    rows = {row["kode"]: row for row in tw2["indikator"]}
    assert (rows["IK-2.1"]["desimal"], rows["IK-2.3"]["desimal"], rows["IKU-1"]["desimal"]) == (0, 2, 2)
    assert rows["IK-5.1"]["kategori"] == "serapan_anggaran" and rows["IK-2.3"]["kategori"] is None
    (event,) = [e for e in collector.events("TriwulanSubmitted") if e["payload"]["unit"] == "BID-PPTK"]
    items = {i["indikator"]: i for i in event["payload"]["realisasi"]}
    assert items["IK-2.3"]["penyebab"] == WHY and "penyebab" not in items["IK-2.2"]  # written only when given

    # a correction of the figure alone: the analysis given before stays
    assert collector.client.post(REPORT, json=pptk({"nilai": "29"}), headers=key).status_code == 202
    collector.wait_relayed()
    assert recap_with(aggregator, "TW2", "29.00")["analisis"] == [expected]

    # a field sent blank is cleared, one sent anew replaces the one held, the others stay
    change = {"nilai": "29.5", "penyebab": "", "kendala": "Instruktur baru tersedia Juli"}
    assert collector.client.post(REPORT, json=pptk(change), headers=key).status_code == 202
    collector.wait_relayed()
    assert recap_with(aggregator, "TW2", "29.50")["analisis"] == [
        {**expected, "penyebab": None, "kendala": "Instruktur baru tersedia Juli"}
    ]
    assert recap_with(aggregator, "TW1", None)["analisis"] == []  # another quarter's recap has none
    assert aggregator.rt.consumer.dead_lettered == 0


def test_a_monthly_report_keeps_and_carries_its_analysis(loaded: Service) -> None:
    """A monthly report shares the item: its analysis is stored with the month's value and carried by
    BulananSubmitted; a later report of the month that leaves it out keeps it."""
    key = auth(unit_key(loaded, "BID-PENTA"))

    def month(item: dict[str, Any]) -> int:
        body = {"tahun": 2024, "bulan": 2, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", **item}]}
        return loaded.client.post("/api/v1/laporan-bulanan", json=body, headers=key).status_code

    assert month({"nilai": "300", "penyebab": "Rekrutmen pabrik tertunda", "solusi": "Bursa kerja daring"}) == 202
    assert month({"nilai": "320"}) == 202
    with loaded.session() as s:
        (row,) = s.exec(select(BulananValue).where(BulananValue.indikator == "IK-3.2"))
        assert (row.nilai, row.penyebab, row.solusi, row.kendala) == ("320", "Rekrutmen pabrik tertunda",
                                                                      "Bursa kerja daring", None)  # fmt: skip
    loaded.wait_relayed()
    last = loaded.events("BulananSubmitted")[-1]["payload"]["realisasi"]
    assert last == [{"indikator": "IK-3.2", "nilai": "320", "keterangan": None,
                     "penyebab": "Rekrutmen pabrik tertunda", "solusi": "Bursa kerja daring"}]  # fmt: skip
