"""Follow-ups (tindak lanjut, issue 17) on a real database and Redis: the worked example's recaps arrive as the
aggregator's events; the head of office issues a follow-up for IK-2.2 (below target in TW1, TW4 and the year) to the
head of the training division, who marks it done with the result and an evidence file. The outbox carries
DisposisiIssued (with the indicators) and DisposisiCompleted (with the file); the off-target indicators without a
follow-up shrink; the coverage figures follow; the evidence is downloaded only by who may read the disposition."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import text
from sqlmodel import select

from services.approval import tindaklanjut
from services.approval.models import DisposisiBukti, DisposisiRow, PerjanjianKinerjaRow, RekapRow
from services.approval.web.sessions import LANG_COOKIE
from shared import clock
from tests.integration.conftest import Service, _drop_schema, eventually, make_settings
from tests.integration.ops.conftest import event, put, session_cookie
from tests.support.s3 import S3Server
from tests.unit.renderer.worked_example import load_pk, recaps

OFF_TARGET = {"IKU-1", "IK-2.1", "IK-2.2", "IK-2.3", "IK-3.1", "IK-3.2", "IK-4.1", "IK-4.2"}  # capaian < 100 somewhere
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def svc(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    yield from approval(tmp_path, database_url, redis_client, "local")


@pytest.fixture
def db_svc(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    """With LAPKIN_FILE_STORE=database (shared/storage.py): PostgreSQL only."""
    if not database_url:
        pytest.skip("the database file store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
    yield from approval(tmp_path, database_url, redis_client, "database")


@pytest.fixture
def s3_svc(tmp_path: Path, database_url: str | None, redis_client: Redis, s3_server: S3Server) -> Iterator[Service]:
    """With LAPKIN_FILE_STORE=s3: a fresh bucket of moto's S3 server process (tests/support/s3.py)."""
    yield from approval(tmp_path, database_url, redis_client, **s3_server.settings(s3_server.new_bucket()))


def approval(
    tmp_path: Path, database_url: str | None, redis_client: Redis, file_store: str, **more: Any
) -> Iterator[Service]:
    from services.approval.main import create_app

    settings = make_settings(tmp_path, database_url).model_copy(update={"file_store": file_store, **more})
    try:
        with TestClient(create_app(settings), follow_redirects=False) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "approval")


def official(svc: Service, username: str, role: str, **extra: Any) -> dict[str, Any]:
    body = {"username": username, "password": "rahasia-123", "nama": username.title(), "role": role, **extra}
    res = svc.client.post("/api/v1/officials", json=body, headers=svc.admin)
    assert res.status_code == 201, res.text
    uid = int(res.json()["id"])
    login = svc.client.post("/api/v1/login", json={"username": username, "password": "rahasia-123"})
    assert login.status_code == 200, login.text
    return {
        "id": uid,
        "api": {"Authorization": f"Bearer {login.json()['token']}"},
        "web": {"Cookie": f"lapkin_sesi={session_cookie(svc.settings, uid)}"},
    }


def worked_example(svc: Service) -> None:
    """The example's recaps of the quarters and the year, as the aggregator publishes them."""
    for periode, rekap in recaps().items():
        body = {"tahun": 2024, "periode": periode, "revision": 1, "status": "complete", "rekap": rekap, "inputs": {}}
        put(svc.redis, svc.settings, event("RekapCompleted", body, "aggregator"))
    eventually(lambda: arrived(svc) == 7)


def arrived(svc: Service) -> int:
    with svc.session() as s:
        return len(s.exec(select(RekapRow)).all())


def due(days: int = 30) -> str:
    return (clock.office_date() + timedelta(days=days)).isoformat()


