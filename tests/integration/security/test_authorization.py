"""The authorization matrix: every route of every service (read from the apps themselves, so a new route without a
row here fails) × every kind of caller answers the status in the table below; and no unit reads or writes another
unit's data.

Callers: `anon` no credentials · `other` a unit's key that is not the data's unit (BPS) · `own` the data's unit's key
(UPT-BLK) · `parent` the key of the unit UPT-BLK reports under (BID-PPTK) · one official per role (bearer token for
the JSON API, signed session cookie for the web pages) · `admin` the admin token.

Statuses: a number is the status; `login` is 303 to the login page (/masuk). Where success would change the office
for the rows after it, the allowed callers send a request that is refused only after the authorization check (an
invalid decision, an empty disposition, no recipients): their 422 shows they were let through, the others' 403 that
they were not. 401: no or unknown credentials; 403: known, not allowed (a unit's key outside the collector: 403
`unit_key_not_allowed`, which names why; only the collector keeps the keys, and none is allowed anywhere else).
The disposition read is the Sekretaris's to the Sub Koordinator: its issuer, its recipient (and oversight) open it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tests.integration.ops.conftest import session_cookie
from tests.integration.security.conftest import CALLERS, CSRF, PASSWORD, World, _ok, asgi_status

#                                                   anon  other own   parent sekr  kabid subkor kasi  staf  oper  admin
PUBLIC = """
GET  /healthz                                       200   200   200   200   200   200   200   200   200   200   200
GET  /metrics                                       200   200   200   200   200   200   200   200   200   200   200
GET  /openapi.json                                  200   200   200   200   200   200   200   200   200   200   200
GET  /docs                                          200   200   200   200   200   200   200   200   200   200   200
GET  /docs/oauth2-redirect                          200   200   200   200   200   200   200   200   200   200   200
GET  /redoc                                         200   200   200   200   200   200   200   200   200   200   200
"""
MATRIX = {
    "collector": """
PUT  /api/v1/perjanjian-kinerja/{tahun}             401   403   403   403   403   403   403   403   403   403   200
GET  /api/v1/perjanjian-kinerja/{tahun}             401   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/perjanjian-kinerja/{tahun}/versi       401   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/perjanjian-kinerja/{tahun}/versi/{version}
                                                    401   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/kalender/{tahun}                       401   403   403   403   403   403   403   403   403   403   200
PUT  /api/v1/kalender/{tahun}                       401   403   403   403   403   403   403   403   403   403   200
POST /api/v1/units/{kode}/api-keys                  401   403   403   403   403   403   403   403   403   403   201
GET  /api/v1/api-keys                               401   403   403   403   403   403   403   403   403   403   200
DELETE /api/v1/api-keys/{key_id}                    401   403   403   403   403   403   403   403   403   403   404
POST /api/v1/laporan-triwulan                       401   403   202   202   403   403   403   403   403   403   403
POST /api/v1/laporan-bulanan                        401   403   202   202   403   403   403   403   403   403   403
GET  /api/v1/template/{tahun}/{unit}.xlsx           401   403   200   200   403   403   403   403   403   403   200
POST /api/v1/laporan-triwulan/upload                401   403   202   202   403   403   403   403   403   403   403
POST /api/v1/laporan-triwulan/bulk                  401   403   200   200   403   403   403   403   403   403   200
GET  /api/v1/periode/{tahun}/{periode}/status       401   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/kelengkapan/{tahun}                    401   403   403   403   200   200   200   200   200   200   200
POST /api/v1/periode/{tahun}/{periode}/close        401   403   403   403   403   403   403   403   403   403   200
POST /api/v1/laporan-triwulan/{submission_id}/bukti 401   403   201   201   403   403   403   403   403   403   201
GET  /api/v1/laporan-triwulan/{submission_id}/bukti 401   403   200   200   200   200   200   200   200   200   200
GET  /api/v1/bukti                                  401   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/bukti/{bukti_id}                       401   403   200   200   200   200   200   200   200   200   200
""",
    "aggregator": """
GET  /api/v1/rekap/{tahun}/{periode}                401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/tren/{tahun}                           401   403   403   403   200   200   200   200   200   200   200
""",
    "renderer": """
GET  /api/v1/documents                              401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/documents/{doc_id}/file.{fmt}          401   403   403   403   200   200   200   200   200   200   200
PUT  /api/v1/templates/{jenis}.docx                 401   403   403   403   403   403   403   403   403   403   200
""",
    "approval": """
