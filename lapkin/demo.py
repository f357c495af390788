"""`lapkin demo`: the worked example through the running system, over HTTP, as an agency and officials would.

The quick demo (the default) loads the example and takes Triwulan I through approval; `--lengkap` then takes every
other period through the whole workflow of services/approval/workflow.yaml (TW2–TW4, S1, S2 and the annual LKIP) and
prints where the signed final LKIP is. The demo's officials get generated passwords, written to a file readable by
the owner only (`credentials_path`) so they can log into the officials' web app afterwards."""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from shared import clock
from shared.config import Settings
from shared.decimals import optional_decimal
from shared.formatting import fmt_number
from shared.sakip import PERIODE_QUARTERS, PERIODES
from shared.signing import install_office_certificate

STAF = {
    "username": "staf.demo",
    "nama": "Rina Staf",
    "nip": "199001012015032001",
    "jabatan": "Staf Penyusun Evaluasi Kinerja",
    "pangkat": "Penata Muda Tingkat I",
    "golongan": "III/b",
    "role": "staf",
}
SUBKOR = {
    "username": "subkor.demo",
    "nama": "Budi Subkor",
    "nip": "198205052008011002",
    "jabatan": "Sub Koordinator Perencanaan",
    "pangkat": "Penata Tingkat I",  # signs the quarterly reports: the block prints "Penata Tingkat I (III/d)"
    "golongan": "III/d",
    "role": "subkor",
}
KABID = {
    "username": "kabid.demo",
    "nama": "Agus Setiawan, S.E., M.M.",
    "nip": "197804042005011004",
    "jabatan": "Kepala Bidang Pelatihan dan Produktivitas Tenaga Kerja",
    "pangkat": "Pembina",
    "golongan": "IV/a",
    "role": "kabid",
}
SEKRETARIS = {
    "username": "sekretaris.demo",
    "nama": "Hadi Santoso, S.H., M.Si.",
    "nip": "197006062000031006",
    "jabatan": "Sekretaris Dinas Ketenagakerjaan",
    "pangkat": "Pembina Tingkat I",  # signs the semester reports
    "golongan": "IV/b",
    "role": "sekretaris",
}
INSPEKTORAT = {  # the city's internal auditor: reads everything, answers the AKIP evaluation (issue 17)
    "username": "inspektorat.demo",
    "nama": "Dewi Lestari, S.E., M.Ak.",
    "nip": "197507072001122007",
    "jabatan": "Auditor Ahli Madya, Inspektorat Kota Tangerang",
    "pangkat": "Pembina",
    "golongan": "IV/a",
    "role": "inspektorat",
}
DEMO_OFFICIALS = (STAF, SUBKOR)  # the quick demo: Triwulan I's chain
CREDENTIALS_FILE = "demo-pejabat.txt"
NOTES = {"staf": "Draf disusun dan diajukan", "kepala_dinas": "Disahkan"}  # every other approver: "Disetujui"
ROLE_NAMES = {
    "staf": "staf",
    "subkor": "Sub Koordinator",
    "kabid": "Kepala Bidang",
    "sekretaris": "Sekretaris",
    "kepala_dinas": "Kepala Dinas",
    "inspektorat": "Inspektorat",
}
LENGKAP = ("TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN")  # the order the workflow allows (`requires`: semester first)
PROGRESS_EVERY_S = 10.0


def kepala_dinas(pk: dict[str, Any]) -> dict[str, str]:
    """The Kepala Dinas who signs the LKIP: the office head who signed the example's PK (same name, NIP, pangkat)."""
    kepala = pk["instansi"]["kepala"]
    return {
        "username": "kadis.demo",
        "nama": kepala["nama"],
        "nip": kepala.get("nip") or "",
        "jabatan": kepala.get("jabatan") or "Kepala Dinas",
        "pangkat": kepala.get("pangkat") or "",
        "golongan": kepala.get("golongan") or "",
        "role": "kepala_dinas",
    }


# ---- the officials' logins ------------------------------------------------------------------------------------------


def credentials_path(settings: Settings) -> Path:
    return settings.data_dir / CREDENTIALS_FILE