def follow_up(**extra: Any) -> dict[str, Any]:
    return {
        "tahun": 2024,
        "indikator": ["IK-2.2"],
        "unit": "BID-PPTK",
        "kepada_role": "kabid",
        "instruksi": "IK-2.2 di bawah target: Bidang Lattas merevisi jadwal pelatihan",
        "hasil_diharapkan": "Jadwal pelatihan direvisi; lulusan yang bekerja naik ke target",
        "batas_waktu": due(),
        "periode": "TAHUNAN",
        "sumber": "rekap:2024-TAHUNAN",
        **extra,
    }


@pytest.fixture
def people(svc: Service) -> dict[str, dict[str, Any]]:
    return {
        "kadis": official(svc, "kadis", "kepala_dinas"),
        "kabid": official(svc, "kabid", "kabid"),
        "staf": official(svc, "staf", "staf"),
        "operator": official(svc, "operator", "operator"),
        "inspektorat": official(svc, "inspektur", "inspektorat"),
    }


def test_a_follow_up_for_ik_2_2_issued_done_with_evidence_and_counted(svc, people):
    worked_example(svc)
    kadis, kabid = people["kadis"], people["kabid"]
    before = svc.client.get("/api/v1/tindak-lanjut?tahun=2024", headers=kadis["api"]).json()
    assert {i["indikator"] for i in before["tanpa_tindak_lanjut"]} == OFF_TARGET
    ik22 = next(i for i in before["tanpa_tindak_lanjut"] if i["indikator"] == "IK-2.2")
    assert (ik22["periode"], ik22["capaian"], ik22["unit"]) == ("TAHUNAN", "97.56", "BID-PPTK")
    assert ik22["tautan_buat"] == "/tindak-lanjut/baru?tahun=2024&indikator=IK-2.2&sumber=rekap%3A2024-TAHUNAN"
    assert before["cakupan"]["tindak_lanjut"]["ada"] == 0 and before["cakupan"]["tindak_lanjut"]["dari"] == 8
    assert before["cakupan"]["tindak_lanjut"]["cakupan"] == "0.00"
    assert before["cakupan"]["tindak_lanjut_selesai"]["cakupan"] is None  # nothing issued: nothing to check

    res = svc.client.post("/api/v1/tindak-lanjut", json=follow_up(), headers=kadis["api"])
    assert res.status_code == 201, res.text
    tl = res.json()
    assert tl["indikator"] == ["IK-2.2"] and tl["unit"] == "BID-PPTK" and tl["status"] == "terbuka"
    assert tl["nomor"].endswith("/2024") and tl["sumber"] == "rekap:2024-TAHUNAN"
    issued = [json.loads(m.body) for m in svc.outbox("DisposisiIssued")]
    assert issued[-1]["payload"]["indikator"] == ["IK-2.2"]
    assert issued[-1]["payload"]["unit"] == "BID-PPTK" and issued[-1]["payload"]["sumber"] == "rekap:2024-TAHUNAN"

    after = svc.client.get("/api/v1/tindak-lanjut?tahun=2024", headers=kabid["api"]).json()
    assert {i["indikator"] for i in after["tanpa_tindak_lanjut"]} == OFF_TARGET - {"IK-2.2"}
    assert after["cakupan"]["tindak_lanjut"]["ada"] == 1 and after["cakupan"]["tindak_lanjut"]["cakupan"] == "12.50"
    assert after["cakupan"]["tindak_lanjut_selesai"]["ada"] == 0
    assert after["cakupan"]["tindak_lanjut_selesai"]["dari"] == 1

    # done: without a result refused (nothing changes), then with the result and a PDF
    no_result = svc.client.post(f"/api/v1/disposisi/{tl['id']}/selesai", headers=kabid["api"])
    assert no_result.status_code == 422 and no_result.json()["errors"][0]["field"] == "hasil"
    files = [("bukti", ("../../etc/jadwal revisi.html", io.BytesIO(PDF), "text/html"))]
    done = svc.client.post(f"/api/v1/disposisi/{tl['id']}/selesai", headers=kabid["api"],
                           data={"hasil": "Jadwal TW3 direvisi; 40 peserta tambahan"}, files=files)  # fmt: skip
    assert done.status_code == 200, done.text
    completed = [json.loads(m.body)["payload"] for m in svc.outbox("DisposisiCompleted")]
    assert len(completed) == 1
    sha = hashlib.sha256(PDF).hexdigest()
    assert completed[0]["indikator"] == ["IK-2.2"] and completed[0]["hasil"].startswith("Jadwal TW3")
    assert completed[0]["bukti"] == [{"sha256": sha, "nama": "jadwal revisi.pdf", "media_type": "application/pdf",
                                      "size": len(PDF)}]  # fmt: skip
    assert tindaklanjut.bukti_path(svc.settings, sha).read_bytes() == PDF  # content-addressed, under approval/

    final = svc.client.get("/api/v1/tindak-lanjut?tahun=2024", headers=kadis["api"]).json()
    row = final["tindak_lanjut"][0]
    assert row["status"] == "selesai" and row["hasil"]
    assert row["bukti"][0]["tautan"] == f"/disposisi/{tl['id']}/bukti/{sha}"
    assert final["cakupan"]["tindak_lanjut_selesai"]["cakupan"] == "100.00"

    # the download: the issuer and the recipient; not another staff member; never inline
    url = f"/disposisi/{tl['id']}/bukti/{sha}"
    for who in ("kadis", "kabid"):
        got = svc.client.get(url, headers=people[who]["web"])
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-disposition"].startswith('attachment; filename="jadwal revisi.pdf"')
        assert got.headers["content-type"] == "application/pdf" and got.headers["x-content-type-options"] == "nosniff"
    assert svc.client.get(url, headers=people["staf"]["web"]).status_code == 403
    assert svc.client.get(f"/disposisi/{tl['id']}/bukti/{'0' * 64}", headers=kadis["web"]).status_code == 404
    assert svc.client.get(f"/disposisi/{tl['id']}/bukti/..%2f..%2fsecret_key", headers=kadis["web"]).status_code == 404

    # a plain disposition's done emits DisposisiCompleted too, without indicators
    plain = svc.client.post("/api/v1/disposisi", json={"kepada_role": "kabid", "instruksi": "Rapat"},
                            headers=kadis["api"])  # fmt: skip
    assert plain.status_code == 201, plain.text
    for bad in (True, 2024.0, "２０２４", "2024.0", 1999):  # a disposition's year: the one rule (shared.sakip.tahun)
        res = svc.client.post("/api/v1/disposisi", json={"kepada_role": "kabid", "instruksi": "Rapat", "tahun": bad},
                              headers=kadis["api"])  # fmt: skip
        assert res.status_code == 422 and res.json()["errors"][0]["field"] == "tahun", (bad, res.text)
    assert svc.client.post(f"/api/v1/disposisi/{plain.json()['id']}/selesai", headers=kabid["api"]).status_code == 200
    last = json.loads(svc.outbox("DisposisiCompleted")[-1].body)["payload"]
    assert last["indikator"] == [] and last["bukti"] == [] and last["hasil"] is None
    svc.wait_relayed()


