"""Size limits on every route that takes a body (every POST and PUT of every service, read from the apps): a body over
`max_body_bytes` is 413 with the standard error body (on the officials' web pages: their error page, naming the
limit), whether it says its length up front or streams in chunks without one (then the caller is one the matrix lets
through, so the body is really read); a multipart body gets the upload limit. Upload types are checked by content
(evidence and Excel have their own tests; the Word template here)."""

from __future__ import annotations

from collections.abc import Iterator

from tests.integration.security.conftest import World
from tests.integration.security.test_authorization import SERVICES, allowed_caller, build, routes

NOT_READ_AS_JSON_OR_FORM = {  # these never read a JSON or form body: a chunked one is simply not read
    ("POST", "/api/v1/units/{kode}/api-keys"): "no body",
    ("POST", "/api/v1/periode/{tahun}/{periode}/close"): "no body",
    ("POST", "/api/v1/disposisi/{disposisi_id}/selesai"): "no body",
    ("POST", "/api/v1/sosialisasi/{sosialisasi_id}/dibaca"): "no body",
    (
        "POST",
        "/api/v1/laporan-triwulan/upload",
    ): "multipart only (tests/integration/collector/test_excel.py: chunked 413)",
    ("POST", "/api/v1/laporan-triwulan/{submission_id}/bukti"): "multipart only (test_bukti.py: chunked 413)",
}


def bodied_routes(world: World) -> list[tuple[str, str, str]]:
    return sorted((s, m, p) for s in SERVICES for m, p in routes(world.apps[s]) if m in ("POST", "PUT"))


def is_page(service: str, path: str) -> bool:
    """The officials' web app answers its pages' refusals with a page (`app.state.error_page`), the APIs with JSON."""
    return service == "approval" and not path.startswith("/api/")


def assert_too_large(res, where: str, page: bool = False) -> None:
    assert res.status_code == 413, f"{where}: {res.status_code} {res.text[:200]}"
    if page:
        assert res.headers["content-type"].startswith("text/html"), where
        assert "melebihi batas 1 MB" in res.text, where
        return
    (err,) = res.json()["errors"]
    assert (err["field"], err["rule"]) == ("body", "too_large"), where
    assert err["message_id"] and err["message_en"], where


def test_every_body_route_refuses_a_declared_length_over_the_limit(world: World):
    over = b"x" * (world.settings.max_body_bytes + 1)
    for service, method, path in bodied_routes(world):
        caller = allowed_caller(service, method, path)
        url = build(world, method, path, caller)["url"]
        for ctype in ("application/json", "application/x-www-form-urlencoded"):
            headers = {**world.callers[caller], "Content-Type": ctype}
            res = world.clients[service].request(method, url, content=over, headers=headers)
            assert_too_large(res, f"{method} {path} ({ctype})", is_page(service, path))


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"a": "'
    sent = 7
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_every_body_route_refuses_a_chunked_body_over_the_limit_while_reading_it(world: World):
    """In the route's own content type: JSON for the API, a form for the web pages (each reads only its own)."""
    wrong = []
    for service, method, path in bodied_routes(world):
        if (method, path) in NOT_READ_AS_JSON_OR_FORM:
            continue
        caller = allowed_caller(service, method, path)
        url = build(world, method, path, caller)["url"]
        ctype = "application/json" if path.startswith("/api/") else "application/x-www-form-urlencoded"
        headers = {**world.callers[caller], "Content-Type": ctype}
        res = world.clients[service].request(
            method, url, content=_chunks(world.settings.max_body_bytes + 1), headers=headers
        )
        if is_page(service, path):
            if res.status_code != 413 or "melebihi batas 1 MB" not in res.text:
                wrong.append(f"{method} {path} as {caller}: {res.status_code} {res.text[:150]}")
        elif res.status_code != 413 or res.json()["errors"][0]["rule"] != "too_large":
            wrong.append(f"{method} {path} as {caller}: {res.status_code} {res.text[:150]}")
    assert not wrong, "\n".join(wrong)


def test_a_word_template_over_the_upload_limit_is_413_and_one_that_is_not_a_docx_is_422(world: World):
    ren = world.clients["renderer"]
    big = b"PK\x03\x04" + b"\0" * (world.settings.max_upload_bytes + 128 * 1024)
    res = ren.put("/api/v1/templates/disposisi.docx", files={"file": ("t.docx", big)}, headers=world.admin)
    assert_too_large(res, "a multipart template over the upload limit")
    res = ren.put("/api/v1/templates/disposisi.docx", files={"file": ("t.docx", b"<html>")}, headers=world.admin)
    assert res.status_code == 422 and res.json()["errors"][0]["rule"] == "invalid_template", res.text
