"""The evaluator's export (issue 17 item 3) on a real Redis and database: the worked example's TW1 goes through the
quarterly flow (submitted, returned with a reason, submitted again, approved to final, its final documents
published, circulated to two officials, one of whom reads it), the Sekretaris issues a disposition that the Sub
Koordinator finishes, and a follow-up on IK-2.2 is done with an evidence file. The export lists each of them with
the right official and time, in the JSON, on the page, in the PDF (its text) and in the .xlsx (its cells), in the
office's zone (Asia/Jakarta); a staf gets 403, the inspektorat 200."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select

from services.approval import pemanfaatan
from services.approval.lke import load_lke
from services.approval.main import create_app
from services.approval.models import DisposisiBukti, DisposisiRow, DraftHistory, DraftRow, PengingatRow
from services.approval.web.i18n import fmt_datetime
from services.approval.web.sessions import LANG_COOKIE
from services.approval.workflow import load_workflow
from shared import clock
from shared.config import Settings
from shared.db import make_engine
from tests.integration.conftest import _drop_schema
from tests.integration.ops.conftest import event, eventually, ops_settings, put, session_cookie
from tests.support.databases import fresh_database_url
from tests.unit.renderer.worked_example import recaps

PASSWORD = "rahasia-2024"
NAMES = {
    "staf": "Rina Staf", "subkor": "Bayu Subkor", "kabid": "Dewi Kabid", "kasi": "Eko Kasi",
    "sekretaris": "Hendra Sekretaris", "inspektorat": "Indah Inspektur",
}  # fmt: skip
TL_ISSUED = datetime(2024, 7, 8, 7, 5, tzinfo=UTC)  # 8 Juli 2024 14.05 WIB
TL_DONE = datetime(2024, 7, 20, 2, 30, tzinfo=UTC)  # 20 Juli 2024 09.30 WIB
SHA = "ab" * 32
UNIT = "Bidang Penempatan Tenaga Kerja"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str | None]:
    with fresh_database_url("lapkin_pm") as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """A fresh PostgreSQL database for the module when LAPKIN_TEST_DATABASE_URL is set (else SQLite in tmp_path);
    each test its own schema contents: the module's tests drop the approval schema after them."""
    made = ops_settings(tmp_path)
    return made.model_copy(update={"database_url": database_url}) if database_url else made


@pytest.fixture
def app(settings, r, database_url) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client
    _drop_schema(database_url, "approval")


def ok(res: Any, *codes: int) -> Any:
    assert res.status_code in (codes or (200,)), f"{res.request.url}: {res.status_code} {res.text}"
    return res.json() if "json" in res.headers.get("content-type", "") else res


@pytest.fixture
def people(app: TestClient, settings) -> dict[str, dict[str, Any]]:
    """One official per role: id, API token, web session cookie."""
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    out = {}
    for role, nama in NAMES.items():
        body = {"username": f"{role}-{settings.stream_prefix}", "password": PASSWORD, "nama": nama, "role": role,
                "jabatan": f"Jabatan {nama.split()[0]}"}  # fmt: skip
        made = ok(app.post("/api/v1/officials", json=body, headers=admin), 201)
        token = ok(app.post("/api/v1/login", json={"username": body["username"], "password": PASSWORD}))["token"]
        out[role] = {
            "id": made["id"],
            "api": {"Authorization": f"Bearer {token}"},
            "web": {"Cookie": f"lapkin_sesi={session_cookie(settings, int(made['id']))}"},
        }
    return out


def decide(app: TestClient, who: dict[str, Any], decision: str, note: str | None = None) -> None:
    version = ok(app.get("/api/v1/drafts/2024-TW1", headers=who["api"]))["version"]
    body = {"decision": decision, "version": version, **({"note": note} if note else {})}
    ok(app.post("/api/v1/drafts/2024-TW1/decision", json=body, headers=who["api"]))