def test_bad_follow_ups_are_refused_naming_the_field(svc, people):
    worked_example(svc)
    kadis = people["kadis"]

    def refused(body: Any, who: str = "kadis", status: int = 422) -> dict[str, str]:
        res = svc.client.post("/api/v1/tindak-lanjut", json=body, headers=people[who]["api"])
        assert res.status_code == status, res.text
        return {e["field"]: e["rule"] for e in res.json()["errors"]}

    assert refused(follow_up(batas_waktu=None))["batas_waktu"] == "required"
    assert refused(follow_up(indikator=["IK-9.9"]))["indikator"] == "unknown_indikator"
    assert refused(follow_up(indikator=[]))["indikator"] == "required"
    assert refused(follow_up(indikator=[{"x": 1}]))["indikator"] == "invalid"
    assert refused(follow_up(unit="BID-XYZ"))["unit"] == "unknown_unit"
    assert refused(follow_up(unit=["BID-PPTK"]))["unit"] == "unknown_unit"
    assert refused(follow_up(hasil_diharapkan=""))["hasil_diharapkan"] == "required"
    assert refused(follow_up(hasil_diharapkan="x" * 2001))["hasil_diharapkan"] == "too_long"
    assert refused(follow_up(sumber="../../etc"))["sumber"] == "invalid"
    past = (clock.office_date() - timedelta(days=3)).isoformat()
    assert refused(follow_up(batas_waktu=past))["batas_waktu"] == "in_the_past"
    many = refused(follow_up(unit="", hasil_diharapkan="", kepada_role=""))
    assert {"unit", "hasil_diharapkan", "kepada"} <= set(many)  # every bad field at once
    assert refused([1, 2])["body"] == "not_an_object"
    for role in ("operator", "inspektorat"):  # they do not decide: they issue nothing
        assert refused(follow_up(), role, 403) == {None: "wrong_role"}
    with svc.session() as s:
        assert s.exec(select(DisposisiRow)).all() == []  # nothing was issued
    assert svc.outbox("DisposisiIssued") == []
    assert svc.client.post("/api/v1/tindak-lanjut", json=follow_up(), headers=kadis["api"]).status_code == 201