POST /api/v1/officials                              401   403   403   403   403   403   403   403   403   403   201
POST /api/v1/login                                  200   200   200   200   200   200   200   200   200   200   200
GET  /api/v1/drafts                                 401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/drafts/{draft_id}                      401   403   403   403   200   200   200   200   200   200   200
POST /api/v1/drafts/{draft_id}/decision             401   403   403   403   403   403   403   403   422   403   403
POST /api/v1/disposisi                              401   403   403   403   422   422   422   422   422   403   403
GET  /api/v1/disposisi                              401   403   403   403   200   200   200   200   200   200   403
GET  /api/v1/disposisi/{disposisi_id}               401   403   403   403   200   403   200   403   403   403   200
POST /api/v1/disposisi/{disposisi_id}/selesai       401   403   403   403   403   403   200   403   403   403   403
POST /api/v1/drafts/{draft_id}/sosialisasi          401   403   403   403   403   403   422   403   403   403   403
GET  /api/v1/sosialisasi/{sosialisasi_id}           401   403   403   403   200   200   200   200   403   403   200
POST /api/v1/sosialisasi/{sosialisasi_id}/dibaca    401   403   403   403   403   200   403   200   403   403   403
GET  /api/v1/kepatuhan-sop                          401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/pengingat                              401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/evaluasi/{tahun}/pemanfaatan           401   403   403   403   200   403   403   403   403   403   200
GET  /api/v1/evaluasi                               401   403   403   403   200   200   200   200   200   200   200
GET  /api/v1/evaluasi/{tahun}                       401   403   403   403   200   200   200   200   200   200   200
POST /api/v1/evaluasi/{tahun}/kriteria/{kode}       401   403   403   403   422   403   422   403   422   403   403
POST /api/v1/evaluasi/{tahun}/tutup                 401   403   403   403   403   403   403   403   403   403   403
GET  /                                              303   303   303   303   303   303   303   303   303   303   303
GET  /masuk                                         200   200   200   200   303   303   303   303   303   303   200
POST /masuk                                         403   403   403   403   303   303   303   303   303   303   403
POST /keluar                                        login login login login 303   303   303   303   303   303   login
GET  /bahasa/{kode}                                 303   303   303   303   303   303   303   303   303   303   303
GET  /kotak-masuk                                   login login login login 200   200   200   200   200   200   login
GET  /draf/{draft_id}                               login login login login 200   200   200   200   200   200   login
POST /draf/{draft_id}/keputusan                     login login login login 403   403   403   403   422   403   login
GET  /draf/{draft_id}/dokumen.pdf                   login login login login 200   200   200   200   200   200   login
GET  /draf/{draft_id}/final.{fmt}                   login login login login 200   200   200   200   200   200   login
GET  /disposisi/{disposisi_id}/lembar.{fmt}         login login login login 200   403   200   403   403   403   login
GET  /disposisi                                     login login login login 200   200   200   200   200   200   login
POST /disposisi                                     login login login login 422   422   422   422   422   403   login
GET  /disposisi/{disposisi_id}                      login login login login 200   403   200   403   403   403   login
POST /disposisi/{disposisi_id}/selesai              login login login login 403   403   403   303   403   403   login
POST /draf/{draft_id}/sosialisasi                   login login login login 403   403   422   403   403   403   login
GET  /sosialisasi/{sosialisasi_id}                  login login login login 200   200   200   200   403   403   login
GET  /kepatuhan-sop                                 login login login login 200   200   200   200   200   200   login
GET  /evaluasi/{tahun}/pemanfaatan                  login login login login 200   403   403   403   403   403   login
GET  /evaluasi/{tahun}/pemanfaatan.pdf              login login login login 200   403   403   403   403   403   login
GET  /evaluasi/{tahun}/pemanfaatan.xlsx             login login login login 200   403   403   403   403   403   login
GET  /evaluasi                                      login login login login 200   200   200   200   200   200   login
GET  /evaluasi/{tahun}                              login login login login 200   200   200   200   200   200   login
POST /evaluasi/{tahun}/kriteria/{kode}              login login login login 422   403   422   403   422   403   login
POST /evaluasi/{tahun}/tutup                        login login login login 403   403   403   403   403   403   login
GET  /operator                                      303   303   303   303   303   303   303   303   303   303   303
GET  /operator/peristiwa                            login login login login 403   403   403   403   403   200   login
GET  /operator/peristiwa/langsung                   401   401   401   401   403   403   403   403   403   200   401
GET  /operator/peristiwa/{stream}/{entry_id}        login login login login 403   403   403   403   403   200   login
GET  /operator/jejak                                login login login login 403   403   403   403   403   200   login
GET  /operator/surat-mati                           login login login login 403   403   403   403   403   200   login
POST /operator/surat-mati/{action}                  login login login login 403   403   403   403   403   303   login
GET  /operator/grup                                 login login login login 403   403   403   403   403   200   login
GET  /verifikasi                                    200   200   200   200   200   200   200   200   200   200   200
POST /verifikasi                                    403   403   403   403   400   400   400   400   400   400   403
GET  /verifikasi/{sha256}                           404   404   404   404   404   404   404   404   404   404   404
GET  /verifikasi/dokumen/{document_id}              404   404   404   404   404   404   404   404   404   404   404
GET  /api/v1/verifikasi/{sha256}                    404   404   404   404   404   404   404   404   404   404   404
GET  /api/v1/verifikasi/dokumen/{document_id}       404   404   404   404   404   404   404   404   404   404   404
GET  /api/v1/tindak-lanjut                          401   403   403   403   200   200   200   200   200   200   200
POST /api/v1/tindak-lanjut                          401   403   403   403   422   422   422   422   403   403   403
GET  /tindak-lanjut                                 login login login login 200   200   200   200   200   200   login
GET  /tindak-lanjut/baru                            login login login login 200   200   200   200   200   200   login
POST /tindak-lanjut                                 login login login login 422   422   422   422   403   403   login
GET  /disposisi/{disposisi_id}/bukti/{sha256}       login login login login 404   403   403   404   403   403   login
""",
}
SERVICES = tuple(MATRIX)


def table(service: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(method, path): {caller: expected}} from the service's rows and the public ones."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    words = (PUBLIC + MATRIX[service]).split()
    i = 0
    while i < len(words):
        method, path, statuses = words[i], words[i + 1], words[i + 2 : i + 2 + len(CALLERS)]
        assert (method, path) not in rows, f"two rows for {method} {path}"
        rows[(method, path)] = dict(zip(CALLERS, statuses, strict=True))
        i += 2 + len(CALLERS)
    return rows


INSPEKTORAT_ONLY = {  # routes no matrix caller may act on: only the inspektorat closes a year's evaluation
    ("approval", "POST", "/api/v1/evaluasi/{tahun}/tutup"),
    ("approval", "POST", "/evaluasi/{tahun}/tutup"),
}


def allowed_caller(service: str, method: str, path: str) -> str:
    """The first caller the matrix lets through on a route (a status other than 401, 403 and the login redirect);
    the inspektorat on the routes only it may act on (its login is in the world, not a matrix column)."""
    expected = table(service)[(method, path)]
    found = next((c for c in CALLERS if expected[c] not in ("401", "403", "login")), None)
    if found is None and (service, method, path) in INSPEKTORAT_ONLY:
        return "inspektorat"
    assert found is not None, f"no caller may act on {service} {method} {path}: list the one who may"
    return found


def routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside; its only mount is the approval app's static files."""
    out = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            assert route.path == "/static", route.path
            continue
        for method in route.methods or ():
            if method != "HEAD":
                out.add((method, route.path))
    return out


