"""`lapkin demo`: the worked example through the running system, over HTTP, as an agency and officials would."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from shared.config import Settings
from shared.decimals import optional_decimal
from shared.formatting import fmt_number
from shared.sakip import PERIODE_QUARTERS, PERIODES
from shared.signing import install_office_certificate

DEMO_OFFICIALS = (
    {
        "username": "staf.demo",
        "nama": "Rina Staf",
        "nip": "199001012015032001",
        "jabatan": "Staf Penyusun Evaluasi Kinerja",
        "pangkat": "Penata Muda Tingkat I",
        "golongan": "III/b",
        "role": "staf",
    },
    {
        "username": "subkor.demo",
        "nama": "Budi Subkor",
        "nip": "198205052008011002",
        "jabatan": "Sub Koordinator Perencanaan",
        "pangkat": "Penata Tingkat I",  # signs the quarterly reports: the block prints "Penata Tingkat I (III/d)"
        "golongan": "III/d",
        "role": "subkor",
    },
)
DEMO_PASSWORD = "demo-lapkin-2024"


class Demo:
    def __init__(self, settings: Settings, echo: Callable[[str], Any]) -> None:
        self.s = settings
        self.echo = echo
        self.http = httpx.Client(timeout=60)
        self.admin = {"Authorization": f"Bearer {settings.resolved_admin_token()}"}

    def url(self, service: str, path: str) -> str:
        return f"{self.s.base_url(service)}{path}"

    def check(self, r: httpx.Response, *ok: int) -> Any:
        if r.status_code not in ok:
            raise RuntimeError(f"{r.request.method} {r.request.url} → {r.status_code}: {r.text[:500]}")
        return r.json() if r.content else None

    def wait(self, what: str, probe: Callable[[], Any], timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}")

    def load(self, examples: Path) -> dict[str, int]:
        pk = json.loads((examples / "pk-2024.json").read_text())
        submissions = json.loads((examples / "submissions-2024.json").read_text())
        tahun = pk["tahun"]
        r = self.check(
            self.http.put(self.url("collector", f"/api/v1/perjanjian-kinerja/{tahun}"), json=pk, headers=self.admin),
            200,
        )
        self.echo(f"1. Perjanjian Kinerja {tahun} v{r['version']}: {r['indikator']} indikator, {r['units']} unit")
        keys = {}
        for unit in pk["units"]:
            body = self.check(
                self.http.post(self.url("collector", f"/api/v1/units/{unit['kode']}/api-keys"), headers=self.admin), 201
            )
            keys[unit["kode"]] = body["api_key"]
        acknowledged: dict[str, int] = {}
        already_final = 0
        for sub in submissions:
            r = self.http.post(
                self.url("collector", "/api/v1/laporan-triwulan"),
                json=sub,
                headers={"Authorization": f"Bearer {keys[sub['unit']]}"},
            )
            if r.status_code == 409 and r.json()["errors"][0]["rule"] == "periode_closed":
                already_final += 1  # a previous demo run already took this quarter to its final report
                continue
            acknowledged[f"{sub['triwulan']}:{sub['unit']}"] = self.check(r, 202)["revision"]
        self.echo(
            f"2. {len(submissions) - already_final} laporan triwulan diterima dari {len(keys)} unit"
            + (f" ({already_final} untuk triwulan yang sudah final: ditolak, sesuai aturan)" if already_final else "")
        )
        return acknowledged

    def rekap(self, tahun: int, periode: str, acknowledged: dict[str, int]) -> dict[str, Any]:
        quarters = "".join(str(q) for q in PERIODE_QUARTERS[periode])
        want = {k: v for k, v in acknowledged.items() if k[0] in quarters}

        def probe() -> dict[str, Any] | None:
            body = self.check(
                self.http.get(self.url("aggregator", f"/api/v1/rekap/{tahun}/{periode}"), headers=self.admin), 200
            )
            return body if all(body["inputs"].get(k) == v for k, v in want.items()) else None

        return self.wait(f"rekap {periode}", probe)  # type: ignore[no-any-return]

    def documents(self, tahun: int, periode: str, status: str = "draft") -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            docs = self.check(
                self.http.get(
                    self.url("renderer", "/api/v1/documents"),
                    params={"tahun": tahun, "periode": periode},
                    headers=self.admin,
                ),
                200,
            )
            return next((d for d in reversed(docs) if d["status"] == status), None)

        return self.wait(f"dokumen {periode} ({status})", probe)  # type: ignore[no-any-return]

    def approve(self, tahun: int, periode: str) -> None:
        tokens = {}
        for official in DEMO_OFFICIALS:
            r = self.http.post(
                self.url("approval", "/api/v1/officials"),
                json={**official, "password": DEMO_PASSWORD},
                headers=self.admin,
            )
            self.check(r, 201, 409)
            login = self.check(
                self.http.post(
                    self.url("approval", "/api/v1/login"),
                    json={"username": official["username"], "password": DEMO_PASSWORD},
                ),
                200,
            )
            tokens[official["role"]] = {"Authorization": f"Bearer {login['token']}"}

        def draft() -> dict[str, Any] | None:
            drafts = self.check(
                self.http.get(
                    self.url("approval", "/api/v1/drafts"),
                    params={"tahun": tahun, "periode": periode},
                    headers=tokens["staf"],
                ),
                200,
            )
            return drafts[0] if drafts else None

        d = self.wait(f"draf {periode} di approval", draft)
        for role, note in (("staf", "Draf disusun dan diajukan"), ("subkor", "Disetujui")):
            if d["state"] == "final":
                break
            d = self.check(
                self.http.post(
                    self.url("approval", f"/api/v1/drafts/{d['id']}/decision"),
                    json={"decision": "approve", "note": note},
                    headers=tokens[role],
                ),
                200,
            )
            self.echo(f"   {role}: {d['state']}")


def office_certificate(settings: Settings, examples: Path, echo: Callable[[str], Any]) -> None:
    """Finals signed out of the box: a self-signed certificate of the example's office (CN = the instansi, O = the
    Pemda) into the data folder, where the services look when no LAPKIN_SIGNING_P12 is set; an installed or
    configured one is kept. An office installs its BSrE certificate the same way (docs/reports.md)."""
    instansi = json.loads((examples / "pk-2024.json").read_text())["instansi"]["nama"]
    made = install_office_certificate(settings, instansi)
    if made is not None:
        echo(f"0. Sertifikat tanda tangan kantor (self-signed, untuk demo): {made}")


def run_demo(settings: Settings, examples: Path, echo: Callable[[str], Any]) -> int:
    demo = Demo(settings, echo)
    office_certificate(settings, examples, echo)
    acknowledged = demo.load(examples)
    echo("3. Rekap (capaian instansi):")
    for periode in PERIODES:
        rekap = demo.rekap(2024, periode, acknowledged)
        capaian = fmt_number(optional_decimal(rekap["capaian_instansi"]))
        echo(
            f"   {periode:<8} {capaian:>8} %  {rekap['predikat_instansi']}"
            f"  ({rekap['status']}, revisi {rekap['revision']})"
        )
    echo("4. Draf laporan triwulan:")
    for periode in ("TW1", "TW2", "TW3", "TW4"):
        doc = demo.documents(2024, periode)
        echo(f"   {periode}: {doc['folder']}/laporan.{{docx,pdf,xlsx}}")
    echo("5. Persetujuan Triwulan I (staf mengajukan, Sub Koordinator menyetujui):")
    demo.approve(2024, "TW1")
    final = demo.documents(2024, "TW1", status="final")
    echo(f"6. Dokumen final TW1: {final['folder']}/laporan.pdf")
    echo(f"   SHA-256 (pdf): {final['files']['pdf']}")
    public = (settings.public_base_url or settings.base_url("approval")).rstrip("/")
    echo(f"   Verifikasi: {public}/verifikasi/{final['files']['pdf']}")
    return 0