def test_evidence_files_hostile_and_refused_leave_nothing(svc, people):
    worked_example(svc)
    tl = svc.client.post("/api/v1/tindak-lanjut", json=follow_up(), headers=people["kadis"]["api"]).json()
    url = f"/api/v1/disposisi/{tl['id']}/selesai"

    def send(*files: tuple[str, bytes], who: str = "kabid") -> Any:
        parts = [("bukti", (name, io.BytesIO(data), "application/pdf")) for name, data in files]
        return svc.client.post(url, headers=people[who]["api"], data={"hasil": "Selesai"}, files=parts)

    exe = send(("laporan.pdf", b"MZ\x90\x00" + b"\x00" * 100))
    assert exe.status_code == 422 and exe.json()["errors"][0]["rule"] == "invalid_file_type"
    assert "exe" in exe.json()["errors"][0]["message_id"]
    html = send(("a.pdf", b"<html><script>alert(1)</script></html>"))
    assert html.status_code == 422 and html.json()["errors"][0]["rule"] == "invalid_file_type"
    assert send(("kosong.pdf", b"")).json()["errors"][0]["rule"] == "empty_file"
    big = send(("besar.pdf", PDF + b"0" * (10 * 1024 * 1024)))
    assert big.status_code == 413 and big.json()["errors"][0]["rule"] == "too_large"
    assert send(("x.pdf", PDF), who="staf").status_code == 403  # not the recipient
    with svc.session() as s:
        assert s.exec(select(DisposisiBukti)).all() == [] and s.get(DisposisiRow, tl["id"]).selesai_at is None
    stored = [p for p in (svc.settings.data_dir / "approval" / "bukti").rglob("*") if p.is_file()]
    assert stored == []  # no temp file left behind
    assert svc.outbox("DisposisiCompleted") == []

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    ok = send(("notulen", docx.getvalue()), ("scan.pdf", PDF), ("scan-lagi.pdf", PDF))
    assert ok.status_code == 200, ok.text
    with svc.session() as s:
        rows = s.exec(select(DisposisiBukti).order_by(DisposisiBukti.nama)).all()
    assert [(b.nama, b.media_type.rsplit(".", 1)[-1]) for b in rows] == [
        ("notulen.docx", "document"), ("scan.pdf", "application/pdf")
    ]  # fmt: skip
    assert send(("x.pdf", PDF)).status_code == 409  # done already


