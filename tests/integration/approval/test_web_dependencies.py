"""Who asks for a page of the officials' app and the CSRF check are FastAPI dependencies (web/deps.py): the refusals
they raise are the same pages the views answered with themselves (issue 14, item 5), and the views keep HTTP only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.approval.web import views
from tests.integration.ops.conftest import session_cookie
from tests.integration.ops.test_operator_pages import official

WEB = Path(views.__file__).resolve().parent


def test_without_a_session_a_page_leads_to_the_login_and_back(app_client):
    res = app_client.get("/kotak-masuk")
    assert res.status_code == 303 and res.headers["location"] == "/masuk?pesan=login_required"
    res = app_client.get("/disposisi/7")
    assert res.status_code == 303 and res.headers["location"] == "/masuk?pesan=login_required&ke=%2Fdisposisi%2F7"
    res = app_client.post("/draf/2024-TW1/keputusan", data={"csrf": "x"})
    assert res.status_code == 303 and res.headers["location"].startswith("/masuk?pesan=login_required")


def test_a_wrong_address_is_not_found_before_anyone_is_asked_to_log_in(app_client, settings):
    for path in ("/disposisi/abc", "/sosialisasi/abc"):
        res = app_client.get(path)
        assert res.status_code == 422 and 'id="error-page"' in res.text, path  # the app's page, no login redirect
    cookie = {"Cookie": f"lapkin_sesi={session_cookie(settings, official(app_client, settings, 'kabid1', 'kabid'))}"}
    assert app_client.post("/disposisi/abc/selesai", data={"csrf": "csrf-token"}, headers=cookie).status_code == 422


def test_a_form_without_its_csrf_token_changes_nothing_and_leads_back_to_its_page(app_client, settings):
    uid = official(app_client, settings, "kasi1", "kasi")
    cookie = {"Cookie": f"lapkin_sesi={session_cookie(settings, uid)}"}
    res = app_client.post("/draf/2024-TW1/keputusan", data={"csrf": "wrong", "decision": "approve"}, headers=cookie)
    assert res.status_code == 403 and 'href="/draf/2024-TW1"' in res.text and "Token keamanan" in res.text
    res = app_client.post("/disposisi/3/selesai", data={}, headers=cookie)
    assert res.status_code == 403 and 'href="/disposisi/3"' in res.text
    res = app_client.post("/keluar", data={"csrf": "wrong"}, headers=cookie)
    assert res.status_code == 403 and 'href="/kotak-masuk"' in res.text
    assert app_client.get("/kotak-masuk", headers=cookie).status_code == 200  # still logged in: the logout was refused
    res = app_client.post("/keluar", data={"csrf": "csrf-token"}, headers=cookie)
    assert res.status_code == 303 and res.headers["location"] == "/masuk?pesan=logged_out"


def test_the_operators_pages_refuse_other_roles_in_the_consoles_words(app_client, settings):
    cookie = {"Cookie": f"lapkin_sesi={session_cookie(settings, official(app_client, settings, 'staf9', 'staf'))}"}
    res = app_client.get("/operator/grup", headers=cookie)
    assert res.status_code == 403 and "Halaman ini hanya untuk operator." in res.text
    op = {"Cookie": f"lapkin_sesi={session_cookie(settings, official(app_client, settings, 'op9', 'operator'))}"}
    res = app_client.post("/operator/surat-mati/buang", data={"csrf": "wrong"}, headers=op)
    assert res.status_code == 403 and "Formulir kedaluwarsa" in res.text and 'href="/operator/surat-mati"' in res.text
    assert app_client.post("/operator/surat-mati/lain", data={"csrf": "wrong"}, headers=op).status_code == 404


def _calls_and_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return names | modules


@pytest.mark.parametrize("module", ["views.py", "pages.py", "operator.py"])
def test_the_views_keep_http_only(module):
    """No query of their own (services/approval/queries.py), no look-up of who asks or CSRF check repeated in each
    view (web/deps.py), no label table (shared/i18n)."""
    used = _calls_and_imports(WEB / module)
    assert not used & {"select", "csrf_ok", "_current", "_operator"}, module
    source = (WEB / module).read_text()
    assert "LABELS" not in source and "TEXT: dict" not in source