def read_credentials(path: Path) -> dict[str, list[str]]:
    """username → [password, role, nama] from the credentials file (nothing when it is missing)."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) == 4:
            found[fields[0]] = fields[1:]
    return found


def write_credentials(path: Path, login_url: str, rows: dict[str, list[str]]) -> None:
    """The demo officials' user names and passwords, one a line (tab-separated), in a file only its owner can read
    (mode 0600 from its creation: written to a new file, then renamed over the old one)."""
    lines = [
        "# Akun pejabat demo Lapkin (dibuat oleh `lapkin demo`; bukan untuk produksi) / Lapkin demo officials",
        f"# masuk / log in: {login_url}",
        "# nama_pengguna\tkata_sandi\tperan\tnama",
    ]
    lines += ["\t".join((username, *fields)) for username, fields in rows.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # a leftover would keep its own mode: the file is made new, 0600 from the start
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    tmp.replace(path)


def new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters of A–Z a–z 0–9 - _


class Demo:
    def __init__(self, settings: Settings, echo: Callable[[str], Any]) -> None:
        self.s = settings
        self.echo = echo
        self.http = httpx.Client(timeout=60)
        self.admin = {"Authorization": f"Bearer {settings.resolved_admin_token()}"}
        self.tokens: dict[str, dict[str, str]] = {}  # role → the demo official's bearer header

    def url(self, service: str, path: str) -> str:
        return f"{self.s.base_url(service)}{path}"

    def check(self, r: httpx.Response, *ok: int) -> Any:
        if r.status_code not in ok:
            raise RuntimeError(f"{r.request.method} {r.request.url} → {r.status_code}: {r.text[:500]}")
        return r.json() if r.content else None

    def wait(self, what: str, probe: Callable[[], Any], timeout: float = 120) -> Any:
        """`probe()` until it answers; a progress line every PROGRESS_EVERY_S seconds while it takes long."""
        start = time.monotonic()
        told = start
        while time.monotonic() < start + timeout:
            result = probe()
            if result:
                return result
            time.sleep(0.3)
            if time.monotonic() - told >= PROGRESS_EVERY_S:
                told = time.monotonic()
                self.echo(f"   … menunggu {what} ({told - start:.0f} detik)")
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

    def documents(self, tahun: int, periode: str, status: str = "draft", timeout: float = 120) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            docs = self.check(
                self.http.get(
                    self.url("renderer", "/api/v1/documents"),
                    params={"tahun": tahun, "periode": periode},
                    headers=self.admin,
                ),
                200,
            )
            reports = (d for d in reversed(docs) if d["jenis"] != "disposisi")  # not a period's Lembar Disposisi
            return next((d for d in reports if d["status"] == status), None)

        return self.wait(f"dokumen {periode} ({status})", probe, timeout)  # type: ignore[no-any-return]

    # ---- officials ----------------------------------------------------------------------------------------------

    def log_in(self, officials: Iterable[dict[str, str]]) -> None:
        """Each official made (a second run finds them made) and logged in; the passwords: the credentials file's,
        or new ones (set directly in the approval database when the official exists with a password the file does
        not know, e.g. made by an older demo), written back to the file with the other officials it lists."""
        path = credentials_path(self.s)
        rows = read_credentials(path)
        for official in officials:
            username = official["username"]
            known = rows.get(username, [""])[0]
            password = known or new_password()
            r = self.http.post(
                self.url("approval", "/api/v1/officials"), json={**official, "password": password}, headers=self.admin
            )
            self.check(r, 201, 409)
            login = self._login(username, password) if r.status_code == 201 or known else None
            if login is None:  # exists, and the file does not know its password (or knows a wrong one)
                password = new_password()
                self._reset_password(username, password)
                login = self._login(username, password)
            if login is None:
                raise RuntimeError(f"{username}: login refused after its password was set")
            self.tokens[official["role"]] = {"Authorization": f"Bearer {self.check(login, 200)['token']}"}
            rows[username] = [password, official["role"], official["nama"]]
        write_credentials(path, self.login_url(), rows)

    def _login(self, username: str, password: str) -> httpx.Response | None:
        r = self.http.post(self.url("approval", "/api/v1/login"), json={"username": username, "password": password})
        return None if r.status_code == 401 else r

    def _reset_password(self, username: str, password: str) -> None:
        from services.approval.officials import publish_generations, reset_password, with_session

        official = with_session(self.s, lambda session: reset_password(session, username, password))
        publish_generations(self.s, [official])

    def login_url(self) -> str:
        return self.url("approval", "/masuk")

    # ---- approval -----------------------------------------------------------------------------------------------

    def draft(self, tahun: int, periode: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            drafts = self.check(
                self.http.get(
                    self.url("approval", "/api/v1/drafts"),
                    params={"tahun": tahun, "periode": periode},
                    headers=self.admin,
                ),
                200,
            )
            return drafts[0] if drafts else None

        return self.wait(f"draf {periode} di approval", probe)  # type: ignore[no-any-return]

    def follow_up(self, tahun: int) -> None:
        """Proof that the year's performance information is used (issue 17): from the annual recap, the Sekretaris
        issues a follow-up (tindak lanjut) for the first indicator under target to the Kepala Bidang answering for
        it, who marks it done with its result and an evidence file — before the LKIP is approved, so the final
        LKIP lists it. A second run finds it done and says so."""
        sek, kabid = self.tokens["sekretaris"], self.tokens["kabid"]
        url = self.url("approval", "/api/v1/tindak-lanjut")
        listed = self.check(self.http.get(url, params={"tahun": tahun}, headers=sek), 200)
        if listed["tindak_lanjut"]:
            tl = listed["tindak_lanjut"][0]
            self.echo(f"   Tindak lanjut {tl['nomor']} ({', '.join(tl['indikator'])}): {tl['status']}")
            return
        misses = listed["tanpa_tindak_lanjut"]
        miss = next((m for m in misses if m["periode"] == "TAHUNAN"), misses[0] if misses else None)
        if miss is None:
            return
        kode, capaian = miss["indikator"], fmt_number(optional_decimal(miss["capaian"]))
        unit = miss["unit_nama"] or miss["unit"] or "unit penanggung jawab"
        tl = self.check(
            self.http.post(
                url,
                json={
                    "tahun": tahun,
                    "periode": "TAHUNAN",
                    "kepada_role": "kabid",
                    "indikator": [kode],
                    "unit": miss["unit"],
                    "instruksi": f"{kode} di bawah target (capaian {capaian} %): {unit} menelaah penyebabnya dan "
                    "menyesuaikan jadwal kegiatan tahun berikutnya.",
                    "hasil_diharapkan": f"Jadwal kegiatan {tahun + 1} yang direvisi untuk {kode}, dibahas dalam "
                    "rapat evaluasi kinerja.",
                    "batas_waktu": (clock.office_date() + timedelta(days=30)).isoformat(),
                    "sumber": f"rekap:{tahun}-TAHUNAN",
                },
                headers=sek,
            ),
            201,
        )
        pdf = evidence_pdf(
            f"Notulen Rapat Evaluasi Kinerja — tindak lanjut {tl['nomor']}",
            [f"Indikator {kode} ({miss['nama']}), capaian {capaian} %.", "Jadwal kegiatan direvisi dan disepakati."],
        )
        self.check(
            self.http.post(
                self.url("approval", f"/api/v1/disposisi/{tl['id']}/selesai"),
                data={"hasil": f"Jadwal kegiatan {tahun + 1} untuk {kode} direvisi dan disepakati dalam rapat "
                      "evaluasi kinerja; notulen terlampir."},
                files={"bukti": ("notulen-rapat-evaluasi.pdf", pdf, "application/pdf")},
                headers=kabid,
            ),
            200,
        )  # fmt: skip
        self.echo(f"   Tindak lanjut {tl['nomor']} ({kode}, capaian {capaian} %): Kepala Bidang, selesai dengan bukti")

    def evaluation_links(self, tahun: int) -> None:
        """Where the SAKIP evaluation of the year is: the quality check's figures of the LKIP (coverage of each
        measured criterion), the self-assessment and the evaluator's export."""
        d = self.draft(tahun, "TAHUNAN")
        detail = self.check(
            self.http.get(self.url("approval", f"/api/v1/drafts/{d['id']}"), headers=self.tokens["sekretaris"]), 200
        )
        kualitas = detail.get("kualitas") or {}
        seen: dict[str, str] = {}
        for k in kualitas.get("kriteria") or []:
            seen.setdefault(k["kunci"], f"{k['kunci']} {k['ada']}/{k['dari']}")
        if seen:
            self.echo(f"   Uji kualitas LKjIP (kriteria terukur): {', '.join(seen.values())}")
        base = self.s.base_url("approval")
        self.echo(f"   Evaluasi AKIP {tahun}: {base}/evaluasi/{tahun}")
        self.echo(f"   Ekspor pemanfaatan informasi kinerja: {base}/evaluasi/{tahun}/pemanfaatan (.pdf, .xlsx)")

    def approve(self, tahun: int, periode: str, timeout: float = 180) -> list[str]:
        """Take the period's draft to final: whoever the workflow names next (`acting_role`) approves, until final.
        A new draft version arriving meanwhile (a new recap revision) supersedes the one under review and restarts
        its chain (409 `draft_moved_on` for a decision on the old one): the loop follows it. Returns who acted."""
        d = self.draft(tahun, periode)
        acted: list[str] = []
        deadline = time.monotonic() + timeout
        while d["state"] != "final":
            if time.monotonic() > deadline:
                raise RuntimeError(f"draf {periode} tidak final dalam {timeout:.0f} detik: {d['state']}")
            role = d["acting_role"]
            if role not in self.tokens:
                raise RuntimeError(f"draf {periode} menunggu peran {role!r}, yang tidak dimiliki pejabat demo")
            r = self.http.post(
                self.url("approval", f"/api/v1/drafts/{d['id']}/decision"),
                json={"decision": "approve", "note": NOTES.get(role, "Disetujui"), "version": d["version"]},
                headers=self.tokens[role],
            )
            if r.status_code == 409:  # superseded by a newer version, or still waiting: look again
                time.sleep(0.5)
                d = self.draft(tahun, periode)
                continue
            d = self.check(r, 200)
            acted.append(role)
        return acted


