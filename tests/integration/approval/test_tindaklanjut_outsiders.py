"""What outsiders found in follow-ups (issue 17), on a real database and Redis: a staf member read follow-ups they
are not party to through the list; issued one to their own role and finished it with an invisible result and a tiny
PNG; the form sent twice made two; `"tahun": true` passed; a zip bomb would have been stored."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from sqlmodel import select

from services.approval.models import DisposisiBukti, DisposisiRow
from tests.integration.approval.test_tindaklanjut import (  # noqa: F401, F811 (fixtures)
    PDF,
    follow_up,
    official,
    people,
    svc,
    worked_example,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _issue(svc: Any, who: dict[str, Any], **extra: Any) -> Any:  # noqa: F811
    return svc.client.post("/api/v1/tindak-lanjut", json=follow_up(**extra), headers=who["api"])


def test_the_list_shows_only_follow_ups_the_viewer_may_read(svc, people):  # noqa: F811
    worked_example(svc)
    tl = _issue(svc, people["kadis"]).json()
    assert svc.client.get(f"/api/v1/disposisi/{tl['id']}", headers=people["staf"]["api"]).status_code == 403
    staf = svc.client.get("/api/v1/tindak-lanjut?tahun=2024", headers=people["staf"]["api"]).json()
    assert staf["tindak_lanjut"] == []
    assert staf["cakupan"]["tindak_lanjut"]["ada"] == 1  # the counts stay everyone's
    for who in ("kadis", "kabid", "inspektorat"):  # issuer, recipient, oversight
        seen = svc.client.get("/api/v1/tindak-lanjut?tahun=2024", headers=people[who]["api"]).json()
        assert [x["nomor"] for x in seen["tindak_lanjut"]] == [tl["nomor"]], who
    page = svc.client.get("/tindak-lanjut?tahun=2024", headers=people["staf"]["web"]).text
    assert tl["nomor"] not in page and "Bidang Lattas merevisi" not in page and f'id="tl-{tl["id"]}"' not in page
    assert 'id="tl-form"' not in page and "/tindak-lanjut/baru" not in page  # staf issues none: no links to the form
    assert tl["nomor"] in svc.client.get("/tindak-lanjut?tahun=2024", headers=people["kabid"]["web"]).text


def test_who_issues_and_to_whom(svc, people):  # noqa: F811
    worked_example(svc)
    for who in ("staf", "operator", "inspektorat"):
        res = _issue(svc, people[who], kepada_role="kabid")
        assert res.status_code == 403 and res.json()["errors"][0]["rule"] == "wrong_role", who
    own = _issue(svc, people["kabid"], kepada_role="kabid")
    assert own.status_code == 422 and {e["field"]: e["rule"] for e in own.json()["errors"]}["kepada_role"] == "self"
    me = _issue(svc, people["kabid"], kepada_role=None, kepada_id=people["kabid"]["id"])
    assert me.status_code == 422 and me.json()["errors"][0]["field"] == "kepada_id"
    with svc.session() as s:
        assert s.exec(select(DisposisiRow)).all() == []
    assert svc.outbox("DisposisiIssued") == []
    ok = _issue(svc, people["kadis"])
    assert ok.status_code == 201 and ok.json()["nomor"]
    with svc.session() as s:
        assert s.get(DisposisiRow, ok.json()["id"]).langkah is None  # no SOP step unless given
    shown = svc.client.get(f"/disposisi/{ok.json()['id']}", headers=people["kabid"]["web"]).text
    assert "Langkah SOP" not in shown and "Mengumpulkan data" not in shown
    listing = svc.client.get("/tindak-lanjut?tahun=2024", headers=people["kabid"]["web"]).text
    assert "Tahunan" in listing and "<td>TW2</td>" not in listing and "<td>TAHUNAN</td>" not in listing


def _bomb() -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (60 * 1024 * 1024))
    return raw.getvalue()


def test_a_result_must_be_visible_and_evidence_real(svc, people):  # noqa: F811
    worked_example(svc)
    tl = _issue(svc, people["kadis"]).json()
    url = f"/api/v1/disposisi/{tl['id']}/selesai"
    kabid = people["kabid"]["api"]

    def done(data: dict[str, Any], files: list[Any]) -> dict[str, str]:
        res = svc.client.post(url, headers=kabid, data=data, files=files)
        assert res.status_code in (413, 422), res.text
        return {e["field"]: e["rule"] for e in res.json()["errors"]}

    png = [("bukti", ("a.png", io.BytesIO(PNG), "image/png"))]
    assert done({"hasil": "\u200b"}, png) == {"hasil": "required"}
    assert done({"hasil": " \ufeff\u2060\n"}, png) == {"hasil": "required"}
    assert done({"hasil": "selesai\x07"}, png) == {"hasil": "invalid_character"}
    assert done({"hasil": "Selesai", "bukti": "bukan berkas"}, []) == {"bukti": "not_a_file"}
    latin1 = [("hasil", (None, "Selesai dengan caf\xe9".encode("latin-1"))), *png]  # a text part, not UTF-8
    assert done({}, latin1) == {"hasil": "invalid_character"}
    web = svc.client.post(f"/disposisi/{tl['id']}/selesai", headers=people["kabid"]["web"],
                          files=[("csrf", (None, b"csrf-token")), *latin1])  # fmt: skip
    assert web.status_code == 422 and "hasil" in web.text
    bomb = done({"hasil": "Selesai"}, [("bukti", ("notulen.docx", io.BytesIO(_bomb()), "application/zip"))])
    assert bomb == {"bukti": "zip_bomb"}
    with svc.session() as s:
        assert s.exec(select(DisposisiBukti)).all() == [] and s.get(DisposisiRow, tl["id"]).selesai_at is None
    assert svc.outbox("DisposisiCompleted") == []
    ok = svc.client.post(url, headers=kabid, data={"hasil": "\u200bJadwal direvisi"},
                         files=[("bukti", ("a.pdf", io.BytesIO(PDF), "application/pdf"))])  # fmt: skip
    assert ok.status_code == 200, ok.text


def test_the_same_follow_up_twice_is_refused(svc, people):  # noqa: F811
    worked_example(svc)
    kadis = people["kadis"]
    first = _issue(svc, kadis).json()
    again = _issue(svc, kadis, indikator=["IK-2.2"])
    assert again.status_code == 409, again.text
    err = again.json()["errors"][0]
    assert err["rule"] == "duplicate" and first["nomor"] in err["message_id"]
    assert f"/disposisi/{first['id']}" in err["message_id"]
    # the page: a clear message, the input kept, a link to the one issued
    body = {k: v for k, v in follow_up().items() if k != "tahun"} | {"csrf": "csrf-token", "tahun": "2024"}
    page = svc.client.post("/tindak-lanjut", headers=kadis["web"], data=body)
    assert page.status_code == 409 and first["nomor"] in page.text
    assert (
        f'<a id="tl-duplikat" href="/disposisi/{first["id"]}">' in page.text
        and "Bidang Lattas merevisi jadwal pelatihan" in page.text
    )
    with svc.session() as s:
        n = len(s.exec(select(DisposisiRow).where(DisposisiRow.instruksi == first["instruksi"])).all())
    assert n == 1


def test_the_year_is_an_integer(svc, people):  # noqa: F811
    worked_example(svc)
    for bad in (True, "2024", 2024.0, 1999):
        res = _issue(svc, people["kadis"], tahun=bad)
        assert res.status_code == 422, (bad, res.text)
        rules = {e["field"]: e["rule"] for e in res.json()["errors"]}
        assert rules["tahun"] in ("not_an_integer", "out_of_range") and "indikator" not in rules, bad
        assert "tidak ada dalam PK" not in res.text
    assert _issue(svc, people["kadis"], tahun=True).json()["errors"][0]["rule"] == "not_an_integer"
    for q in ("2024.0", "true", "2024abc", "1999"):
        got = svc.client.get(f"/api/v1/tindak-lanjut?tahun={q}", headers=people["kadis"]["api"])
        assert got.status_code == 422, q


def test_oversight_sees_every_disposition_of_the_year_and_no_form_links(svc, people):  # noqa: F811
    worked_example(svc)
    tl = _issue(svc, people["kadis"]).json()
    other = official(svc, "kasi", "kasi")
    sent = svc.client.post("/api/v1/disposisi", headers=other["api"],
                           json={"kepada_role": "staf", "instruksi": "Rapat evaluasi", "tahun": 2024})  # fmt: skip
    assert sent.status_code == 201, sent.text
    page = svc.client.get("/disposisi", headers=people["inspektorat"]["web"]).text
    assert 'id="disposisi-all"' in page and tl["nomor"] in page and sent.json()["nomor"] in page
    assert 'id="disposisi-all"' not in svc.client.get("/disposisi", headers=people["kabid"]["web"]).text
    listing = svc.client.get("/tindak-lanjut?tahun=2024", headers=people["inspektorat"]["web"]).text
    assert tl["nomor"] in listing and "/tindak-lanjut/baru" not in listing and 'id="tl-form"' not in listing


def test_form_errors_name_the_form_labels(svc, people):  # noqa: F811
    worked_example(svc)
    kadis = people["kadis"]["web"]
    body = {k: v for k, v in follow_up().items() if k != "tahun"} | {"csrf": "csrf-token", "tahun": "2024"}
    bad = svc.client.post("/tindak-lanjut", headers=kadis, data={**body, "sumber": "x", "hasil_diharapkan": "y" * 2001})
    assert bad.status_code == 422
    shown = re.findall(r'<p class="error" role="alert">([^<]*)</p>', bad.text)
    assert shown and not any(m.startswith(("sumber:", "hasil_diharapkan:")) for m in shown), shown
    assert any(m.startswith("Hasil yang diharapkan") for m in shown), shown


def test_the_draft_page_links_to_the_form_only_for_who_may_issue(svc, people):  # noqa: F811
    from tests.integration.conftest import eventually
    from tests.integration.ops.conftest import event, put

    worked_example(svc)
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
             "document_id": "2024-TW1-v1", "recap_revision": 1, "files": {}}  # fmt: skip
    put(svc.redis, svc.settings, event("DraftRendered", draft, "renderer"))

    def page(who: str) -> str | None:
        res = svc.client.get("/draf/2024-TW1", headers=people[who]["web"])
        return res.text if res.status_code == 200 else None

    assert "/tindak-lanjut/baru" in eventually(lambda: page("kabid"))
    for who in ("inspektorat", "staf"):
        shown = page(who)
        assert shown is not None and "/tindak-lanjut/baru" not in shown, who
