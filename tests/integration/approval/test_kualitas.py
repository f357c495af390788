"""Approval: the LKjIP's quality check (issue #17 item 2) on a real Redis and database — the PK arrives as the
collector's PerjanjianKinerjaPublished (kept per version in apv_pk, once however often it is delivered), the recaps
and drafts as the aggregator's and the renderer's events. The worked example's TAHUNAN draft answers `kualitas` in
GET /api/v1/drafts/{id} (benchmark: 4 of 9 indicators) and its page shows "Uji kualitas LKjIP (Evaluasi AKIP)" next
to the decision; a new PK version that gives IK-2.1 a benchmark moves the coverage to 5 of 9."""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from sqlmodel import Session, select

from services.approval.models import PerjanjianKinerjaRow
from services.approval.web.sessions import LANG_COOKIE
from shared.events import catalogue as ev
from tests.integration.approval.test_pemeriksaan import (  # noqa: F401  (app, subkor: fixtures)
    ADMIN_HEADER,
    app,
    page_of,
    publish,
    section,
    subkor,
)
from tests.integration.ops.conftest import event, eventually, put
from tests.unit.renderer.worked_example import load_pk, recaps


def publish_pk(r, settings, version: int, pk: dict) -> None:
    published = ev.PerjanjianKinerjaPublished(tahun=2024, version=version, pk=pk)  # type: ignore[arg-type]
    put(r, settings, event("PerjanjianKinerjaPublished", published.model_dump(mode="json"), "collector"))


def criterion(answer: dict, kunci: str) -> dict:
    found = [c for c in answer["kualitas"]["kriteria"] if c["kunci"] == kunci]
    assert found, f"no criterion measured by {kunci}"
    return found[0]


def test_the_annual_draft_carries_its_quality_check(app, settings, r, subkor):  # noqa: F811  (fixtures)
    admin = {ADMIN_HEADER: f"Bearer {settings.admin_token}"}
    example = copy.deepcopy(recaps())
    publish_pk(r, settings, 1, load_pk())
    publish_pk(r, settings, 1, load_pk())  # redelivered: kept once
    for q in (1, 2, 3, 4):
        publish(r, settings, f"TW{q}", 1, example[f"TW{q}"], version=1 if q == 1 else None)
    publish(r, settings, "TAHUNAN", 1, example["TAHUNAN"], version=1)
    eventually(lambda: app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).status_code == 200, what="the draft")
    eventually(lambda: app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json()["kualitas"], what="the PK")
    with Session(app.app.state.rt.engine) as db:  # type: ignore[attr-defined]
        assert [row.version for row in db.exec(select(PerjanjianKinerjaRow))] == [1]

    answer = app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json()
    bench = criterion(answer, "benchmark")
    assert (bench["ada"], bench["dari"], bench["cakupan"]) == (4, 9, "44.44")
    assert [m["kode"] for m in bench["kurang"]] == ["IK-2.1", "IK-2.3", "IK-3.2", "IK-4.1", "IK-4.2"]
    assert bench["kurang"][0]["tautan"] == "/draf/2024-TAHUNAN#ind-IK-2.1"
    assert (bench["kode"], bench["jawaban"]) == ("3.b.6", "D")  # 44,44 % on the A–E scale
    berkala = criterion(answer, "berkala")  # TW1 drafted but not final, the rest not drafted: 0 of 6
    assert (berkala["kode"], berkala["ada"], berkala["dari"], berkala["cakupan"]) == ("3.a.2", 0, 6, "0.00")
    assert berkala["kurang"][0]["kode"] == "TW1" and berkala["kurang"][0]["tautan"] == "/draf/2024-TW1"
    assert "belum final" in berkala["kurang"][0]["alasan_id"]
    assert "belum ada drafnya" in berkala["kurang"][1]["alasan_id"] and berkala["kurang"][1]["tautan"] is None
    follow_ups = {c["kunci"]: c for c in answer["kualitas"]["kriteria"]}  # services/approval/tindaklanjut.cakupan
    assert {"tindak_lanjut", "tindak_lanjut_selesai"} <= set(follow_ups)
    assert follow_ups["tindak_lanjut"]["dari"] > 0 and follow_ups["tindak_lanjut"]["ada"] == 0  # none issued yet
    komponen = answer["kualitas"]["komponen"]
    assert komponen and all(k["terukur"] <= k["jumlah"] for k in komponen)
    ranged = [k for k in komponen if k["prediksi_min"] is not None]
    assert ranged and all(
        Decimal(k["prediksi_min"]) <= Decimal(k["prediksi_maks"]) <= Decimal(k["bobot"]) for k in ranged
    )
    assert all(k["prediksi_maks"] is None for k in komponen if k["terukur"] == 0)
    assert app.get("/api/v1/drafts/2024-TW1", headers=admin).json()["kualitas"] is None  # a quarter's: no LKjIP

    text = page_of(app, subkor, "/draf/2024-TAHUNAN")
    shown = section(text, "kualitas")
    assert shown is not None and "Uji kualitas LKjIP (Evaluasi AKIP)" in shown
    assert "Realisasi dibandingkan dengan pembanding (benchmark): 4 dari 9 indikator (44,44 %)" in shown
    assert "benchmark:" not in shown and "tahun_lalu:" not in shown  # titles, never the checks' keys
    # a range, floor (the unmeasured at 0) to ceiling (at their best): 3.b's measured A A A D A B → 2,50 at least
    assert re.search(
        r"Pelaporan Kinerja: prakiraan 2,50 – \d+,\d\d dari bobot 15,00 ; \d+ dari 22 kriteria terukur", shown
    )
    assert "IK-2.1" in shown and "PK tanpa pembanding (benchmark)" in shown
    assert "Jawaban dari data: D" in shown
    assert "kriteria terukur" in shown
    assert '<a href="/draf/2024-TAHUNAN#ind-IK-2.1">' in text
    assert text.index('id="pemeriksaan"') < text.index('id="kualitas"') < text.index('id="recap"')
    english = section(page_of(app, {"Cookie": f"{subkor['Cookie']}; {LANG_COOKIE}=en"}, "/draf/2024-TAHUNAN"),
                      "kualitas")  # fmt: skip
    assert english is not None and "LKjIP quality check" in english
    assert (
        "Results compared with a benchmark: 4 of 9 indicators (44.44%)" in english
        and "the PK gives no benchmark" in english
    )

    # a new PK version gives IK-2.1 a benchmark: the check reads the newest version
    pk = load_pk()
    ind = next(i for s in pk["sasaran"] for i in s["indikator"] if i["kode"] == "IK-2.1")
    ind["benchmark"] = {"nilai": "1200", "sumber": "Disnaker Provinsi", "tingkat": "provinsi", "tahun": 2024}
    publish_pk(r, settings, 2, pk)
    eventually(
        lambda: criterion(app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json(), "benchmark")["ada"] == 5,
        what="the new PK version",
    )
    moved = criterion(app.get("/api/v1/drafts/2024-TAHUNAN", headers=admin).json(), "benchmark")
    assert (moved["dari"], moved["cakupan"]) == (9, "55.56")
    assert "IK-2.1" not in [m["kode"] for m in moved["kurang"]]
    again = section(page_of(app, subkor, "/draf/2024-TAHUNAN"), "kualitas")
    assert again is not None and "(benchmark): 5 dari 9 indikator (55,56 %)" in again