def evidence_pdf(title: str, lines: Iterable[str]) -> bytes:
    """A small PDF standing for a follow-up's evidence (the minutes of the meeting that acted on it)."""
    from html import escape

    from weasyprint import HTML

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return HTML(string=f"<h1 style='font-size:14pt'>{escape(title)}</h1>{body}").write_pdf()  # type: ignore[no-any-return]


def office_certificate(settings: Settings, examples: Path, echo: Callable[[str], Any]) -> None:
    """Finals signed out of the box: a self-signed certificate of the example's office (CN = the instansi, O = the
    Pemda) into the data folder, where the services look when no LAPKIN_SIGNING_P12 is set; an installed or
    configured one is kept. An office installs its BSrE certificate the same way (docs/reports.md)."""
    instansi = json.loads((examples / "pk-2024.json").read_text())["instansi"]["nama"]
    made = install_office_certificate(settings, instansi)
    if made is not None:
        echo(f"0. Sertifikat tanda tangan kantor (self-signed, untuk demo): {shown(made)}")


def shown(path: str | Path) -> str:
    """A path as a reader types it: relative to the current folder when it is under it (`data/documents/…`)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def verification_url(settings: Settings, sha256: str) -> str:
    public = (settings.public_base_url or settings.base_url("approval")).rstrip("/")
    return f"{public}/verifikasi/{sha256}"


def run_demo(
    settings: Settings, examples: Path, echo: Callable[[str], Any], lengkap: bool = False, stops: bool = False
) -> int:
    """The worked example; `lengkap`: every period to its final; `stops`: the demo started the services and stops
    them when done (the login line then says to start them with `lapkin up`)."""
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
        echo(f"   {periode}: {shown(doc['folder'])}/laporan.{{docx,pdf,xlsx}}")
    echo("5. Persetujuan Triwulan I (staf mengajukan, Sub Koordinator menyetujui):")
    demo.log_in(DEMO_OFFICIALS)
    acted = demo.approve(2024, "TW1")
    for role in acted:
        echo(f"   {ROLE_NAMES[role]}: {'diajukan' if role == 'staf' else 'disetujui'}")
    if not acted:  # a second run on the same data folder: say so rather than print nothing under the heading
        echo("   sudah final sebelumnya (demo sebelumnya) / already final (an earlier demo)")
    final = demo.documents(2024, "TW1", status="final")
    echo(f"6. Dokumen final TW1: {shown(final['folder'])}/laporan.pdf")
    echo(f"   SHA-256 (pdf): {final['files']['pdf']}")
    echo(f"   Verifikasi: {verification_url(settings, final['files']['pdf'])}")
    if lengkap:
        run_lengkap(demo, examples)
    echo(
        f"{8 if lengkap else 7}. Aplikasi pejabat: {demo.login_url()}"
        + (" (setelah `lapkin up`; demo ini menghentikan layanannya)" if stops else "")
        + f" — nama pengguna dan kata sandi pejabat demo: {shown(credentials_path(settings))} (mode 0600)"
    )
    return 0


def run_lengkap(demo: Demo, examples: Path) -> None:
    """Every other period through its whole chain, then where the signed final LKIP is."""
    pk = json.loads((examples / "pk-2024.json").read_text())
    demo.log_in((*DEMO_OFFICIALS, KABID, SEKRETARIS, kepala_dinas(pk), INSPEKTORAT))
    echo = demo.echo
    echo("7. Persetujuan lengkap: Triwulan II–IV, Semester I–II, lalu LKIP tahunan (beberapa menit):")
    final: dict[str, Any] = {}
    for periode in LENGKAP:
        started = time.monotonic()
        if periode == "TAHUNAN":  # the LKIP reports what was done about the year's misses: follow one up first
            demo.follow_up(2024)
        acted = demo.approve(2024, periode)
        final = demo.documents(2024, periode, status="final", timeout=300)
        chain = ", ".join(ROLE_NAMES[r] for r in acted) or "sudah final sebelumnya"
        echo(f"   {periode:<8} final ({chain}; {time.monotonic() - started:.0f} detik): {shown(final['folder'])}")
    echo(f"   LKIP 2024 final, ditandatangani secara elektronik (versi {final['version']}):")
    for fmt in ("pdf", "docx", "xlsx"):
        echo(f"   {shown(final['folder'])}/laporan.{fmt}  SHA-256 {final['files'][fmt]}")
    echo(f"   Verifikasi: {verification_url(demo.s, final['files']['pdf'])}")
    demo.evaluation_links(2024)