# ---- the requests -----------------------------------------------------------------------------------------------

Request = dict[str, Any]  # method, url and the client's keyword arguments


def _params(w: World) -> dict[str, str]:
    stream, entry = w.ids["event"]
    return {
        "tahun": "2024", "periode": "TW2", "version": "1", "kode": "UPT-BLK", "unit": "UPT-BLK",
        "submission_id": w.ids["submission"], "bukti_id": w.ids["bukti"], "doc_id": w.ids["document"], "fmt": "pdf",
        "jenis": "disposisi", "draft_id": w.ids["draft_waiting"], "disposisi_id": str(w.ids["disposisi_api"]),
        "sosialisasi_id": str(w.ids["sosialisasi"]), "stream": stream, "entry_id": entry, "action": "buang",
        "sha256": "0" * 64, "document_id": "2099-TW1-v1-final",  # public verification: unknown, the same 404 for all
    }  # fmt: skip


def _tw2(w: World) -> dict[str, Any]:
    return {"tahun": 2024, "triwulan": 2, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "450"}]}


def _username(caller: str) -> str:
    return f"u-{caller}" if caller not in ("anon", "other", "own", "parent", "admin") else "nobody"


BODIES: dict[tuple[str, str], Callable[[World, str], dict[str, Any]]] = {
    ("PUT", "/api/v1/perjanjian-kinerja/{tahun}"): lambda w, c: {"json": w.ids["pk"]},
    ("PUT", "/api/v1/kalender/{tahun}"): lambda w, c: {"json": {"triwulan": []}},
    ("POST", "/api/v1/laporan-triwulan"): lambda w, c: {"json": _tw2(w)},
    ("POST", "/api/v1/laporan-bulanan"): lambda w, c: {
        "json": {"tahun": 2024, "bulan": 4, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "150"}]}
    },
    ("POST", "/api/v1/laporan-triwulan/upload"): lambda w, c: {
        "files": {"file": ("laporan.xlsx", w.ids["sheet"], "application/octet-stream")}
    },
    ("POST", "/api/v1/laporan-triwulan/bulk"): lambda w, c: {"json": {"submissions": [_tw2(w)]}},
    ("POST", "/api/v1/laporan-triwulan/{submission_id}/bukti"): lambda w, c: {
        "files": {"file": (f"{c}.pdf", f"%PDF-1.4\n% dari {c}\n%%EOF\n".encode(), "application/pdf")}
    },
    ("GET", "/api/v1/bukti"): lambda w, c: {"params": {"tahun": 2024}},
    ("PUT", "/api/v1/templates/{jenis}.docx"): lambda w, c: {
        "content": (Path(__file__).resolve().parents[3] / "services/renderer/templates/disposisi.docx").read_bytes()
    },
    ("POST", "/api/v1/officials"): lambda w, c: {
        "json": {"username": f"baru-{c}", "password": PASSWORD, "nama": "Pejabat Baru", "role": "staf"}
    },
    ("POST", "/api/v1/login"): lambda w, c: {"json": {"username": "u-staf", "password": PASSWORD}},
    ("POST", "/api/v1/drafts/{draft_id}/decision"): lambda w, c: {
        "json": {"decision": "bogus", "version": w.ids["draft_waiting_version"]}
    },
    ("POST", "/api/v1/disposisi"): lambda w, c: {"json": {}},
    ("POST", "/api/v1/tindak-lanjut"): lambda w, c: {"json": {}},
    ("GET", "/api/v1/tindak-lanjut"): lambda w, c: {"params": {"tahun": 2024}},
    ("POST", "/tindak-lanjut"): lambda w, c: {"data": {"csrf": CSRF, "tahun": "2024"}},
    ("POST", "/api/v1/drafts/{draft_id}/sosialisasi"): lambda w, c: {"json": {"penerima": []}},
    ("GET", "/api/v1/kepatuhan-sop"): lambda w, c: {"params": {"tahun": 2024}},
    ("POST", "/masuk"): lambda w, c: {"data": {"username": _username(c), "password": PASSWORD, "csrf": CSRF}},
    ("POST", "/keluar"): lambda w, c: {"data": {"csrf": CSRF}, "headers": _throwaway_session(w, c)},
    ("POST", "/draf/{draft_id}/keputusan"): lambda w, c: {
        "data": {
            "csrf": CSRF,
            "decision": "bogus",
            "version": str(w.ids["draft_waiting_version"]),
            "seq": w.ids["draft_waiting_seq"],
        }  # fmt: skip
    },
    ("POST", "/disposisi"): lambda w, c: {"data": {"csrf": CSRF, "kepada_role": "staf", "instruksi": ""}},
    ("POST", "/disposisi/{disposisi_id}/selesai"): lambda w, c: {"data": {"csrf": CSRF}},
    # the self-assessment: the office's roles get past the role check to the letter's (not on the scale: 422)
    ("POST", "/api/v1/evaluasi/{tahun}/kriteria/{kode}"): lambda w, c: {"json": {"jawaban": "Z"}},
    ("POST", "/evaluasi/{tahun}/kriteria/{kode}"): lambda w, c: {"data": {"csrf": CSRF, "jawaban": "Z"}},
    ("POST", "/evaluasi/{tahun}/tutup"): lambda w, c: {"data": {"csrf": CSRF, "konfirmasi": "ya"}},
    ("POST", "/verifikasi"): lambda w, c: {"data": {"csrf": CSRF}},  # the session's token (officials), no file: 400
    ("POST", "/draf/{draft_id}/sosialisasi"): lambda w, c: {"data": {"csrf": CSRF}},
    ("POST", "/operator/surat-mati/{action}"): lambda w, c: {
        "data": {"csrf": CSRF, "dlq": f"{w.settings.stream('collector')}.dlq", "entry": "1-1", "yakin": "ya"}
    },
}
PATHS: dict[tuple[str, str], dict[str, str]] = {  # path parameters other than _params' for one route
    ("POST", "/api/v1/periode/{tahun}/{periode}/close"): {"periode": "TW1"},  # final already: closing changes nothing
    ("PUT", "/api/v1/kalender/{tahun}"): {"tahun": "2099"},
    ("DELETE", "/api/v1/api-keys/{key_id}"): {"key_id": "999999"},  # no such key: revoking one would end a caller
    ("GET", "/api/v1/rekap/{tahun}/{periode}"): {"periode": "TW1"},
    ("POST", "/api/v1/drafts/{draft_id}/sosialisasi"): {"draft_id": "final"},
    ("POST", "/disposisi/{disposisi_id}/selesai"): {"disposisi_id": "web"},
    ("GET", "/disposisi/{disposisi_id}/bukti/{sha256}"): {"disposisi_id": "web", "sha256": "0" * 64},  # no such file
    ("POST", "/draf/{draft_id}/sosialisasi"): {"draft_id": "final"},
    ("GET", "/draf/{draft_id}/final.{fmt}"): {"draft_id": "final", "fmt": "xlsx"},
    ("GET", "/bahasa/{kode}"): {"kode": "en"},
    ("POST", "/api/v1/evaluasi/{tahun}/kriteria/{kode}"): {"kode": "1.a.1"},
    ("POST", "/evaluasi/{tahun}/kriteria/{kode}"): {"kode": "1.a.1"},
}


