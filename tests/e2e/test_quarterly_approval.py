"""A quarterly report from complete recap to final documents: the renderer drafts it, the staf submits it,
the Sub Koordinator returns it (a reason is required) and then approves it; the final documents carry their
SHA-256, the period becomes final in the aggregator and closed for collection."""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path

import httpx

OFFICIALS = {
    "staf": {
        "username": "rina",
        "nama": "Rina Staf",
        "nip": "199001012015032001",
        "jabatan": "Staf Penyusun Evaluasi Kinerja",
        "role": "staf",
    },
    "subkor": {
        "username": "budi",
        "nama": "Budi Subkor",
        "nip": "198205052008011002",
        "jabatan": "Sub Koordinator Perencanaan",
        "pangkat": "Penata Tingkat I",
        "golongan": "III/d",
        "role": "subkor",
    },
}
PASSWORD = "rahasia-2024"


def wait(probe, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def tokens(system, client: httpx.Client) -> dict[str, dict[str, str]]:
    out = {}
    for role, official in OFFICIALS.items():
        r = client.post(
            system.url("approval", "/api/v1/officials"), json={**official, "password": PASSWORD}, headers=system.admin
        )
        assert r.status_code in (201, 409), r.text
        r = client.post(
            system.url("approval", "/api/v1/login"), json={"username": official["username"], "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        out[role] = {"Authorization": f"Bearer {r.json()['token']}"}
    return out


def decide(system, client, headers, draft_id: str, decision: str, note: str | None = None) -> httpx.Response:
    return client.post(
        system.url("approval", f"/api/v1/drafts/{draft_id}/decision"),
        json={"decision": decision, "note": note},
        headers=headers,
    )


def test_tw1_is_drafted_reviewed_and_published_final(system, client, acknowledged, pk_2024):
    who = tokens(system, client)

    def draft():
        r = client.get(
            system.url("approval", "/api/v1/drafts"), params={"tahun": 2024, "periode": "TW1"}, headers=who["staf"]
        )
        assert r.status_code == 200, r.text
        return r.json()[0] if r.json() else None

    d = wait(draft, "the TW1 draft to reach approval")
    assert (d["state"], d["step"], d["may_approve"], d["may_return"]) == ("menunggu", 4, True, False)
    draft_id = d["id"]

    # the wrong role acts out of turn: refused, nothing changes
    r = decide(system, client, who["subkor"], draft_id, "approve")
    assert r.status_code == 403 and r.json()["errors"][0]["rule"] == "wrong_role"

    assert decide(system, client, who["staf"], draft_id, "approve", "Diajukan").status_code == 200
    r = decide(system, client, who["subkor"], draft_id, "return")
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "reason_required"
    r = decide(system, client, who["subkor"], draft_id, "return", "Periksa kembali IK-2.1")
    assert r.status_code == 200 and r.json()["state"] == "dikembalikan"
    assert decide(system, client, who["staf"], draft_id, "approve", "Sudah diperiksa").status_code == 200
    r = decide(system, client, who["subkor"], draft_id, "approve", "Disetujui")
    assert r.status_code == 200 and r.json()["state"] == "final", r.text

    # a decision on a final draft: the draft has moved on
    r = decide(system, client, who["subkor"], draft_id, "approve", "lagi")
    assert r.status_code == 409

    def final_doc():
        r = client.get(
            system.url("renderer", "/api/v1/documents"), params={"tahun": 2024, "periode": "TW1"}, headers=system.admin
        )
        return next((d for d in r.json() if d["status"] == "final"), None)

    doc = wait(final_doc, "the final TW1 documents")
    for fmt in ("docx", "pdf", "xlsx"):
        r = client.get(system.url("renderer", f"/api/v1/documents/{doc['id']}/file.{fmt}"), headers=system.admin)
        assert r.status_code == 200
        assert hashlib.sha256(r.content).hexdigest() == doc["files"][fmt]
    assert Path(doc["folder"], "laporan.pdf").exists()
    # the signatory (the Sub Koordinator) as the DraftApproved chain carried them: pangkat (golongan), NIP spaced
    text = subprocess.run(["pdftotext", "-layout", str(Path(doc["folder"], "laporan.pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    at = next(i for i, line in enumerate(lines) if line.startswith("Tangerang, "))
    assert lines[at + 1 : at + 5] == [
        "Sub Koordinator Perencanaan", "Budi Subkor", "Penata Tingkat I (III/d)", "NIP. 19820505 200801 1 002",
    ]  # fmt: skip

    def rekap_final():
        r = client.get(system.url("aggregator", "/api/v1/rekap/2024/TW1"), headers=system.admin)
        return r.json()["status"] == "final"

    wait(rekap_final, "the TW1 recap to become final")

    def collection_final():
        r = client.get(system.url("collector", "/api/v1/periode/2024/TW1/status"), headers=system.admin)
        return r.json()["status"] == "final"

    wait(collection_final, "TW1 to be final for collection")
