"""The inspektorat in the officials' app on a real Redis: it reads every draft but never decides one (the draft page
offers no decision, the form's endpoint and the JSON API refuse it saying why), it reads dispositions and starts on
/evaluasi; the evaluation's pages and JSON API (answer, refusals, close)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.approval import officials
from services.approval.main import create_app
from services.approval.web.sessions import LANG_COOKIE
from tests.integration.ops.conftest import event, eventually, put, session_cookie

CSRF = "csrf-token"


@pytest.fixture
def app(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def official(app: TestClient, settings, role: str) -> tuple[dict[str, str], dict[str, str]]:
    """(cookie header, bearer header) of a new official with `role`."""
    username = f"{role}-{settings.stream_prefix}"
    body = {"username": username, "password": "rahasia-123", "nama": f"Uji {role}", "role": role}
    res = app.post("/api/v1/officials", json=body, headers={"Authorization": f"Bearer {settings.admin_token}"})
    assert res.status_code == 201, res.text
    o = res.json()
    token = app.post("/api/v1/login", json={"username": body["username"], "password": "rahasia-123"}).json()["token"]
    return {"Cookie": f"lapkin_sesi={session_cookie(settings, int(o['id']))}"}, {"Authorization": f"Bearer {token}"}


def text(res) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", res.text)))


def test_the_inspektorat_reads_a_draft_but_never_decides_it(app: TestClient, settings, r):
    assert "inspektorat" in officials.ROLES
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
             "document_id": "2024-TW1-v1", "recap_revision": 1, "files": {}}  # fmt: skip
    put(r, settings, event("DraftRendered", draft, "renderer"))
    cookie, bearer = official(app, settings, "inspektorat")
    eventually(lambda: app.get("/api/v1/drafts/2024-TW1", headers=bearer).status_code == 200, what="draft stored")
    page = app.get("/draf/2024-TW1", headers=cookie)
    assert page.status_code == 200 and 'action="/draf/2024-TW1/keputusan"' not in page.text
    res = app.post("/draf/2024-TW1/keputusan", headers=cookie,
                   data={"csrf": CSRF, "decision": "approve", "version": "1", "seq": "0"})  # fmt: skip
    assert res.status_code == 403
    assert "hanya membaca draf; peran ini tidak memutuskan draf" in text(res)
    api = app.post("/api/v1/drafts/2024-TW1/decision", headers=bearer, json={"decision": "approve", "version": 1})
    assert api.status_code == 403 and "never decides" in api.text
    assert app.get("/api/v1/drafts/2024-TW1", headers=bearer).json()["state"] != "final"


def test_the_inspektorat_starts_on_the_evaluation_and_reads_dispositions(app: TestClient, settings):
    _, sek = official(app, settings, "sekretaris")
    ins_cookie, ins = official(app, settings, "inspektorat")
    _, staf = official(app, settings, "staf")
    issued = app.post("/api/v1/disposisi", headers=sek, json={"kepada_role": "staf", "instruksi": "Susun LKIP"})
    assert issued.status_code == 201, issued.text
    did = issued.json()["id"]
    assert app.get(f"/api/v1/disposisi/{did}", headers=ins).status_code == 200  # oversight reads it
    assert app.get(f"/disposisi/{did}", headers=ins_cookie).status_code == 200
    _, kasi = official(app, settings, "kasi")
    assert app.get(f"/api/v1/disposisi/{did}", headers=kasi).status_code == 403  # others still do not
    assert app.get("/", headers=ins_cookie).headers["location"] == "/evaluasi"
    assert app.get("/evaluasi", headers=ins_cookie).status_code == 200


def test_the_evaluation_pages_and_api(app: TestClient, settings):
    staf_cookie, staf = official(app, settings, "staf")
    ins_cookie, ins = official(app, settings, "inspektorat")
    sheet = app.get("/api/v1/evaluasi/2024", headers=staf).json()
    first = sheet["komponen"][0]["sub"][0]["kriteria"][0]
    kode, letters = first["kode"], first["pilihan"]
    # the JSON API: a letter off the scale is 422 naming the field and the rule
    bad = app.post(f"/api/v1/evaluasi/2024/kriteria/{kode}", headers=staf, json={"jawaban": "Z"})
    assert bad.status_code == 422
    assert (bad.json()["errors"][0]["field"], bad.json()["errors"][0]["rule"]) == ("jawaban", "not_on_scale")
    ok = app.post(f"/api/v1/evaluasi/2024/kriteria/{kode}", headers=staf, json={"jawaban": letters[0]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["komponen"][0]["sub"][0]["kriteria"][0]["nilai"] == letters[0]
    # the page's form: CSRF first, then the answer
    refused = app.post(f"/evaluasi/2024/kriteria/{kode}", headers=staf_cookie, data={"jawaban": letters[-1]})
    assert refused.status_code == 403
    res = app.post(f"/evaluasi/2024/kriteria/{kode}", headers=staf_cookie,
                   data={"csrf": CSRF, "bagian": "kantor", "jawaban": letters[-1], "catatan": "dicek",
                         "bukti_judul": ["Renstra"], "bukti_tautan": ["javascript:alert(1)"]})  # fmt: skip
    assert res.status_code == 422 and "Tautan bukti 1: harus alamat http(s)://" in text(res)
    assert "bukti[0]" not in text(res)  # the form's label, not the field's path
    res = app.post(f"/evaluasi/2024/kriteria/{kode}", headers=staf_cookie,
                   data={"csrf": CSRF, "bagian": "kantor", "jawaban": letters[-1], "catatan": "dicek",
                         "bukti_judul": ["Renstra"], "bukti_tautan": ["/draf/2024-TAHUNAN"]})  # fmt: skip
    assert res.status_code == 303
    page = app.get("/evaluasi/2024", headers=staf_cookie)
    assert 'href="/draf/2024-TAHUNAN"' in page.text and 'href="/evaluasi/2024/pemanfaatan"' in page.text
    assert 'action="/evaluasi/2024/tutup"' not in page.text  # only the inspektorat closes
    # hostile text is shown as text: a note with a script, an evidence title with a template expression
    second = sheet["komponen"][0]["sub"][0]["kriteria"][1]["kode"]
    body = {"catatan": "<script>alert(1)</script>", "bukti": [{"judul": "{{7*7}}", "tautan": "https://a.example/x"}]}
    assert app.post(f"/api/v1/evaluasi/2024/kriteria/{second}", headers=staf, json=body).status_code == 200
    page = app.get("/evaluasi/2024", headers=staf_cookie)
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert ">{{7*7}}</a>" in page.text and ">49<" not in page.text
    en = app.get("/evaluasi/2024", headers={"Cookie": f"{staf_cookie['Cookie']}; {LANG_COOKIE}=en"})
    assert (
        "AKIP evaluation 2024" in text(en)
        and "The office's answer" in text(en)
        and "Evaluasi AKIP 2024" not in text(en)
    )
    # closing wants the confirmation box
    no = app.post("/evaluasi/2024/tutup", headers=ins_cookie, data={"csrf": CSRF})
    assert no.status_code == 422 and "Centang kotak «Saya yakin menutup evaluasi tahun ini.»" in text(no)
    assert "konfirmasi:" not in text(no)
    done = app.post("/evaluasi/2024/tutup", headers=ins_cookie, data={"csrf": CSRF, "konfirmasi": "ya"})
    assert done.status_code == 303
    years = app.get("/api/v1/evaluasi", headers=ins).json()
    assert [(y["tahun"], y["state"]) for y in years] == [(2024, "ditutup")] and years[0]["predikat"]
    late = app.post(f"/api/v1/evaluasi/2024/kriteria/{kode}", headers=staf, json={"jawaban": letters[0]})
    assert late.status_code == 409 and "sudah ditutup" in late.text
    trend = app.get("/evaluasi", headers=staf_cookie)
    assert years[0]["predikat"] in text(trend) and 'href="/evaluasi/2024"' in trend.text


def test_outsiders_findings_on_the_evaluation_pages(app: TestClient, settings):
    """Issue #17 review: a year is digits only everywhere; an unknown criterion's code is not echoed whole; the
    evidence line says "Sumber bukti" (much evidence is kept outside Lapkin); the grade's name in the reader's
    language; the form's errors name its labels, not the fields' paths."""
    staf_cookie, staf = official(app, settings, "staf")
    ins_cookie, ins = official(app, settings, "inspektorat")
    first = app.get("/api/v1/evaluasi/2024", headers=staf).json()["komponen"][0]["sub"][0]["kriteria"][0]
    for bad in ("2024.0", "+2024", "２０２４"):
        got = app.get(f"/api/v1/evaluasi/{bad}", headers=staf)
        assert (got.status_code, got.json()["errors"][0]["field"]) == (422, "tahun"), bad
        posted = app.post(f"/api/v1/evaluasi/{bad}/kriteria/{first['kode']}", headers=staf, json={"jawaban": ""})
        assert posted.status_code == 422, bad
        assert app.post(f"/api/v1/evaluasi/{bad}/tutup", headers=ins).status_code == 422, bad
        assert app.get(f"/evaluasi/{bad}", headers=staf_cookie).status_code == 422, bad
    long = "x" * 5000
    missing = app.post(f"/api/v1/evaluasi/2024/kriteria/{long}", headers=staf, json={"jawaban": "A"})
    assert missing.status_code == 404 and "x" * 21 not in missing.text and "x" * 20 + "…" in missing.text
    page = app.get("/evaluasi/2024", headers=staf_cookie)
    assert "Sumber bukti: " in text(page) and "Sumber bukti di Lapkin" not in text(page)
    res = app.post(f"/evaluasi/2024/kriteria/{first['kode']}", headers=staf_cookie,
                   data={"csrf": CSRF, "bagian": "kantor", "bukti_judul": ["", "Renstra"],
                         "bukti_tautan": ["", "ftp://x"]})  # fmt: skip
    assert res.status_code == 422 and "Tautan bukti 2: harus alamat http(s)://" in text(res)  # the form's 2nd row
    en = {"Cookie": f"{ins_cookie['Cookie']}; {LANG_COOKIE}=en"}
    review = app.post(f"/evaluasi/2024/kriteria/{first['kode']}", headers=en,
                      data={"csrf": CSRF, "bagian": "inspektorat", "jawaban_akhir": "Q"})  # fmt: skip
    assert review.status_code == 422 and "Final answer (Inspectorate): the answer must be one of" in text(review)
    assert "jawaban_akhir:" not in text(review)
    sheet = app.get("/api/v1/evaluasi/2024", headers=staf).json()
    for c in (c for k in sheet["komponen"] for s in k["sub"] for c in s["kriteria"]):  # every criterion at its best
        best = app.post(
            f"/api/v1/evaluasi/2024/kriteria/{c['kode']}", headers=ins, json={"jawaban_akhir": c["pilihan"][0]}
        )
        assert best.status_code == 200, best.text
    done = app.post("/evaluasi/2024/tutup", headers=ins_cookie, data={"csrf": CSRF, "konfirmasi": "ya"})
    assert done.status_code == 303
    english = text(app.get("/evaluasi/2024", headers=en))
    assert "AA (Excellent)" in english and "Sangat Memuaskan" not in english
    assert "AA (Sangat Memuaskan)" in text(app.get("/evaluasi/2024", headers=ins_cookie))