def _throwaway_session(w: World, caller: str) -> dict[str, str]:
    """An official's second web session, for the logout row: logging out ends the session on the server, and the
    caller's own one serves the rows after it."""
    if caller not in w.officials:
        return {}
    return {"Cookie": f"lapkin_sesi={session_cookie(w.settings, int(w.officials[caller]['id']), CSRF)}"}


def path_params(w: World, method: str, path: str) -> dict[str, str]:
    """The office's values for a route's path parameters (an existing draft, submission, file…)."""
    params = {**_params(w), **PATHS.get((method, path), {})}
    if params.get("draft_id") == "final":
        params["draft_id"] = w.ids["draft_final"]
    if params.get("disposisi_id") == "web":
        params["disposisi_id"] = str(w.ids["disposisi_web"])
    return {k: v for k, v in params.items() if "{" + k + "}" in path}


def build(w: World, method: str, path: str, caller: str) -> Request:
    url = path.format(**path_params(w, method, path))
    kwargs = BODIES.get((method, path), lambda w, c: {})(w, caller)
    return {"method": method, "url": url, **kwargs}


def call(w: World, service: str, req: Request, caller: str) -> tuple[int, Any]:
    headers = {**w.callers[caller], **req.pop("headers", {})}
    if req["url"] == "/operator/peristiwa/langsung":
        return asgi_status(w.clients[service], req["url"], headers), None
    method, url = req.pop("method"), req.pop("url")
    if "content" in req:
        headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    res = w.clients[service].request(method, url, headers=headers, **req)
    return res.status_code, res


