"""The SOP around a semester report, end to end over the JSON API, with all four services as processes:

step 1 the Sekretaris's disposisi to the Sub Koordinator (numbered, in the recipient's list, marked done), step 2
the Sub Koordinator's to a staf; TW1 and TW2 approved to final; step 5 the final TW1 circulated with read receipts;
the S1 draft (made once both quarters are final) through gate 7 (the Kepala Bidang returns it to the Kepala Seksi
naming a unit and an indicator: `KoreksiRequested` reopens exactly that unit in the collector, everyone else stays
closed, and the unit's corrected figure makes a new recap revision and a new draft version) and gate 8 (the
Sekretaris returns it to the Kepala Bidang) to final; the history shows every transition; the SOP compliance figures
count what was measured."""

from __future__ import annotations

import io
from decimal import Decimal

import httpx
import openpyxl

from services.renderer.documents import XLSX_HEADER_ROW
from tests.e2e.test_quarterly_approval import wait

PASSWORD = "rahasia-2024"
OFFICIALS = {
    "staf": {"username": "sri", "nama": "Sri Staf", "nip": "199101012015032001", "jabatan": "Staf Penyusun"},
    "subkor": {"username": "bayu", "nama": "Bayu Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator"},
    "kabid": {"username": "agus", "nama": "Agus Kabid", "nip": "197804042005011004", "jabatan": "Kepala Bidang"},
    "kasi": {"username": "dewi", "nama": "Dewi Kasi", "nip": "198005052006042005", "jabatan": "Kepala Seksi"},
    "sekretaris": {"username": "hadi", "nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris"},
}


def login_all(system, client: httpx.Client) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    headers, ids = {}, {}
    for role, o in OFFICIALS.items():
        r = client.post(
            system.url("approval", "/api/v1/officials"),
            json={**o, "role": role, "password": PASSWORD},
            headers=system.admin,
        )
        assert r.status_code == 201, r.text
        ids[role] = r.json()["id"]
        r = client.post(system.url("approval", "/api/v1/login"), json={"username": o["username"], "password": PASSWORD})
        assert r.status_code == 200, r.text
        headers[role] = {"Authorization": f"Bearer {r.json()['token']}"}
    return headers, ids


