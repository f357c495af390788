"""Issue 17 through the renderer on real Redis streams and a real database: a follow-up on IK-2.2 (DisposisiIssued
with `indikator`) and its completion reach the renderer — the completion first, as a redelivery may bring it — and
the worked example's LKIP, draft and final, lists it in "Tindak Lanjut dan Pemanfaatan Informasi Kinerja" with its
result, in the PDF and the .docx, and lists as still without one exactly the other indicators under target in a
quarter's recap or the annual one (shared.sakip.kualitas.below_target, what the quality check counts); the Lembar
Disposisi of the same disposition is drawn as before."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

from docx import Document as Docx
from pypdf import PdfReader
from sqlmodel import select

from services.renderer.models import QuarterRecap, TindakLanjutRow
from shared.events import catalogue as ev
from shared.sakip.kualitas import below_target
from tests.integration.conftest import Service, eventually
from tests.integration.renderer.test_quarter_correction import publish, renderer  # noqa: F401  (renderer: the fixture)
from tests.unit.renderer.worked_example import load_pk, recaps

NOMOR = "004/TL/2024"
HASIL = "Jadwal pelatihan gelombang IV direvisi; 40 peserta tambahan lulus uji kompetensi"
KABID = ev.Actor(id=5, nama="Rina Kabid", role="subkor")


def documents(svc: Service, **params: Any) -> list[dict[str, Any]]:
    r = svc.client.get("/api/v1/documents", params={"tahun": 2024, **params}, headers=svc.admin)
    assert r.status_code == 200, r.text
    return list(r.json())


def annual(svc: Service, status: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((d for d in documents(svc, periode="TAHUNAN") if d["status"] == status), None)

    return eventually(found, timeout=60)  # type: ignore[no-any-return]


def file(svc: Service, doc: dict[str, Any], fmt: str) -> bytes:
    r = svc.client.get(f"/api/v1/documents/{doc['id']}/file.{fmt}", headers=svc.admin)
    assert r.status_code == 200, r.text
    return r.content


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    else:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


HEADING = "Tindak Lanjut dan Pemanfaatan Informasi Kinerja Atas informasi kinerja tahun"  # in Bab III, not the contents


def pdf_texts(pdf: bytes) -> tuple[str, str]:
    """(the whole text, the follow-up section: from its heading to the next)."""
    text = pdf_text(pdf)
    start = text.find(HEADING)
    assert start >= 0, "no follow-up section"
    return text, text[start : text.find("Catatan Konsistensi Data", start)]


def docx_texts(data: bytes) -> tuple[str, str]:
    """(the paragraphs' text, the follow-up section: its paragraphs and its table, the one headed "Hasil yang
    Diharapkan"); the table's codes carry non-breaking hyphens, read as "-"."""
    doc = Docx(io.BytesIO(data))
    text = " ".join(" ".join(p.text for p in doc.paragraphs).split())
    start = text.find(HEADING)
    assert start >= 0, "no follow-up section"
    table = next(t for t in doc.tables if "Hasil yang Diharapkan" in " ".join(c.text for c in t.rows[0].cells))
    cells = " ".join(" ".join(c.text for r in table.rows for c in r.cells).split()).replace("\u2011", "-")
    return text, text[start : text.find("Catatan Konsistensi Data", start)] + " " + cells


def texts(svc: Service, doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(the whole text, the follow-up section) of the document's PDF and .docx."""
    return [pdf_texts(file(svc, doc, "pdf")), docx_texts(file(svc, doc, "docx"))]


def follow_up_row(svc: Service) -> TindakLanjutRow | None:
    with svc.session() as s:
        return s.get(TindakLanjutRow, NOMOR)


def test_a_follow_up_and_its_result_reach_the_lkip_draft_and_final(renderer: Service) -> None:  # noqa: F811
    pk = load_pk()
    publish(
        renderer, "collector", "PerjanjianKinerjaPublished", ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=pk)
    )
    done = ev.DisposisiCompleted(
        nomor=NOMOR, tahun=2024, selesai_at="2024-09-20T03:00:00+00:00", oleh=KABID, hasil=HASIL,
        bukti=[ev.BuktiFile(sha256="ab" * 32, nama="daftar-hadir.pdf", media_type="application/pdf", size=2048),
               ev.BuktiFile(sha256="cd" * 32, nama="jadwal.xlsx", media_type="application/vnd.ms-excel", size=999)],
        indikator=["IK-2.2"], unit="BID-PPTK",
    )  # fmt: skip
    publish(renderer, "approval", "DisposisiCompleted", done)  # before its issue: kept, joined later
    eventually(lambda: (row := follow_up_row(renderer)) is not None and row.issued_at is None, timeout=20)
    issued = ev.DisposisiIssued(
        nomor=NOMOR, dari={"nama": "Kepala Dinas", "jabatan": "Kepala Dinas"}, kepada={"nama": "Rina Kabid"},
        instruksi="IK-2.2 di bawah target: Bidang PPTK merevisi jadwal pelatihan", batas_waktu="2024-09-30",
        tahun=2024, periode="TW2", indikator=["IK-2.2"], unit="BID-PPTK",
        hasil_diharapkan="Peserta uji kompetensi memenuhi target", sumber="rekap:2024-TW2",
    )  # fmt: skip
    publish(renderer, "approval", "DisposisiIssued", issued)
    eventually(lambda: (row := follow_up_row(renderer)) is not None and row.issued_at is not None, timeout=20)
    assert any(d["draft_id"] == "disposisi-004_TL_2024" for d in documents(renderer))  # the Lembar Disposisi too

    example = recaps(pk)
    for q in (1, 2, 3, 4):  # the quarters' recaps, kept by the renderer: an indicator short in one is listed too
        tw = {**example[f"TW{q}"], "revision": 1, "status": "complete"}
        quarter = ev.RekapCompleted(tahun=2024, periode=f"TW{q}", revision=1, status="complete", rekap=tw, inputs={})
        publish(renderer, "aggregator", "RekapCompleted", quarter)

    def kept() -> bool:
        with renderer.session() as s:
            return len(list(s.exec(select(QuarterRecap).where(QuarterRecap.tahun == 2024)))) == 4

    eventually(kept, timeout=60)
    below = [b["kode"] for b in below_target(example)]  # what the quality check and the follow-up page count
    without = [k for k in below if k != "IK-2.2"]
    assert len(without) >= 6  # the annual recap alone has IK-2.2 only: the quarters' bring the others
    body = {**example["TAHUNAN"], "revision": 1, "status": "complete"}
    rekap = ev.RekapCompleted(tahun=2024, periode="TAHUNAN", revision=1, status="complete", rekap=body, inputs={})
    publish(renderer, "aggregator", "RekapCompleted", rekap)
    draft = annual(renderer, "draft")
    unit = {u["kode"]: u["nama"] for u in pk["units"]}["BID-PPTK"]
    for text, part in texts(renderer, draft):
        for shown in (NOMOR, "IK-2.2", HASIL, "2 berkas", "30 September 2024", "selesai", unit):
            assert shown in part or set(shown.split()) <= set(part.split()), shown  # a PDF cell wraps its text
        assert part.count("belum ada tindak lanjut") == len(without)  # all but IK-2.2, which has one
        assert all(f"{k} " in part.split("belum memiliki tindak lanjut:", 1)[1] for k in without)
        assert "IK-2.2 Persentase peserta pelatihan yang lulus uji kompetensi di bawah target" not in part
        assert f"Atas indikator ini telah diterbitkan tindak lanjut {NOMOR}" in text  # IK-2.2's analysis

    approval = ev.DraftApproved(
        draft_id="2024-TAHUNAN", tahun=2024, periode="TAHUNAN", jenis="tahunan", version=draft["version"], step=9,
        actor=ev.Actor(id=1, nama="Kepala Dinas", role="kepala_dinas"), final=True,
        chain=[{"nama": "Kepala Dinas", "jabatan": "Kepala Dinas", "decided_at": "2025-01-24"}],
    )  # fmt: skip
    publish(renderer, "approval", "DraftApproved", approval)
    final = annual(renderer, "final")
    for _, part in texts(renderer, final):
        assert NOMOR in part and set(HASIL.split()) <= set(part.split()) and "selesai" in part