def test_every_route_has_a_row_and_every_row_a_route(world: World):
    for service in SERVICES:
        assert routes(world.apps[service]) == set(table(service)), service


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_answers_every_caller_as_the_matrix_says(world: World, service: str):
    wrong = []
    for (method, path), expected in table(service).items():
        for caller, want in expected.items():
            status, res = call(world, service, build(world, method, path, caller), caller)
            got = str(status)
            if want == "login":
                location = res.headers.get("location", "") if res is not None else ""
                got = "login" if status == 303 and location.startswith("/masuk?pesan=") else f"{status} {location}"
            if got != want:
                wrong.append(f"{method} {path} as {caller}: {got} (expected {want}) {_excerpt(res)}")
            elif res is not None and status >= 400 and "json" in res.headers.get("content-type", ""):
                _assert_error_shape(res.json(), f"{method} {path} as {caller}")
    assert not wrong, "\n".join(wrong)


def _excerpt(res: Any) -> str:
    return "" if res is None else res.text[:200].replace("\n", " ")


def _assert_error_shape(body: Any, where: str) -> None:
    errors = body.get("errors") if isinstance(body, dict) else None
    assert errors, f"{where}: no errors in {json.dumps(body)[:200]}"
    for e in errors:
        assert set(e) == {"field", "rule", "message_id", "message_en"}, where
        assert e["rule"] and e["message_id"] and e["message_en"], where