def test_units_and_indicators_come_from_the_newest_pk(svc, people):
    """With the PK on file the indicators and units are its own; a unit only in the PK is accepted."""
    worked_example(svc)
    pk = load_pk()
    pk["units"].append({"kode": "BID-LATTAS", "nama": "Bidang Lattas", "jenis": "bidang"})
    with svc.session() as s:
        s.add(PerjanjianKinerjaRow(tahun=2024, version=1, body=json.dumps(pk)))
        s.commit()
    res = svc.client.post("/api/v1/tindak-lanjut", json=follow_up(unit="BID-LATTAS"), headers=people["kadis"]["api"])
    assert res.status_code == 201, res.text
    assert res.json()["unit_nama"] == "Bidang Lattas"


def test_the_pages_issue_and_finish_a_follow_up(svc, people):
    worked_example(svc)
    kadis, kabid = people["kadis"]["web"], people["kabid"]["web"]
    page = svc.client.get("/tindak-lanjut?tahun=2024", headers=kadis)
    assert page.status_code == 200 and 'id="nav-tindak-lanjut"' in page.text
    assert "/tindak-lanjut/baru?tahun=2024&amp;indikator=IK-2.2&amp;sumber=rekap%3A2024-TAHUNAN" in page.text
    form = svc.client.get("/tindak-lanjut/baru?tahun=2024&indikator=IK-2.2&sumber=rekap:2024-TAHUNAN", headers=kadis)
    assert form.status_code == 200
    assert re.search(r'<option value="IK-2.2" selected>', form.text)
    assert re.search(r'<option value="BID-PPTK" selected>', form.text)  # the indicator's unit
    assert "IK-2.2 di bawah target: " in form.text
    # refused: the form again, the error named, what was typed kept
    body = {k: v for k, v in follow_up().items() if k != "tahun"} | {"csrf": "csrf-token", "tahun": "2024"}
    bad = svc.client.post("/tindak-lanjut", headers=kadis, data={**body, "hasil_diharapkan": ""})
    assert bad.status_code == 422 and "Hasil yang diharapkan wajib diisi." in bad.text
    assert "Bidang Lattas merevisi jadwal pelatihan" in bad.text
    assert svc.client.post("/tindak-lanjut", headers=kadis, data={**body, "csrf": "x"}).status_code == 403
    ok = svc.client.post("/tindak-lanjut", headers=kadis, data=body)
    assert ok.status_code == 303, ok.text
    detail_url = ok.headers["location"].split("?")[0]
    detail = svc.client.get(detail_url, headers=kabid)
    assert 'enctype="multipart/form-data"' in detail.text and 'name="hasil"' in detail.text
    no_hasil = svc.client.post(f"{detail_url}/selesai", headers=kabid, data={"csrf": "csrf-token", "hasil": ""})
    assert no_hasil.status_code == 422 and "Hasil tindak lanjut wajib diisi." in no_hasil.text
    done = svc.client.post(f"{detail_url}/selesai", headers=kabid, data={"csrf": "csrf-token", "hasil": "Direvisi"},
                           files=[("bukti", ("bukti.pdf", io.BytesIO(PDF), "application/pdf"))])  # fmt: skip
    assert done.status_code == 303, done.text
    shown = svc.client.get(detail_url, headers=kadis).text
    assert "bukti.pdf" in shown and "Direvisi" in shown
    listing = svc.client.get("/tindak-lanjut?tahun=2024", headers=kadis).text
    assert "tanpa-IK-2.2" not in listing and "tanpa-IK-2.1" in listing
    assert svc.client.get("/tindak-lanjut?tahun=abc", headers=kadis).status_code == 422
    english = {"Cookie": f"{kadis['Cookie']}; {LANG_COOKIE}=en"}
    en = svc.client.get("/tindak-lanjut/baru?tahun=2024&indikator=<script>x</script>", headers=english).text
    assert "Follow-ups of performance measurement" in en and "Off-target indicators without one" in en
    assert "<script>x" not in en and "tl_" not in en  # escaped; every label translated


