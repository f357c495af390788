"""Approval: the checks before approval (issue #15 items 1 and 5) on a real Redis — the recaps and drafts arrive as
the aggregator's and the renderer's events. The draft page shows "Pemeriksaan sebelum persetujuan" next to the
decision (an indicator below target without a unit's penyebab; figures that disagree) and drops it when a new
version's recap carries the analysis; GET /api/v1/drafts/{id} answers the same; the compliance page's board
lists, per quarter, the indicators no unit has explained yet."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.approval.main import create_app
from services.approval.web.sessions import LANG_COOKIE
from tests.integration.ops.conftest import event, eventually, put, session_cookie
from tests.unit.renderer.worked_example import recaps

ADMIN_HEADER = "Authorization"


@pytest.fixture
def app(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def subkor(app: TestClient, settings) -> dict[str, str]:
    body = {"username": f"subkor-{settings.stream_prefix}", "password": "rahasia-123", "nama": "Bayu Subkor",
            "role": "subkor", "pangkat": "Penata Tingkat I", "golongan": "III/d"}  # fmt: skip
    res = app.post("/api/v1/officials", json=body, headers={ADMIN_HEADER: f"Bearer {settings.admin_token}"})
    assert res.status_code == 201, res.text
    assert (res.json()["pangkat"], res.json()["golongan"]) == ("Penata Tingkat I", "III/d")  # kept and answered
    return {"Cookie": f"lapkin_sesi={session_cookie(settings, int(res.json()['id']))}"}


def publish(r, settings, periode: str, revision: int, rekap: dict, version: int | None = None) -> None:
    """The aggregator's recap revision and, with `version`, the renderer's draft drawn from it."""
    body = {"tahun": 2024, "periode": periode, "revision": revision, "status": "complete", "rekap": rekap, "inputs": {}}
    put(r, settings, event("RekapCompleted", body, "aggregator"))
    if version is not None:
        jenis = "triwulan" if periode.startswith("TW") else "tahunan" if periode == "TAHUNAN" else "semester"
        draft = {"draft_id": f"2024-{periode}", "tahun": 2024, "periode": periode, "jenis": jenis, "version": version,
                 "document_id": f"2024-{periode}-v{version}", "recap_revision": revision, "files": {}}  # fmt: skip
        put(r, settings, event("DraftRendered", draft, "renderer"))


def small_recap(analisis: list[dict]) -> dict:
    """TW1: IK-2.2 below its target (capaian 92,35 %), IK-3.1 on target."""
    return {
        "tahun": 2024, "periode": "TW1", "status": "complete", "units": {"BID-PPTK": "Bidang Pelatihan"},
        "indikator": [
            {"kode": "IK-2.2", "nama": "Persentase lulusan pelatihan yang bekerja", "satuan": "%",
             "penanggung_jawab": "BID-PPTK", "target": "85.00", "realisasi": "78.50", "capaian": "92.35",
             "predikat": "Sangat Baik", "reason": None},
            {"kode": "IK-3.1", "nama": "Persentase pencari kerja yang ditempatkan", "satuan": "%",
             "penanggung_jawab": "BID-PENTA", "target": "45.00", "realisasi": "45.00", "capaian": "100.00",
             "predikat": "Sangat Baik", "reason": None},
        ],
        "analisis": analisis,
    }  # fmt: skip


def page_of(app: TestClient, who: dict[str, str], path: str) -> str:
    res = app.get(path, headers=who)
    assert res.status_code == 200, res.text
    return res.text


def section(text: str, ident: str) -> str | None:
    found = re.search(rf'<section[^>]*id="{ident}".*?</section>', text, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))) if found else None


def test_missing_analysis_shows_next_to_the_decision_and_goes_when_the_analysis_arrives(app, settings, r, subkor):
    publish(r, settings, "TW1", 1, small_recap([]), version=1)
    admin = {ADMIN_HEADER: f"Bearer {settings.admin_token}"}
    eventually(lambda: app.get("/api/v1/drafts/2024-TW1", headers=admin).status_code == 200, what="the draft")
    text = page_of(app, subkor, "/draf/2024-TW1")
    checks = section(text, "pemeriksaan")
    assert checks is not None and "Pemeriksaan sebelum persetujuan" in checks
    assert "IK-2.2" in checks and "92,35" in checks and "analisis belum ada" in checks and "Bidang Pelatihan" in checks
    assert "IK-3.1" not in checks  # on target: nothing to explain
    assert text.index('id="pemeriksaan"') < text.index('id="recap"')  # above the recap, by the decision
    # who acts and how: the responsible unit by name, and the approver's two ways (ask it back, or approve with a note)
    assert "Penanggung jawab: Bidang Pelatihan" in checks
    assert ("Tindakan: Minta analisis penyebab dari Bidang Pelatihan (Kembalikan dengan alasan), atau setujui "
            "dengan catatan yang menjelaskan penyebabnya.") in checks  # fmt: skip
    assert "Penjelasan unit" not in checks  # the unit wrote nothing about it yet
    answer = app.get("/api/v1/drafts/2024-TW1", headers=admin).json()["pemeriksaan"]
    assert answer == {
        "analisis_belum_ada": [{"indikator": "IK-2.2", "nama": "Persentase lulusan pelatihan yang bekerja",
                                "unit": "BID-PPTK", "unit_nama": "Bidang Pelatihan", "capaian": "92.35",
                                "tindakan_id": "Minta analisis penyebab dari Bidang Pelatihan (Kembalikan dengan "
                                "alasan), atau setujui dengan catatan yang menjelaskan penyebabnya.",
                                "tindakan_en": "Ask Bidang Pelatihan for the analysis of causes (Return, with the "
                                "reason), or approve with a note that explains the cause.",
                                "penjelasan": []}],
        "konsistensi": [],
    }  # fmt: skip
    english = section(
        page_of(app, {"Cookie": f"{subkor['Cookie']}; {LANG_COOKIE}=en"}, "/draf/2024-TW1"), "pemeriksaan"
    )
    assert english is not None and "Checks before approval" in english and "no analysis yet" in english
    assert "92.35" in english and "Responsible unit: Bidang Pelatihan" in english
    assert "What to do: Ask Bidang Pelatihan for the analysis of causes" in english

    # the unit wrote its obstacle but no cause yet: still "analisis belum ada", and what it wrote is shown under it
    obstacle = {"indikator": "IK-2.2", "triwulan": 1, "unit": "BID-PPTK", "penyebab": None, "solusi": None,
                "kendala": "Data penempatan lulusan dari perusahaan belum lengkap", "tindak_lanjut": None}  # fmt: skip
    publish(r, settings, "TW1", 2, small_recap([obstacle]), version=2)
    eventually(lambda: app.get("/api/v1/drafts/2024-TW1", headers=admin).json()["version"] == 2, what="version 2")
    checks = section(page_of(app, subkor, "/draf/2024-TW1"), "pemeriksaan")
    assert checks is not None and "analisis belum ada" in checks
    assert ("Penjelasan unit (Triwulan I, Bidang Pelatihan): kendala: Data penempatan lulusan dari perusahaan "
            "belum lengkap") in checks  # fmt: skip

    # the unit's correction brings the cause; the renderer draws version 2 from that recap: the section is gone
    analysis = {"indikator": "IK-2.2", "triwulan": 1, "unit": "BID-PPTK", "kendala": None, "solusi": None,
                "penyebab": "Dua angkatan pelatihan baru lulus akhir Maret", "tindak_lanjut": None}  # fmt: skip
    publish(r, settings, "TW1", 3, small_recap([analysis]), version=3)
    eventually(lambda: app.get("/api/v1/drafts/2024-TW1", headers=admin).json()["version"] == 3, what="version 3")
    assert section(page_of(app, subkor, "/draf/2024-TW1"), "pemeriksaan") is None
    assert app.get("/api/v1/drafts/2024-TW1", headers=admin).json()["pemeriksaan"] == {
        "analisis_belum_ada": [], "konsistensi": [],
    }  # fmt: skip


def test_the_annual_draft_names_the_worked_examples_inconsistencies(app, settings, r, subkor):
    example = copy.deepcopy(recaps())
    for rekap in example.values():  # the PK's kategori marks IK-5.1 as the budget-absorption indicator
        for ind in rekap["indikator"]:
            if ind["kode"] == "IK-5.1":
                ind["kategori"] = "serapan_anggaran"
    example["TW4"]["analisis"] = []  # TW IV as the units first sent it, without their causes: on the board below
    for q in (1, 2, 3, 4):
        publish(r, settings, f"TW{q}", 1, example[f"TW{q}"])
    publish(r, settings, "TAHUNAN", 1, example["TAHUNAN"], version=1)
    admin = {ADMIN_HEADER: f"Bearer {settings.admin_token}"}
    eventually(lambda: app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).status_code == 200, what="the draft")

    def checked() -> bool:  # the draft (renderer's stream) may land before its recap (aggregator's) is read
        got = app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json()["pemeriksaan"]
        return len(got["konsistensi"]) == 2

    eventually(checked, what="the annual recap's checks")
    answer = app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json()["pemeriksaan"]
    assert [(f["rule"], f["indikator"]) for f in answer["konsistensi"]] == [
        ("serapan_anggaran", "IK-5.1"), ("tw4_tahunan", "IK-2.2"),
    ]  # fmt: skip
    # IK-2.2 (97,56) and IK-4.2 (125,00) are outside 100–120 %, and their units gave the causes (the worked example)
    assert answer["analisis_belum_ada"] == []
    serapan, tahunan = answer["konsistensi"]
    assert (serapan["unit"], tahunan["unit"]) == ("SEKRETARIAT", "BID-PPTK")  # each indicator's penanggung jawab
    assert serapan["tindakan_id"] == (
        "Minta penjelasan SEKRETARIAT (Kembalikan dengan alasan), atau setujui dengan "
        "catatan yang menjelaskan selisihnya."
    )  # no unit list in this recap: the code
    assert serapan["penjelasan"] == []  # the Sekretariat wrote nothing about IK-5.1
    assert [(p["triwulan"], p["unit"]) for p in tahunan["penjelasan"]] == [(1, "BID-PPTK"), (4, "BID-PPTK")]
    assert tahunan["penjelasan"][1]["penyebab"].startswith("Tiga peserta kejuruan tata boga")
    checks = section(page_of(app, subkor, "/draf/2024-TAHUNAN"), "pemeriksaan")
    assert checks is not None
    assert "96,30 %" in checks and "94,86 %" in checks  # IK-5.1 vs Bab III B's cumulative absorption
    assert "99,91 %" in checks and "97,56 %" in checks  # TW IV to date vs the year
    assert "Tindakan: Minta penjelasan SEKRETARIAT (Kembalikan dengan alasan)" in checks
    assert ("Penjelasan unit (Triwulan IV, BID-PPTK): penyebab: Tiga peserta kejuruan tata boga angkatan Oktober "
            "tidak hadir pada jadwal uji kompetensi.; solusi: Uji susulan diajukan ke LSP.") in checks  # fmt: skip

    # the board: per quarter (newest recap), the indicators no unit explained, with the unit's name
    board = section(page_of(app, subkor, "/kepatuhan-sop?tahun=2024"), "analisis-board")
    assert board is not None and "Analisis per indikator belum ada 2024" in board
    tw4 = [m["kode"] for m in example["TW4"]["indikator"] if not 100 <= float(m["capaian"]) <= 120]
    text = page_of(app, subkor, "/kepatuhan-sop?tahun=2024")
    for kode in tw4:
        assert f'id="analisis-TW4-{kode}"' in text
    assert 'id="analisis-TW4-IK-5.1"' not in text  # 100,00: nothing to explain
