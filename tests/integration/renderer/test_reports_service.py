"""The renderer service (in-process, no broker): an admin replaces a Word template (checked for its required
fields first), the handlers draft the worked example's quarters and its annual LKIP with the trend by quarter
from the stored quarter recaps, and a DisposisiIssued becomes a Lembar Disposisi document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document as Docx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.renderer.documents import REQUIRED_FIELDS
from services.renderer.handlers import draw_pending
from services.renderer.models import Document
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.renderer.conftest import renderer_app
from tests.support.modes import loose_modes
from tests.unit.renderer.test_reports import DISPOSISI, own_template
from tests.unit.renderer.worked_example import load_pk, recaps

app = renderer_app(publish_pk=False)  # the test publishes it itself


@pytest.fixture(scope="module")
def client(app: Any) -> TestClient:
    return TestClient(app)  # not entered: no lifespan, so no Redis; the routes and handlers are what is tested


def admin(app: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.rt.settings.admin_token}"}


def handle(app: Any, type_: str, payload: Any) -> None:
    """The handler, then the drawer (which the lifespan would run): the drafts are drawn when this returns."""
    rt = app.state.rt
    env = new_envelope(type_, payload, producer="test")
    with Session(rt.engine) as session:
        rt.handlers[type_](session, env, payload)
        session.commit()
    assert draw_pending(rt) == []


def docx_text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_template_upload_needs_the_admin(app, client):
    body = own_template(REQUIRED_FIELDS["triwulan"])
    assert client.put("/api/v1/templates/triwulan.docx", content=body).status_code == 401
    assert client.put("/api/v1/templates/bulanan.docx", content=body, headers=admin(app)).status_code == 422


def test_a_template_missing_fields_is_refused_naming_them(app, client):
    body = own_template(REQUIRED_FIELDS["tahunan"] - {"anggaran", "perbandingan"})
    r = client.put("/api/v1/templates/tahunan.docx", content=body, headers=admin(app))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {e["field"] for e in errors} == {"anggaran", "perbandingan"}
    assert all(e["rule"] == "missing_field" and "{{ " in e["message_id"] for e in errors)
    assert not (app.state.rt.settings.data_dir / "templates" / "tahunan.docx").exists()
    r = client.put("/api/v1/templates/tahunan.docx", content=b"PK\x03\x04 no docx", headers=admin(app))
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "invalid_template"


def test_a_template_that_would_run_code_is_refused_naming_what_is_not_allowed(app, client):
    from tests.unit.renderer.test_templating import EXPLOIT, with_text

    for where in ("body", "title"):
        r = client.put("/api/v1/templates/triwulan.docx", content=with_text(EXPLOIT, where), headers=admin(app))
        assert r.status_code == 422, r.text
        errors = r.json()["errors"]
        assert all(set(e) == {"field", "rule", "message_id", "message_en"} for e in errors)
        assert {(e["field"], e["rule"]) for e in errors} == {("file", "not_allowed")}
        named = " ".join(e["message_en"] for e in errors)
        assert "cycler.__init__" in named and "{{ cycler }}" in named and "cycler.__init__" in errors[0]["message_id"]
        assert not (app.state.rt.settings.data_dir / "templates" / "triwulan.docx").exists()


def test_an_accepted_template_is_used_for_later_renders(app, client):
    body = own_template(REQUIRED_FIELDS["triwulan"], marker="TEMPLAT KANTOR SENDIRI")
    r = client.put(
        "/api/v1/templates/triwulan.docx", files={"file": ("t.docx", body)}, headers=admin(app)
    )  # multipart works as well as the raw body
    assert r.status_code == 200, r.text
    assert r.json()["jenis"] == "triwulan" and "rows" in r.json()["fields"]
    pk = load_pk()
    handle(app, "PerjanjianKinerjaPublished", ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=pk))
    all_recaps = recaps(pk)
    for n, periode in enumerate(("TW1", "TW2", "TW3", "TW4", "TAHUNAN"), start=1):
        rekap = {**all_recaps[periode], "revision": n}
        payload = ev.RekapCompleted(tahun=2024, periode=periode, revision=n, status="complete", rekap=rekap, inputs={})
        handle(app, "RekapCompleted", payload)
    with Session(app.state.rt.engine) as session:
        docs = {d.draft_id: d for d in session.exec(select(Document))}
    assert {docs[f"2024-TW{q}"].jenis for q in (1, 2, 3, 4)} == {"triwulan"} and docs["2024-TAHUNAN"].jenis == "tahunan"
    tw1 = Path(docs["2024-TW1"].folder)
    assert "TEMPLAT KANTOR SENDIRI" in docx_text((tw1 / "laporan.docx").read_bytes())
    annual = Path(docs["2024-TAHUNAN"].folder)
    assert "TEMPLAT KANTOR SENDIRI" not in docx_text((annual / "laporan.docx").read_bytes())
    assert sorted(json.loads(docs["2024-TAHUNAN"].sha256)) == ["docx", "pdf", "xlsx"]
    # documents and the office's template are the owner's only, like the rest of the data folder (docs/storage.md)
    data_dir = app.state.rt.settings.data_dir
    assert loose_modes(data_dir / "documents") == [] and loose_modes(data_dir / "templates") == []
    import openpyxl

    ws = openpyxl.load_workbook(annual / "laporan.xlsx")["Per Triwulan"]
    realisasi = [row[7] for row in ws.iter_rows(min_row=6, values_only=True) if row[0] == "IK-2.1"]  # after the targets
    assert realisasi == [180, 450, 390, 260]  # from the stored quarter recaps


def test_disposisi_issued_becomes_a_lembar_disposisi(app, client):
    payload = ev.DisposisiIssued(**{k: v for k, v in DISPOSISI.items() if k not in ("tanggal", "instansi")})
    handle(app, "DisposisiIssued", payload)
    handle(app, "DisposisiIssued", payload)  # the same disposition again renders nothing new
    docs = client.get("/api/v1/documents", params={"tahun": 2024}, headers=admin(app)).json()
    disposisi = [d for d in docs if d["jenis"] == "disposisi"]
    assert len(disposisi) == 1 and disposisi[0]["formats"] == ["docx", "pdf"]
    r = client.get(f"/api/v1/documents/{disposisi[0]['id']}/file.docx", headers=admin(app))
    assert r.status_code == 200
    text = docx_text(r.content)
    assert "005/117/DISNAKER/2024" in text and "Dinas Ketenagakerjaan Kota Tangerang".upper() in text
    r = client.get(f"/api/v1/documents/{disposisi[0]['id']}/file.pdf", headers=admin(app))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # a damaged copy in the document's folder is never served as the document (outsider check, issue 16): the 404
    # says the file is damaged or missing; the copy restored, it is served again
    folder = Path(disposisi[0]["folder"])
    good = (folder / "disposisi.pdf").read_bytes()
    (folder / "disposisi.pdf").write_bytes(good[:200] + bytes([good[200] ^ 1]) + good[201:])
    r = client.get(f"/api/v1/documents/{disposisi[0]['id']}/file.pdf", headers=admin(app))
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "file_missing", r.text
    (folder / "disposisi.pdf").write_bytes(good)
    assert client.get(f"/api/v1/documents/{disposisi[0]['id']}/file.pdf", headers=admin(app)).content == good
    assert loose_modes(folder) == []  # rendered 0600 in a 0700 folder