def test_the_draft_page_links_each_off_target_indicator_to_the_form(svc, people):
    worked_example(svc)
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
             "document_id": "2024-TW1-v1", "recap_revision": 1, "files": {}}  # fmt: skip
    put(svc.redis, svc.settings, event("DraftRendered", draft, "renderer"))

    def page() -> str | None:
        res = svc.client.get("/draf/2024-TW1", headers=people["kadis"]["web"])
        return res.text if res.status_code == 200 else None

    text = eventually(page)
    links = set(
        re.findall(r'href="/tindak-lanjut/baru\?tahun=2024&amp;indikator=([^&]+)&amp;sumber=draf%3A2024-TW1"', text)
    )
    below = {i["kode"] for i in recaps()["TW1"]["indikator"] if tindaklanjut.capaian_below(i) is not None}
    assert links == below and "IK-2.2" in links and "IK-4.2" not in links  # IK-4.2 falls short in TW2 only


def test_with_the_database_store_the_evidence_is_a_row_and_a_lost_one_a_404_page(db_svc):
    svc = db_svc
    kadis, kabid = official(svc, "kadis", "kepala_dinas"), official(svc, "kabid", "kabid")
    plain = svc.client.post("/api/v1/disposisi", json={"kepada_role": "kabid", "instruksi": "Rapat"},
                            headers=kadis["api"])  # fmt: skip
    assert plain.status_code == 201, plain.text
    files = [("bukti", ("notulen.pdf", io.BytesIO(PDF), "application/pdf"))]
    done = svc.client.post(f"/api/v1/disposisi/{plain.json()['id']}/selesai", headers=kabid["api"],
                           data={"hasil": "Rapat selesai"}, files=files)  # fmt: skip
    assert done.status_code == 200, done.text
    sha = hashlib.sha256(PDF).hexdigest()
    assert not tindaklanjut.bukti_path(svc.settings, sha).exists()  # in apv_file, not in this machine's folder
    assert list((svc.settings.data_dir / "approval" / "bukti" / "tmp").glob("*")) == []
    url = f"/disposisi/{plain.json()['id']}/bukti/{sha}"
    got = svc.client.get(url, headers=kadis["web"])
    assert got.status_code == 200 and got.content == PDF and got.headers["x-content-sha256"] == sha
    assert got.headers["content-disposition"].startswith('attachment; filename="notulen.pdf"')
    with svc.rt.engine.begin() as conn:
        assert conn.execute(text("SELECT sha256 FROM apv_file")).scalars().all() == [sha]
        conn.execute(text("DELETE FROM apv_file"))
    lost = svc.client.get(url, headers=kadis["web"])
    assert lost.status_code == 404 and "text/html" in lost.headers["content-type"]


def evidence_done(svc: Service, kadis: dict[str, Any]) -> tuple[str, str]:
    """A plain disposition from `kadis` to a new head of division, marked done with a PDF as its evidence: the
    evidence's download URL and its SHA-256."""
    kabid = official(svc, "kabid", "kabid")
    plain = svc.client.post("/api/v1/disposisi", json={"kepada_role": "kabid", "instruksi": "Rapat"},
                            headers=kadis["api"])  # fmt: skip
    assert plain.status_code == 201, plain.text
    files = [("bukti", ("notulen.pdf", io.BytesIO(PDF), "application/pdf"))]
    done = svc.client.post(f"/api/v1/disposisi/{plain.json()['id']}/selesai", headers=kabid["api"],
                           data={"hasil": "Rapat selesai"}, files=files)  # fmt: skip
    assert done.status_code == 200, done.text
    sha = hashlib.sha256(PDF).hexdigest()
    return f"/disposisi/{plain.json()['id']}/bukti/{sha}", sha