def run_flow(app: TestClient, settings, r, people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The quarterly flow far enough to have decisions, a final, a circulation read, a disposition, a follow-up."""
    tw1 = recaps()["TW1"]
    body = {"tahun": 2024, "periode": "TW1", "revision": 1, "status": "complete", "rekap": tw1, "inputs": {}}
    put(r, settings, event("RekapCompleted", body, "aggregator"))
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
             "document_id": "2024-TW1-v1", "recap_revision": 1, "files": {}}  # fmt: skip
    put(r, settings, event("DraftRendered", draft, "renderer"))
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    eventually(lambda: app.get("/api/v1/drafts/2024-TW1", headers=admin).status_code == 200, what="the TW1 draft")
    decide(app, people["staf"], "approve")  # stage 1: the staf submits
    decide(app, people["subkor"], "return", "Lengkapi analisis penyebab IK-2.2")
    decide(app, people["staf"], "approve")
    decide(app, people["subkor"], "approve")  # final
    published = {"document_id": "2024-TW1-v1-final", "draft_id": "2024-TW1", "jenis": "triwulan", "tahun": 2024,
                 "periode": "TW1", "version": 1, "recap_revision": 1,
                 "files": {"pdf": SHA, "docx": "cd" * 32, "xlsx": "ef" * 32}}  # fmt: skip
    put(r, settings, event("DocumentPublished", published, "renderer"))
    penerima = [people["kabid"]["id"], people["kasi"]["id"]]
    sos = ok(app.post("/api/v1/drafts/2024-TW1/sosialisasi", json={"penerima": penerima, "catatan": "Untuk rapat"},
                      headers=people["subkor"]["api"]), 201)  # fmt: skip
    ok(app.post(f"/api/v1/sosialisasi/{sos['id']}/dibaca", headers=people["kabid"]["api"]))
    disp = {"kepada_role": "subkor", "instruksi": "Paparkan capaian TW I pada rapat pimpinan", "tahun": 2024,
            "periode": "TW1"}  # fmt: skip
    d = ok(app.post("/api/v1/disposisi", json=disp, headers=people["sekretaris"]["api"]), 201)
    ok(app.post(f"/api/v1/disposisi/{d['id']}/selesai", headers=people["subkor"]["api"]))
    # a follow-up as the tindak-lanjut pages record it: tied to IK-2.2, done with its result and an evidence file
    engine = make_engine(settings, "approval")
    try:
        with Session(engine) as db:
            tl = DisposisiRow(
                nomor="099/DISNAKER/PSM/2024", tahun=2024, urut=99, periode="TW2", dari_id=people["sekretaris"]["id"],
                kepada_id=people["kabid"]["id"], instruksi="Revisi jadwal pelatihan", issued_at=TL_ISSUED,
                batas_waktu=date(2024, 7, 31), indikator=json.dumps(["IK-2.2"]), unit="BID-PPTK",
                hasil_diharapkan="Lulusan bekerja naik ke 85 %", sumber="rekap:2024-TW2", selesai_at=TL_DONE,
                selesai_by=people["kabid"]["id"], hasil="Jadwal baru berlaku Agustus",
            )  # fmt: skip
            db.add(tl)
            db.add(PengingatRow(tahun=2024, periode="TW2", unit="BID-PPTK", jenis="pengingat", nama_unit=UNIT,
                                deadline=TL_ISSUED, missing="[]"))  # fmt: skip
            db.flush()
            assert tl.id is not None
            db.add(DisposisiBukti(disposisi_id=tl.id, sha256=SHA, nama="jadwal baru.pdf", media_type="application/pdf",
                                  size=10, uploaded_by=people["kabid"]["id"], uploaded_at=TL_DONE))  # fmt: skip
            db.commit()
            returned = db.exec(select(DraftHistory).where(DraftHistory.action == "return")).one()
            return {"tl": tl.id, "disposisi": d["id"], "sosialisasi": sos["id"], "returned_at": returned.at}
    finally:
        engine.dispose()


def test_the_export_lists_every_use_with_officials_dates_and_evidence(app, settings, r, people):
    ids = run_flow(app, settings, r, people)

    def final_recorded() -> bool:
        found = ok(app.get("/api/v1/evaluasi/2024/pemanfaatan", headers=people["inspektorat"]["api"]))
        return found["ringkasan"]["final"] == 1

    eventually(final_recorded, what="the DocumentPublished of TW1")
    found = ok(app.get("/api/v1/evaluasi/2024/pemanfaatan", headers=people["inspektorat"]["api"]))
    assert found["instansi"] == "Dinas Ketenagakerjaan Kota Tangerang"
    assert found["ringkasan"] == {
        "keputusan": 4, "disposisi": 1, "disposisi_selesai": 1, "tindak_lanjut": 1, "tindak_lanjut_selesai": 1,
        "sosialisasi": 1, "dibaca": 1, "final": 1,
    }  # fmt: skip
    assert found["ringkasan_id"] == (
        "4 keputusan atas laporan, 1 disposisi (1 selesai), 1 tindak lanjut (1 selesai), 1 sosialisasi, "
        "1 tanda baca, 1 dokumen final"
    )
    rows = found["pemanfaatan"]
    times = [datetime.fromisoformat(x["tanggal"]) for x in rows]
    assert times == sorted(times)
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in times)  # ISO UTC
    # the follow-up happened in July, before today's flow: first
    assert [x["jenis"] for x in rows[:2]] == ["tindak_lanjut", "tindak_lanjut_selesai"]
    decisions = [(x["aksi"], x["pejabat"]["nama"], x["pejabat"]["role"]) for x in rows if x["jenis"] == "keputusan"]
    assert decisions == [
        ("submit", "Rina Staf", "staf"), ("return", "Bayu Subkor", "subkor"), ("submit", "Rina Staf", "staf"),
        ("approve", "Bayu Subkor", "subkor"),
    ]  # fmt: skip
    ret = next(x for x in rows if x["aksi"] == "return")
    assert datetime.fromisoformat(ret["tanggal"]) == pemanfaatan.as_utc(ids["returned_at"])
    assert ret["uraian_id"] == (
        "Laporan Kinerja Triwulan I 2024 versi 1 dikembalikan; catatan: Lengkapi analisis penyebab IK-2.2"
    )
    assert ret["uraian_en"].startswith("Performance report Quarter I 2024 version 1 returned")
    assert (ret["periode"], ret["draft_id"], ret["tautan"]) == ("TW1", "2024-TW1", "/draf/2024-TW1")
    read = next(x for x in rows if x["jenis"] == "dibaca")
    assert (read["pejabat"]["nama"], read["tautan"]) == ("Dewi Kabid", f"/sosialisasi/{ids['sosialisasi']}")
    circulated = next(x for x in rows if x["jenis"] == "sosialisasi")
    assert "disosialisasikan kepada Dewi Kabid, Eko Kasi" in circulated["uraian_id"]
    assert "belum dibaca: Eko Kasi" in circulated["uraian_id"]  # the kasi has not opened it
    assert circulated["pejabat"]["nama"] == "Bayu Subkor"
    disp, done = (next(x for x in rows if x["jenis"] == k) for k in ("disposisi", "disposisi_selesai"))
    assert (disp["pejabat"]["nama"], done["pejabat"]["nama"]) == ("Hendra Sekretaris", "Bayu Subkor")
    assert "kepada Sub Koordinator Perencanaan: Paparkan capaian TW I" in disp["uraian_id"]
    tl, tl_done = rows[0], rows[1]
    assert tl["tanggal"] == TL_ISSUED.isoformat() and tl_done["tanggal"] == TL_DONE.isoformat()
    assert (tl["indikator"], tl["pejabat"]["nama"], tl_done["pejabat"]["nama"]) == (
        ["IK-2.2"], "Hendra Sekretaris", "Dewi Kabid",
    )  # fmt: skip
    # the unit by its name (services/approval/units.py), on the follow-up and on its done row
    for row in (tl, tl_done):
        assert f"unit penanggung jawab: {UNIT} (BID-PPTK)" in row["uraian_id"], row["uraian_id"]
        assert "hasil yang diharapkan: Lulusan bekerja naik ke 85 %" in row["uraian_id"]
    assert "batas waktu 31 Juli 2024" in tl["uraian_id"]
    assert "hasil: Jadwal baru berlaku Agustus" in tl_done["uraian_id"]
    assert tl_done["bukti"] == [
        {
            "judul": "Bukti: jadwal baru.pdf",
            "judul_en": "Evidence: jadwal baru.pdf",
            "tautan": f"/disposisi/{ids['tl']}/bukti/{SHA}",
            "nama": "jadwal baru.pdf",
            "sha256": SHA,
        }
    ]
    # two parts (PermenPANRB 88/2021): the uses, then the report's review and formalisation trail
    uses = {"tindak_lanjut", "tindak_lanjut_selesai", "disposisi", "disposisi_selesai", "sosialisasi", "dibaca"}
    assert all(x["bagian"] == ("pemanfaatan" if x["jenis"] in uses else "penelaahan") for x in rows)
    parts = found["bagian"]
    assert [p["kode"] for p in parts] == ["pemanfaatan", "penelaahan"]
    assert [p["jumlah"] for p in parts] == [6, 5]  # 2 follow-up, 2 disposition, 1 circulation, 1 read | 4 + 1 final
    assert (
        parts[0]["ringkasan_id"] == "1 tindak lanjut (1 selesai), 1 disposisi (1 selesai), 1 sosialisasi, 1 tanda baca"
    )
    assert parts[1]["ringkasan_id"] == "4 keputusan atas laporan, 1 dokumen final"
    lke = load_lke()
    for part, codes in zip(parts, (("3.c.1", "3.c.2", "3.c.3", "2.c.6"), ("3.a.3", "3.a.4")), strict=True):
        got = [k["kode"] for k in part["kriteria"]]
        assert set(codes) <= set(got)
        assert all(part["kode"] != "pemanfaatan" or not c.startswith("3.a") for c in got)
        for k in part["kriteria"]:  # each a criterion of the worksheet, with its text
            assert k["teks"] == lke.kriteria(k["kode"]).teks and k["teks_en"] == lke.kriteria(k["kode"]).teks_en
    final = next(x for x in rows if x["jenis"] == "final")
    assert final["pejabat"]["nama"] == "Bayu Subkor"  # whose approval made it final
    assert [b["tautan"] for b in final["bukti"]] == [f"/draf/2024-TW1/final.{f}" for f in ("pdf", "docx", "xlsx")]

    # the page (the inspektorat), in Indonesian, the office's zone
    page = ok(app.get("/evaluasi/2024/pemanfaatan", headers=people["inspektorat"]["web"])).text
    assert "Pemanfaatan Informasi Kinerja 2024" in page
    assert all(p["ringkasan_id"] in page for p in parts)
    assert "8 Juli 2024 14.05 WIB" in page and "20 Juli 2024 09.30 WIB" in page
    assert 'href="/evaluasi/2024/pemanfaatan.pdf"' in page and 'href="/evaluasi/2024/pemanfaatan.xlsx"' in page
    assert page.count('<tr class="pm-') == len(rows)
    uses_at, trail_at = page.index('id="bagian-pemanfaatan"'), page.index('id="bagian-penelaahan"')
    assert uses_at < page.index('class="pm-tindak_lanjut"') < trail_at < page.index('class="pm-keputusan"')
    assert page.index('id="pemanfaatan-ringkasan"') < uses_at and "1 tindak lanjut (1 selesai)" in page
    assert "3.c.3" in page[uses_at:trail_at] and "3.a.4" in page[trail_at:]
    for link in ("/draf/2024-TW1", f"/disposisi/{ids['tl']}", f"/disposisi/{ids['tl']}/bukti/{SHA}",
                 f"/sosialisasi/{ids['sosialisasi']}", "/draf/2024-TW1/final.pdf"):  # fmt: skip
        assert f'href="{link}"' in page, link
    english = ok(app.get("/evaluasi/2024/pemanfaatan", headers={
        "Cookie": f"{people['inspektorat']['web']['Cookie']}; {LANG_COOKIE}=en"})).text  # fmt: skip
    assert "Use of Performance Information 2024" in english and "8 July 2024 14:05 WIB" in english
    assert "Evidence: jadwal baru.pdf" in english and "Final PDF (SHA-256 abababababab)" in english

    # the PDF: A4 landscape, the title line, every record with its official and time, page numbers
    res = ok(app.get("/evaluasi/2024/pemanfaatan.pdf", headers=people["inspektorat"]["web"]))
    assert res.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(res.content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert round(float(box.width)) == 842  # A4: 297 mm
    text = subprocess.run(["pdftotext", "-", "-"], input=res.content, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    flat = " ".join(text.split())
    assert "Pemanfaatan Informasi Kinerja — Dinas Ketenagakerjaan Kota Tangerang" in flat
    assert "Tahun 2024 · Dibuat pada" in flat and "Halaman 1 dari" in flat
    assert "8 Juli 2024 14.05 WIB" in flat and "20 Juli 2024 09.30 WIB" in flat
    assert fmt_datetime(ids["returned_at"], "id") in flat
    for nama in ("Rina Staf", "Bayu Subkor", "Dewi Kabid", "Hendra Sekretaris"):
        assert nama in flat
    assert "Lengkapi analisis penyebab IK-2.2" in flat
    assert flat.index("Bagian 1 — Pemanfaatan informasi kinerja") < flat.index("Bagian 2 — Jejak reviu")
    assert flat.index("Bagian 2 — Jejak reviu") < flat.index("Lengkapi analisis penyebab IK-2.2")
    # evidence: the file's name and a short hash, never a hash broken over lines
    assert "Bukti: jadwal baru.pdf · SHA-256 abababababab" in flat and SHA not in flat
    hashes = re.findall(r"(?<![0-9a-z])(?:ab|cd|ef){2,}[a-f]*(?![0-9a-z])", text)  # the files' hashes, as printed
    assert hashes and all(len(h) == 12 for h in hashes), hashes  # whole short hashes: none broken over lines
    assert f"unit penanggung jawab: {UNIT} (BID-PPTK)" in flat

    # the workbook: a sheet per part, real dates in the office's zone with Indonesian months, filters, the header
    # repeated, widths, each evidence a hyperlink, the links relative (no public address set)
    res = ok(app.get("/evaluasi/2024/pemanfaatan.xlsx", headers=people["inspektorat"]["web"]))
    book = load_workbook(io.BytesIO(res.content))
    assert book.sheetnames == ["Pemanfaatan", "Reviu dan pengesahan laporan"]
    ws, trail = book["Pemanfaatan"], book["Reviu dan pengesahan laporan"]
    assert ws["A4"].value == "Bagian 1 — Pemanfaatan informasi kinerja" and "3.c.3" in ws["A5"].value
    assert "1 tindak lanjut (1 selesai)" in ws["A3"].value and "4 keputusan atas laporan" in ws["A3"].value
    header = [c.value for c in ws[6]]
    assert header[:6] == ["No.", "Tanggal (WIB)", "Jenis", "Periode / laporan", "Uraian", "Pejabat"]
    assert header[8:] == ["Tautan", "Bukti"]
    assert ws.auto_filter.ref == "A6:J12"  # 6 uses
    assert ws.print_title_rows == "$6:$6" and ws.column_dimensions["E"].width == 70
    cells = [[c.value for c in row] for row in ws.iter_rows(min_row=7, max_row=12)]
    assert cells[0][1] == datetime(2024, 7, 8, 14, 5) and cells[1][1] == datetime(2024, 7, 20, 9, 30)
    assert ws["B7"].number_format == '[$-421]d mmmm yyyy hh"."mm'
    assert (cells[0][2], cells[0][5], cells[1][5]) == ("Tindak lanjut", "Hendra Sekretaris", "Dewi Kabid")
    assert cells[1][9] == "Bukti: jadwal baru.pdf · SHA-256 abababababab"
    assert ws["J8"].hyperlink.target == f"/disposisi/{ids['tl']}/bukti/{SHA}"
    assert ws["I8"].hyperlink.target == f"/disposisi/{ids['tl']}"
    assert {row[2] for row in cells} == {"Tindak lanjut", "Tindak lanjut selesai", "Disposisi", "Disposisi selesai",
                                         "Sosialisasi", "Tanda baca"}  # fmt: skip
    assert next(row for row in cells if row[2] == "Tanda baca")[5] == "Dewi Kabid"
    trail_cells = [[c.value for c in row] for row in trail.iter_rows(min_row=7, max_row=trail.max_row)]
    assert len(trail_cells) == 5 and trail.auto_filter.ref == "A6:L11"  # the final's three files: Bukti 1–3
    local_return = clock.to_office(ids["returned_at"]).replace(tzinfo=None, microsecond=0)
    returned = next(row for row in trail_cells if "dikembalikan" in row[4])
    assert returned[1].replace(microsecond=0) == local_return and returned[5] == "Bayu Subkor"
    final_row = next(i for i, row in enumerate(trail_cells, start=7) if row[2] == "Dokumen final")
    assert [trail.cell(final_row, c).hyperlink.target for c in (10, 11, 12)] == [
        f"/draf/2024-TW1/final.{f}" for f in ("pdf", "docx", "xlsx")
    ]
    # as LibreOffice shows it (cells as shown): Indonesian months, "14.05"
    shown = as_shown(res.content, settings)
    assert "8 Juli 2024 14.05" in shown and "20 Juli 2024 09.30" in shown and "July" not in shown


def as_shown(xlsx: bytes, settings) -> str:
    """The first sheet as LibreOffice shows its cells (CSV, "save cell contents as shown")."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = Path(tempfile.mkdtemp(prefix="pm-lo-"))
    (work / "x.xlsx").write_bytes(xlsx)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", str(work), str(work / "x.xlsx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (work / "x.csv").read_text(encoding="utf-8")


def test_only_oversight_and_the_inspektorat_may_open_the_export(app, settings, r, people):
    for role in ("staf", "kabid", "subkor"):
        res = app.get("/evaluasi/2024/pemanfaatan", headers=people[role]["web"])
        assert res.status_code == 403 and "hanya dapat dibuka Sekretaris Dinas" in res.text
        assert app.get("/evaluasi/2024/pemanfaatan.pdf", headers=people[role]["web"]).status_code == 403
        assert app.get("/evaluasi/2024/pemanfaatan.xlsx", headers=people[role]["web"]).status_code == 403
        api = app.get("/api/v1/evaluasi/2024/pemanfaatan", headers=people[role]["api"])
        assert api.status_code == 403 and api.json()["errors"][0]["rule"] == "not_allowed"
    for role in ("inspektorat", "sekretaris"):
        page = ok(app.get("/evaluasi/2024/pemanfaatan", headers=people[role]["web"])).text
        assert 'id="pemanfaatan-none"' in page  # nothing recorded for 2024 yet
        empty = ok(app.get("/api/v1/evaluasi/2024/pemanfaatan", headers=people[role]["api"]))
        assert empty["pemanfaatan"] == [] and empty["ringkasan"]["keputusan"] == 0
    assert app.get("/evaluasi/1999/pemanfaatan", headers=people["inspektorat"]["web"]).status_code in (404, 422)
    # a year is written in digits: "2024.0" is not read as 2024 (pydantic's lax int would), in the API and the pages
    for bad in ("2024.0", "+2024", "2024%20", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94"):
        api = app.get(f"/api/v1/evaluasi/{bad}/pemanfaatan", headers=people["inspektorat"]["api"])
        assert api.status_code == 422 and api.json()["errors"][0]["field"].endswith("tahun"), (bad, api.text)
        for suffix in ("", ".pdf", ".xlsx"):
            res = app.get(f"/evaluasi/{bad}/pemanfaatan{suffix}", headers=people["inspektorat"]["web"])
            assert res.status_code == 422 and "text/html" in res.headers["content-type"], (bad, suffix)
    assert app.get("/api/v1/evaluasi/2024/pemanfaatan").status_code == 401
    login = app.get("/evaluasi/2024/pemanfaatan")
    assert login.status_code == 303 and login.headers["location"].startswith("/masuk")


def test_a_koreksi_return_names_its_units_and_a_gone_official_keeps_the_historys_name(app, settings):
    """From the history's own records: a return naming units is a koreksi (with the units and indicators); an
    official no longer on file is named as the history recorded them; the draft history's circulation entries and
    other years' records are not listed; drafts' other transitions (rendered) are not uses."""
    at = datetime(2025, 1, 15, 1, 0, tzinfo=UTC)  # 15 Januari 2025 08.00 WIB: the 2024 report, decided in 2025
    engine = make_engine(settings, "approval")
    try:
        with Session(engine) as db:
            for tahun in (2023, 2024):
                db.add(DraftRow(id=f"{tahun}-S2", jenis="semester", tahun=tahun, periode="S2", version=1,
                                document_id=f"{tahun}-S2-v1", recap_revision=1, state="dikembalikan",
                                data="{}"))  # fmt: skip
                for action in ("rendered", "return", "sosialisasi", "dibaca"):
                    detail = (
                        json.dumps({"units": ["BID-PPTK"], "indikator": ["IK-2.2"]}) if action == "return" else None
                    )
                    db.add(DraftHistory(draft_id=f"{tahun}-S2", version=1, action=action, step=7, actor_id=9999,
                                        actor_nama="Pejabat Lama", actor_role="kabid", note="Data IK-2.2 keliru",
                                        at=at, detail=detail))  # fmt: skip
            db.commit()
        with Session(engine) as db:
            found = pemanfaatan.records(db, load_workflow(), 2024)
    finally:
        engine.dispose()
    assert len(found) == 1
    (koreksi,) = found
    assert (koreksi["jenis"], koreksi["aksi"], koreksi["indikator"]) == ("keputusan", "koreksi", ["IK-2.2"])
    assert koreksi["pejabat"] == {"id": 9999, "nama": "Pejabat Lama", "jabatan": None, "role": "kabid",
                                  "role_nama": "Kepala Bidang"}  # fmt: skip
    assert koreksi["uraian_id"] == (
        "Laporan Kinerja Semester II 2024 versi 1 dikembalikan untuk koreksi data; unit: BID-PPTK; "
        "catatan: Data IK-2.2 keliru"
    )
    assert koreksi["tanggal"] == at.isoformat() and koreksi["draft_id"] == "2024-S2"


def test_links_use_the_public_address_when_set_and_periodless_dispositions_are_left_out(tmp_path, database_url, r):
    """With LAPKIN_PUBLIC_BASE_URL the PDF's and the workbook's links start with it (the verification links do the
    same); a disposition that names neither a period nor indicators is not a use of performance information."""
    base = ops_settings(tmp_path)
    settings = base.model_copy(
        update={"public_base_url": "https://lapkin.example.go.id/", **({"database_url": database_url} if database_url
                                                                       else {})}
    )  # fmt: skip
    with TestClient(create_app(settings), follow_redirects=False) as client:
        try:
            admin = {"Authorization": f"Bearer {settings.admin_token}"}
            body = {"username": f"insp-{settings.stream_prefix}", "password": PASSWORD, "nama": "Indah Inspektur",
                    "role": "inspektorat"}  # fmt: skip
            made = ok(client.post("/api/v1/officials", json=body, headers=admin), 201)
            engine = make_engine(settings, "approval")
            try:
                with Session(engine) as db:
                    for urut, periode in ((1, "TW2"), (2, None)):
                        db.add(DisposisiRow(nomor=f"00{urut}/X/2024", tahun=2024, urut=urut, periode=periode,
                                            dari_id=made["id"], kepada_role="subkor", instruksi=f"Instruksi {urut}",
                                            issued_at=TL_ISSUED))  # fmt: skip
                    db.commit()
                    first = db.exec(select(DisposisiRow).where(DisposisiRow.urut == 1)).one()
            finally:
                engine.dispose()
            web = {"Cookie": f"lapkin_sesi={session_cookie(settings, int(made['id']))}"}
            token = ok(client.post("/api/v1/login", json={"username": body["username"], "password": PASSWORD}))
            found = ok(client.get("/api/v1/evaluasi/2024/pemanfaatan",
                                  headers={"Authorization": f"Bearer {token['token']}"}))  # fmt: skip
            assert [x["uraian_id"].split(": ")[-1] for x in found["pemanfaatan"]] == ["Instruksi 1"]
            assert found["pemanfaatan"][0]["tautan"] == f"/disposisi/{first.id}"  # the JSON stays relative
            res = ok(client.get("/evaluasi/2024/pemanfaatan.xlsx", headers=web))
            ws = load_workbook(io.BytesIO(res.content))["Pemanfaatan"]
            assert ws["I7"].hyperlink.target == f"https://lapkin.example.go.id/disposisi/{first.id}"
            assert ws["I7"].value == f"/disposisi/{first.id}"
            pdf = ok(client.get("/evaluasi/2024/pemanfaatan.pdf", headers=web)).content
            uris = [
                a.get_object()["/A"]["/URI"]
                for page in PdfReader(io.BytesIO(pdf)).pages
                for a in page.get("/Annots", [])
                if "/A" in a.get_object()
            ]
            assert f"https://lapkin.example.go.id/disposisi/{first.id}" in uris
            page = ok(client.get("/evaluasi/2024/pemanfaatan", headers=web)).text
            assert f'href="/disposisi/{first.id}"' in page  # in the app itself: relative
        finally:
            pass
    _drop_schema(database_url, "approval")