def test_semester_report_through_both_gates_with_disposisi_and_circulation(system, client, acknowledged):
    who, ids = login_all(system, client)
    api = system.settings.base_url("approval") + "/api/v1"

    def decide(role: str, draft_id: str, decision: str, note: str | None = None, **extra) -> httpx.Response:
        body = {"decision": decision, "note": note, **extra}
        return client.post(f"{api}/drafts/{draft_id}/decision", json=body, headers=who[role])

    def draft(draft_id: str) -> dict | None:
        r = client.get(f"{api}/drafts/{draft_id}", headers=system.admin)
        return r.json() if r.status_code == 200 else None

    # ---- step 1 and 2: dispositions -------------------------------------------------------------------------
    r = client.post(f"{api}/disposisi", json={"kepada_role": "subkor", "instruksi": ""}, headers=who["sekretaris"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "instruksi"
    r = client.post(
        f"{api}/disposisi",
        json={
            "kepada_role": "subkor",
            "instruksi": "Kumpulkan data laporan kinerja triwulan",
            "batas_waktu": "2099-01-15",
            "tahun": 2024,
            "periode": "TW1",
        },
        headers=who["sekretaris"],
    )
    assert r.status_code == 201, r.text
    d1 = r.json()
    assert (d1["nomor"], d1["langkah"], d1["kepada"]["role"]) == ("001/DISNAKER/PSM/2024", 1, "subkor")
    inbox = client.get(f"{api}/disposisi", headers=who["subkor"]).json()
    assert [d["nomor"] for d in inbox["diterima"]] == ["001/DISNAKER/PSM/2024"]
    assert client.post(f"{api}/disposisi/{d1['id']}/selesai", headers=who["staf"]).status_code == 403
    r = client.post(f"{api}/disposisi/{d1['id']}/selesai", headers=who["subkor"])
    assert r.status_code == 200 and r.json()["status"] == "selesai"
    assert client.post(f"{api}/disposisi/{d1['id']}/selesai", headers=who["subkor"]).status_code == 409
    r = client.post(
        f"{api}/disposisi",
        json={"kepada_id": ids["staf"], "instruksi": "Rekap dan olah data TW1", "tahun": 2024, "periode": "TW1"},
        headers=who["subkor"],
    )
    assert r.status_code == 201 and r.json()["nomor"] == "002/DISNAKER/PSM/2024" and r.json()["langkah"] == 2
    assert [d["nomor"] for d in client.get(f"{api}/disposisi", headers=who["staf"]).json()["diterima"]] == [
        "002/DISNAKER/PSM/2024"
    ]

    # ---- TW1 and TW2 to final; step 5 circulation of TW1 ---------------------------------------------------
    for periode in ("TW1", "TW2"):
        draft_id = f"2024-{periode}"
        wait(lambda draft_id=draft_id: draft(draft_id), f"the {periode} draft")
        assert decide("staf", draft_id, "approve").status_code == 200
        r = decide("subkor", draft_id, "approve", "Sesuai")
        assert r.status_code == 200 and r.json()["state"] == "final", r.text
    r = client.post(f"{api}/drafts/2024-TW1/sosialisasi", json={"penerima": []}, headers=who["subkor"])
    assert r.status_code == 422
    r = client.post(
        f"{api}/drafts/2024-TW1/sosialisasi",
        json={"penerima": [ids["kabid"], ids["sekretaris"]]},
        headers=who["kabid"],
    )
    assert r.status_code == 403  # the Sub Koordinator circulates
    r = client.post(
        f"{api}/drafts/2024-TW1/sosialisasi",
        json={"penerima": [ids["kabid"], ids["sekretaris"]], "catatan": "Mohon dibaca"},
        headers=who["subkor"],
    )
    assert r.status_code == 201, r.text
    sos = r.json()
    assert (sos["langkah"], sorted(sos["belum_dibaca"])) == (5, ["Agus Kabid", "Hadi Sekdis"])
    assert client.post(f"{api}/sosialisasi/{sos['id']}/dibaca", headers=who["staf"]).status_code == 403
    r = client.post(f"{api}/sosialisasi/{sos['id']}/dibaca", headers=who["kabid"])
    assert r.status_code == 200 and r.json()["belum_dibaca"] == ["Hadi Sekdis"]

    # ---- S1: gate 7 with a koreksi return ------------------------------------------------------------------
    s1 = wait(lambda: draft("2024-S1"), "the S1 draft (both quarters final)", timeout=90)
    assert (s1["jenis"], s1["step"], s1["acting_role"]) == ("semester", 7, "staf")
    rekap = client.get(system.url("aggregator", "/api/v1/rekap/2024/S1"), headers=system.admin).json()
    ind = rekap["indikator"][1]
    unit = ind["penanggung_jawab"]
    other = next(i["penanggung_jawab"] for i in rekap["indikator"] if i["penanggung_jawab"] != unit)

    assert decide("kabid", "2024-S1", "approve").status_code == 403  # out of turn: the staf submits first
    assert decide("staf", "2024-S1", "approve", "Draf semester I").status_code == 200
    assert decide("staf", "2024-S1", "approve").json()["errors"][0]["rule"] == "wrong_role"
    r = decide("kabid", "2024-S1", "return", "", indikator=[ind["kode"]])
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "reason_required"
    r = decide("kabid", "2024-S1", "return", "Koreksi", indikator=["TIDAK-ADA"])
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "unknown_indikator"
    r = decide("kabid", "2024-S1", "return", "Koreksi")  # a correction naming nothing (outsider check)
    assert r.status_code == 422 and [(e["field"], e["rule"]) for e in r.json()["errors"]] == [
        ("units", "koreksi_target_required")
    ]
    r = decide("kabid", "2024-S1", "return", f"Realisasi {ind['kode']} perlu dikoreksi", indikator=[ind["kode"]])
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["acting_role"]) == ("dikembalikan", "kasi")

    # KoreksiRequested reopened exactly that unit in the collector (a dry run answers as a real submission would)
    keys = {}
    for u in (unit, other):
        r = client.post(system.url("collector", f"/api/v1/units/{u}/api-keys"), headers=system.admin)
        keys[u] = {"Authorization": f"Bearer {r.json()['api_key']}"}

    def dry_run(u: str) -> int:
        values = [{"indikator": i["kode"], "nilai": "1"} for i in rekap["indikator"] if i["penanggung_jawab"] == u]
        body = {"tahun": 2024, "triwulan": 2, "unit": u, "realisasi": values}
        r = client.post(
            system.url("collector", "/api/v1/laporan-triwulan"), params={"dry_run": "true"}, json=body, headers=keys[u]
        )
        return r.status_code

    wait(lambda: dry_run(unit) == 200, f"{unit} reopened for TW2")
    assert dry_run(other) == 409

    # the unit corrects its TW2 figure: a new recap revision and a new S1 draft version, whose chain starts again
    assert decide("staf", "2024-S1", "approve").status_code == 403  # the kasi corrects first
    submit = system.url("collector", "/api/v1/laporan-triwulan")
    fix = {"tahun": 2024, "triwulan": 2, "unit": unit, "realisasi": [{"indikator": ind["kode"], "nilai": "1.5"}]}
    r = client.post(submit, json=fix, headers=keys[unit])
    assert r.status_code == 202 and r.json()["summary"]["updated"] == 1, r.text
    r = client.post(submit, json={**fix, "unit": other, "realisasi": [], "kendala": "koreksi"}, headers=keys[other])
    assert r.status_code == 409 and r.json()["errors"][0]["rule"] == "periode_closed"  # everyone else stays closed
    v2 = wait(lambda: (d := draft("2024-S1")) is not None and d["version"] == 2 and d, "S1 version 2", timeout=60)
    assert (v2["acting_role"], v2["state"]) == ("staf", "menunggu")
    rekap2 = client.get(system.url("aggregator", "/api/v1/rekap/2024/S1"), headers=system.admin).json()
    assert rekap2["revision"] > rekap["revision"] and rekap2["inputs"][f"2:{unit}"] > rekap["inputs"][f"2:{unit}"]
    assert v2["recap_revision"] == rekap2["revision"]
    assert decide("kasi", "2024-S1", "approve", "Data sudah dikoreksi").status_code == 403  # v2 starts at the staf
    assert decide("staf", "2024-S1", "approve", "Diajukan ulang dengan data terkoreksi").status_code == 200

    # ---- gate 7 approve, gate 8 with a return to the kabid --------------------------------------------------
    assert decide("kabid", "2024-S1", "approve", "Sesuai").status_code == 200
    r = client.post(f"{api}/drafts/2024-S1/sosialisasi", json={"penerima": [ids["sekretaris"]]}, headers=who["subkor"])
    assert r.status_code == 201 and r.json()["langkah"] == 8
    assert client.post(f"{api}/sosialisasi/{r.json()['id']}/dibaca", headers=who["sekretaris"]).status_code == 200
    assert decide("kabid", "2024-S1", "approve").status_code == 403
    r = decide("sekretaris", "2024-S1", "return", "   ")
    assert r.status_code == 422
    r = decide("sekretaris", "2024-S1", "return", "Narasi analisis capaian belum lengkap")
    assert r.status_code == 200 and (r.json()["acting_role"], r.json()["step"]) == ("kabid", 7)
    r = decide("kabid", "2024-S1", "approve", "Narasi dilengkapi", version=2)
    assert r.status_code == 200
    r = decide("sekretaris", "2024-S1", "approve", "Disetujui", version=99)  # aimed at a version that is not current
    assert r.status_code == 409
    r = decide("sekretaris", "2024-S1", "approve", "Disetujui")
    assert r.status_code == 200 and r.json()["state"] == "final", r.text
    assert decide("sekretaris", "2024-S1", "return", "lagi").status_code == 409  # moved on

    # the signed S1 shows the corrected TW2 in its rows per quarter (TW2 was final: no TW2 draft is drawn again), so
    # the quarters add up to its headline; the signed TW2 stays as it was signed
    def documents(periode: str) -> list[dict]:
        params = {"tahun": 2024, "periode": periode}
        return client.get(system.url("renderer", "/api/v1/documents"), params=params, headers=system.admin).json()

    def sheet(doc: dict, name: str) -> list[tuple]:
        url = system.url("renderer", f"/api/v1/documents/{doc['id']}/file.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(client.get(url, headers=system.admin).content))
        return list(book[name].iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))

    final = wait(
        lambda: next((d for d in documents("S1") if (d["version"], d["status"]) == (2, "final")), None),
        "the signed S1",
        timeout=60,
    )
    # realisasi after Target, Target Minimum and Target Maksimum
    per_quarter = {row[3]: Decimal(str(row[7])) for row in sheet(final, "Per Triwulan") if row[0] == ind["kode"]}
    total = next(Decimal(str(row[8])) for row in sheet(final, "Indikator") if row[2] == ind["kode"])
    assert per_quarter["TW II"] == Decimal("1.5") and Decimal(rekap2["indikator"][1]["realisasi"]) == total
    assert ind["agregasi"] == "jumlah" and sum(per_quarter.values()) == total  # 180 + 1,5, not 180 + 450
    tw2 = documents("TW2")
    signed = max(d["version"] for d in tw2 if d["status"] == "final")
    assert max(d["version"] for d in tw2) == signed  # no TW2 version after the signed one

    history = draft("2024-S1")["history"]
    steps = [(h["version"], h["action"], h["role"], h["step"]) for h in history if h["action"] not in ("rendered",)]
    assert steps == [
        (1, "submit", "staf", 7),
        (1, "return", "kabid", 7),
        (1, "superseded", None, 7),  # by the version drawn from the corrected data
        (2, "submit", "staf", 7),
        (2, "approve", "kabid", 7),
        (2, "sosialisasi", "subkor", 8),
        (2, "dibaca", "sekretaris", 8),
        (2, "return", "sekretaris", 8),
        (2, "approve", "kabid", 7),
        (2, "approve", "sekretaris", 8),
    ]
    ret = next(h for h in history if h["action"] == "return")
    assert (ret["units"], ret["indikator"], ret["actor"]) == ([unit], [ind["kode"]], "Agus Kabid")
    assert all(h["at"] for h in history)

    # ---- the SOP compliance figures ----------------------------------------------------------------------------
    r = client.get(f"{api}/kepatuhan-sop", params={"tahun": 2024}, headers=who["sekretaris"])
    assert r.status_code == 200
    rows = {row["nomor"]: row for row in r.json()["langkah"]}
    assert rows[1]["n"] == 1 and rows[1]["share"] == 1.0  # the disposisi done within 15 minutes
    assert rows[4]["n"] >= 4  # TW1 and TW2: submit and approve each
    assert rows[7]["n"] == 6 and rows[8]["n"] == 3  # S1's decisions; gate 8 twice plus the circulation
    assert rows[5]["n"] == 0  # TW1's circulation: the Sekretaris has not read it yet