def test_with_the_s3_store_the_evidence_is_an_object_and_a_lost_one_a_404_page(s3_svc, s3_server: S3Server):
    svc = s3_svc
    kadis = official(svc, "kadis", "kepala_dinas")
    url, sha = evidence_done(svc, kadis)
    assert not tindaklanjut.bukti_path(svc.settings, sha).exists()  # in the bucket, not in this machine's folder
    bucket = svc.settings.s3_bucket
    assert s3_server.client().get_object(Bucket=bucket, Key=f"apv_file/{sha}")["Body"].read() == PDF
    got = svc.client.get(url, headers=kadis["web"])
    assert got.status_code == 200 and got.content == PDF and got.headers["x-content-sha256"] == sha
    s3_server.client().put_object(Bucket=bucket, Key=f"apv_file/{sha}", Body=b"%PDF-1.4 tampered")
    lost = svc.client.get(url, headers=kadis["web"])
    assert lost.status_code == 404 and "text/html" in lost.headers["content-type"]


def test_with_the_s3_store_down_or_the_file_damaged_the_evidence_is_the_apps_page_saying_so(
    s3_svc, s3_server: S3Server
):
    svc = s3_svc
    kadis = official(svc, "kadis", "kepala_dinas")
    url, sha = evidence_done(svc, kadis)
    bucket, key = svc.settings.s3_bucket, f"apv_file/{sha}"
    s3_server.client().put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.4 a flipped byte")
    damaged = svc.client.get(url, headers=kadis["web"])
    assert damaged.status_code == 404 and "text/html" in damaged.headers["content-type"]
    assert "beri tahu operator" in damaged.text

    s3_server.client().delete_object(Bucket=bucket, Key=key)
    s3_server.client().delete_bucket(Bucket=bucket)  # the store refuses every request: NoSuchBucket
    down = svc.client.get(url, headers={**kadis["web"], "Cookie": kadis["web"]["Cookie"] + f"; {LANG_COOKIE}=en"})
    assert down.status_code == 503 and "text/html" in down.headers["content-type"], down.text
    assert down.headers["retry-after"] == "5"
    assert "File storage is temporarily unavailable; try again in a few minutes." in down.text
    assert "errors" not in down.text.split("<body", 1)[-1][:200]  # a page, not the API's JSON


@pytest.mark.parametrize(
    ("status", "rule", "why"),
    [
        (503, "file_store_unavailable", "store_down"),
        (404, "file_missing", "file_missing"),
        (404, "not_found", "absent"),
        (500, None, "renderer_down"),
    ],
)
def test_the_renderers_refusal_of_a_file_is_told_apart_by_its_rule(status: int, rule: str | None, why: str):
    from services.approval.web.documents import upstream_failure
    from services.renderer.api import FILE_MISSING
    from shared.errors import error_body
    from shared.service import FILE_STORE_UNAVAILABLE

    bodies = {
        e.errors[0].rule: json.dumps(error_body(e.errors)).encode() for e in (FILE_MISSING, FILE_STORE_UNAVAILABLE)
    }
    body = bodies.get(rule or "", b'{"errors": [{"rule": "not_found"}]}' if rule else b"Internal Server Error")
    assert upstream_failure(status, body) == why


def test_a_draft_pdf_the_document_service_cannot_give_is_the_apps_page(svc):
    from sqlmodel import Session

    from services.approval.models import DraftRow

    kadis = official(svc, "kadis", "kepala_dinas")
    with Session(svc.rt.engine) as db:
        db.add(DraftRow(id="2024-TW1", jenis="triwulan", tahun=2024, periode="TW1", version=1,
                        document_id="2024-TW1-v1", recap_revision=1, state="menunggu", data="{}"))  # fmt: skip
        db.commit()
    svc.rt.settings.model_extra["renderer_port"] = 9  # nothing listens there: the renderer is down
    got = svc.client.get("/draf/2024-TW1/dokumen.pdf", headers=kadis["web"])
    assert got.status_code == 502 and "text/html" in got.headers["content-type"], got.text
    assert "Layanan dokumen tidak dapat dihubungi" in got.text and 'href="/draf/2024-TW1"' in got.text