def test_a_circulation_in_a_draft_history_is_shown_only_to_whom_its_receipts_are(world: World):
    """Outsider check: a staf who was not sent the circulation read its recipients, note and read receipts in the
    draft's history (page and API), though `/sosialisasi/{id}` refused them. The history now leaves them out."""
    appr, draft = world.clients["approval"], world.ids["draft_final"]
    _ok(appr.post(f"/api/v1/sosialisasi/{world.ids['sosialisasi']}/dibaca", headers=world.official("kabid")), 200)

    def actions(headers: dict[str, str]) -> list[str]:
        res = appr.get(f"/api/v1/drafts/{draft}", headers=headers)
        assert res.status_code == 200, res.text
        return sorted({h["action"] for h in res.json()["history"] if h["action"] in ("sosialisasi", "dibaca")})

    assert actions(world.admin) == ["dibaca", "sosialisasi"]
    for role in ("subkor", "kabid", "kasi", "sekretaris"):  # the sender, the recipients, oversight
        assert actions(world.official(role)) == ["dibaca", "sosialisasi"], role
    assert actions(world.official("staf")) == []
    for role, shown in (("staf", False), ("kabid", True)):  # the draft page's history and circulation list
        page = appr.get(f"/draf/{draft}", headers=_throwaway_session(world, role))
        assert page.status_code == 200 and ("Disosialisasikan" in page.text) is shown, role


def test_a_disposisi_follows_its_sop_step_and_the_operator_receives_neither_disposisi_nor_circulation(world: World):
    """Outsider check: a staf issued a disposisi for SOP step 1 (the Sekretaris's) to the Kepala Dinas; an official
    with the operator role could be named as a disposisi's or a circulation's recipient."""
    appr = world.clients["approval"]
    body = {"kepada_role": "kasi", "instruksi": "Periksa data", "langkah": 1}
    res = appr.post("/api/v1/disposisi", json=body, headers=world.official("staf"))
    assert res.status_code == 422 and [(e["field"], e["rule"]) for e in res.json()["errors"]] == [
        ("langkah", "wrong_role")
    ], res.text
    assert appr.post("/api/v1/disposisi", json=body, headers=world.official("sekretaris")).status_code == 201
    operator_id = world.officials["operator"]["id"]
    res = appr.post(
        "/api/v1/disposisi", json={"kepada_id": operator_id, "instruksi": "x"}, headers=world.official("sekretaris")
    )
    assert res.status_code == 422 and res.json()["errors"][0]["rule"] == "not_an_official", res.text
    res = appr.post(
        f"/api/v1/drafts/{world.ids['draft_final']}/sosialisasi",
        json={"penerima": [operator_id]},
        headers=world.official("subkor"),
    )
    assert res.status_code == 422 and res.json()["errors"][0]["rule"] == "not_an_official", res.text


def test_third_outsider_pass_forms_and_pages_say_what_the_server_accepts(world: World):
    """Outsider re-check: the disposisi form offered a staf every SOP step (the server refuses the others' steps); a
    disposisi to the operator's role said "unknown role"; the annual draft's address said only "not found" before
    the draft exists."""
    appr = world.clients["approval"]
    page = appr.get("/disposisi", headers=_throwaway_session(world, "staf"))
    offered = {int(n) for n in re.findall(r'<option value="(\d+)"[^>]*>\d+\. ', page.text)}
    assert offered and offered <= {3, 4, 7, 9}, offered  # the staf's own steps only
    page = appr.get("/disposisi", headers=_throwaway_session(world, "sekretaris"))
    assert {int(n) for n in re.findall(r'<option value="(\d+)"[^>]*>\d+\. ', page.text)} == set(range(1, 10))
    res = appr.post(
        "/api/v1/disposisi", json={"kepada_role": "operator", "instruksi": "x"}, headers=world.official("sekretaris")
    )
    assert res.status_code == 422 and res.json()["errors"][0]["rule"] == "not_an_official", res.text
    page = appr.get("/draf/2031-TAHUNAN", headers=_throwaway_session(world, "staf"))
    assert page.status_code == 404 and "Draf Tahun 2031 belum dibuat" in page.text, page.text[:300]
