"""No unit reads or writes another unit's data: quarterly and monthly reports, Excel uploads, bulk, evidence files,
templates and status rows. A parent unit acts for its child, never the other way round; a refused request stores
and emits nothing."""

from __future__ import annotations

import io
from typing import Any

from tests.integration.security.conftest import World

TW2 = {"tahun": 2024, "triwulan": 2, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "999"}]}


def _outbox_size(w: World) -> int:
    from sqlmodel import Session, func, select

    from shared.messaging.outbox import OutboxMessage

    with Session(w.apps["collector"].state.rt.engine) as s:
        return int(s.exec(select(func.count()).select_from(OutboxMessage)).one())


def _upt_blk_tw2(w: World) -> dict[str, Any]:
    res = w.clients["collector"].get("/api/v1/periode/2024/TW2/status", headers=w.callers["own"])
    assert res.status_code == 200, res.text
    (row,) = res.json()["units"]
    return {"revision": row["revision"], "history": len(row["history"]), "bukti": row["bukti"]["count"]}


def test_another_units_key_writes_nothing_for_the_unit(world: World):
    col, other = world.clients["collector"], world.callers["other"]
    before, outbox = _upt_blk_tw2(world), _outbox_size(world)
    monthly = {"tahun": 2024, "bulan": 5, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "1"}]}
    bps = {"tahun": 2024, "triwulan": 2, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "1.00"}]}
    refused = [
        col.post("/api/v1/laporan-triwulan", json=TW2, headers=other),
        col.post("/api/v1/laporan-bulanan", json=monthly, headers=other),
        col.post("/api/v1/laporan-triwulan/bulk", json={"submissions": [bps, TW2]}, headers=other),
        col.post("/api/v1/laporan-triwulan/bulk", json={"submissions": [bps, TW2]}, params={"atomic": "false"},
                 headers=other),  # fmt: skip
        col.post("/api/v1/laporan-triwulan/upload", files={"file": ("x.xlsx", world.ids["sheet"])}, headers=other),
        col.post(f"/api/v1/laporan-triwulan/{world.ids['submission']}/bukti",
                 files={"file": ("x.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "application/pdf")}, headers=other),
        # a child acts for itself only, not for its parent
        col.post("/api/v1/laporan-triwulan", headers=world.callers["own"],
                 json={**TW2, "unit": "BID-PPTK", "realisasi": [{"indikator": "IK-2.2", "nilai": "1"}]}),
    ]  # fmt: skip
    for res in refused:
        assert res.status_code == 403, f"{res.request.url}: {res.status_code} {res.text}"
        assert res.json()["errors"], res.text
    assert _upt_blk_tw2(world) == before
    assert _outbox_size(world) == outbox  # no event for BPS's own row of the refused bulk either


def test_another_units_key_reads_nothing_of_the_unit(world: World):
    col, other, own, parent = (world.clients["collector"], world.callers["other"], world.callers["own"],
                               world.callers["parent"])  # fmt: skip
    sid, bid = world.ids["submission"], world.ids["bukti"]
    for url, params in (
        (f"/api/v1/laporan-triwulan/{sid}/bukti", None),
        (f"/api/v1/bukti/{bid}", None),
        ("/api/v1/bukti", {"tahun": 2024, "unit": "UPT-BLK"}),
        ("/api/v1/template/2024/UPT-BLK.xlsx", None),
        ("/api/v1/kelengkapan/2024", None),
    ):
        assert col.get(url, params=params, headers=other).status_code == 403, url
    listed = col.get("/api/v1/bukti", params={"tahun": 2024}, headers=other).json()["bukti"]
    assert listed == []  # BPS has no evidence; UPT-BLK's is not listed to it
    status = col.get("/api/v1/periode/2024/TW2/status", headers=other).json()
    assert [u["unit"] for u in status["units"]] == ["BPS"]
    assert all("UPT-BLK" not in str(u) for u in status["units"])

    # the unit itself and its parent do see it
    assert col.get(f"/api/v1/bukti/{bid}", headers=own).content.startswith(b"%PDF")
    assert col.get(f"/api/v1/bukti/{bid}", headers=parent).status_code == 200
    for key in (own, parent):
        units = {b["unit"] for b in col.get("/api/v1/bukti", params={"tahun": 2024}, headers=key).json()["bukti"]}
        assert units == {"UPT-BLK"}
    assert [u["unit"] for u in col.get("/api/v1/periode/2024/TW2/status", headers=own).json()["units"]] == ["UPT-BLK"]


def test_a_unit_key_opens_nothing_outside_the_collector(world: World):
    # the API says why (403 unit_key_not_allowed: the key is known to be a unit's, no unit key is allowed there);
    # the web app sends it to the login page
    for service, url in (("aggregator", "/api/v1/rekap/2024/TW1"), ("renderer", "/api/v1/documents"),
                         ("approval", "/api/v1/drafts")):  # fmt: skip
        res = world.clients[service].get(url, headers=world.callers["own"])
        assert res.status_code == 403, (service, url, res.status_code)
        assert [e["rule"] for e in res.json()["errors"]] == ["unit_key_not_allowed"], (service, url, res.text)
    res = world.clients["approval"].get("/kotak-masuk", headers=world.callers["own"])
    assert res.status_code == 303 and res.headers["location"].startswith("/masuk")


def test_a_web_session_opens_no_api_and_a_token_no_web_page(world: World):
    appr = world.clients["approval"]
    cookie = {"Cookie": world.official("subkor")["Cookie"]}
    token = {"Authorization": world.official("subkor")["Authorization"]}
    assert appr.get("/api/v1/drafts", headers=cookie).status_code == 401
    assert appr.get("/kotak-masuk", headers=token).headers["location"].startswith("/masuk")
    assert appr.get("/api/v1/drafts", headers=token).status_code == 200
    assert appr.get("/kotak-masuk", headers=cookie).status_code == 200
