"""A draft version drawn from an older recap than the period's newest cannot be approved (the outside tester's
case: the agency's correction accepted and recapped, the renderer unable to draw the new version, the officials
approving version 1 and signing figures the correction had replaced). On a real Redis and database, the recaps and
drafts arriving as the aggregator's and the renderer's events: while a newer, different recap revision is known, a
forward decision is 409 `newer_recap` naming it and changes nothing, in the API and in the web app (whose draft page
and inbox say why there is no approve button, in Indonesian and English, once: no error box repeating the notice); a
return is still allowed; a revision that only renumbers its inputs blocks nothing; once the renderer's new version
arrives it can be approved to final."""

from __future__ import annotations

import copy
import html
import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from services.approval.models import RekapRow
from services.approval.web.sessions import LANG_COOKIE
from shared.events.envelope import utcnow
from tests.integration.approval.test_pemanfaatan import app, database_url, ok, people, settings  # noqa: F401
from tests.integration.ops.conftest import event, eventually, put
from tests.unit.renderer.worked_example import recaps

DRAFT = "/api/v1/drafts/2024-TW1"


def recap(r: Any, cfg: Any, revision: int, rekap: dict, inputs: dict[str, int]) -> None:
    body = {"tahun": 2024, "periode": "TW1", "revision": revision, "status": "complete", "rekap": rekap,
            "inputs": inputs}  # fmt: skip
    put(r, cfg, event("RekapCompleted", body, "aggregator"))


def drawn(r: Any, cfg: Any, version: int, revision: int) -> None:
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": version,
             "document_id": f"2024-TW1-v{version}", "recap_revision": revision, "files": {}}  # fmt: skip
    put(r, cfg, event("DraftRendered", draft, "renderer"))


def decide(client: TestClient, who: dict[str, Any], decision: str, note: str | None = None) -> Any:
    version = ok(client.get(DRAFT, headers=who["api"]))["version"]
    body = {"decision": decision, "version": version, **({"note": note} if note else {})}
    return client.post(f"{DRAFT}/decision", json=body, headers=who["api"])


def known(client: TestClient, revision: int) -> bool:
    with Session(client.app.state.rt.engine) as session:  # type: ignore[attr-defined]
        return session.get(RekapRow, (2024, "TW1", revision)) is not None


def overdue(client: TestClient, revision: int) -> None:
    """As if recap `revision` had arrived ten minutes ago (handlers.NEW_VERSION_OVERDUE is five)."""
    with Session(client.app.state.rt.engine) as session:  # type: ignore[attr-defined]
        row = session.get(RekapRow, (2024, "TW1", revision))
        assert row is not None
        row.received_at = utcnow() - timedelta(minutes=10)
        session.add(row)
        session.commit()


def text_of(page: str, ident: str) -> str | None:
    found = re.search(rf'<p[^>]*id="{ident}"[^>]*>(.*?)</p>', page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", found.group(1))) if found else None


def test_no_approval_while_a_newer_recap_waits_to_be_drawn_and_again_once_it_is(app, settings, r, people):  # noqa: F811
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    first = recaps()["TW1"]
    recap(r, settings, 8, first, {"1:BID-PPTK": 1})
    drawn(r, settings, 1, 8)
    eventually(lambda: app.get(DRAFT, headers=admin).status_code == 200, what="the TW1 draft")
    ok(decide(app, people["staf"], "approve"))  # submitted

    recap(r, settings, 9, first, {"1:BID-PPTK": 2})  # an input renumbered, nothing shown changed: no new draft
    eventually(lambda: known(app, 9), what="revision 9")
    assert ok(app.get(DRAFT, headers=people["subkor"]["api"]))["rekap_baru"] is None

    corrected = copy.deepcopy(first)  # the agency's accepted correction: another figure
    corrected["capaian_instansi"] = "97.10"
    recap(r, settings, 10, corrected, {"1:BID-PPTK": 3})
    eventually(lambda: ok(app.get(DRAFT, headers=admin))["rekap_baru"] == 10, what="revision 10 known")
    mine = ok(app.get(DRAFT, headers=people["subkor"]["api"]))
    assert mine["may_approve"] is False and mine["may_return"] is True and mine["recap_revision"] == 8
    before = ok(app.get(DRAFT, headers=admin))

    refused = decide(app, people["subkor"], "approve")
    assert refused.status_code == 409, refused.text
    error = refused.json()["errors"][0]
    assert error["rule"] == "newer_recap" and error["field"] == "version"
    assert "rekap revisi 10" in error["message_id"] and "revisi 8" in error["message_id"]
    assert "recap revision 10" in error["message_en"] and "is being drawn" in error["message_en"]
    assert "dead letter" not in error["message_en"]  # just arrived: being drawn, nothing for an operator yet
    assert mine["rekap_baru_tertunda"] is False and mine["rekap_baru_diterima"].endswith("+00:00")
    assert ok(app.get(DRAFT, headers=admin)) == before  # nothing changed, nothing recorded

    # the officials' web app: the page says why, the approve form is gone, the return form stays; the inbox too
    page = ok(app.get("/draf/2024-TW1", headers=people["subkor"]["web"])).text
    notice = text_of(page, "rekap-baru")
    assert notice is not None and "versi rekap 8" in notice and "versi rekap 10" in notice
    assert "rekap revisi" not in html.unescape(page)  # the recap's number is not the units' "revisi N"
    assert "tidak dapat disetujui" in notice and "kembali ke Staf Penyusun" in notice  # where the new version goes
    assert "Surat mati" not in notice and "dead letter" not in notice  # an official is not asked for operators' words
    assert re.search(r"diterima \d{1,2} \w+ \d{4} \d{2}\.\d{2} WIB", notice), notice  # when, in office time
    assert "sedang disusun" in notice and "operator" not in notice
    assert 'id="approve-form"' not in page and 'id="return-form"' in page
    english = ok(app.get("/draf/2024-TW1", headers={"Cookie": f"{people['subkor']['web']['Cookie']}; "
                                                              f"{LANG_COOKIE}=en"})).text  # fmt: skip
    assert "recap version 10 with newer data exists" in (text_of(english, "rekap-baru") or "")
    inbox = ok(app.get("/kotak-masuk", headers=people["subkor"]["web"])).text
    assert "versi rekap 10" in html.unescape(inbox)
    assert "Tunggu versi baru" in inbox and "Periksa dan setujui" not in inbox  # the card's action line agrees
    seq = re.search(r'name="seq" value="(\d+)"', page)
    assert seq is not None
    form = {"csrf": "csrf-token", "decision": "approve", "version": "1", "seq": seq.group(1)}
    web = app.post("/draf/2024-TW1/keputusan", headers=people["subkor"]["web"], data=form)
    assert web.status_code == 409 and "versi rekap 10" in (text_of(web.text, "rekap-baru") or "")
    assert text_of(web.text, "error") is None  # the notice says it: no second box repeating it
    unreasoned = {**form, "decision": "return"}  # a return without its reason
    bare = app.post("/draf/2024-TW1/keputusan", headers=people["subkor"]["web"], data=unreasoned)
    assert bare.status_code == 422 and text_of(bare.text, "error")  # another refusal keeps its box
    assert ok(app.get(DRAFT, headers=admin))["state"] == before["state"]

    # five minutes on and still no new version: drawing failed or the renderer is stopped; the page and the 409 say so
    overdue(app, 10)
    late = ok(app.get(DRAFT, headers=people["subkor"]["api"]))
    assert late["rekap_baru"] == 10 and late["rekap_baru_tertunda"] is True and late["may_approve"] is False
    refused = decide(app, people["subkor"], "approve")
    assert refused.status_code == 409 and "replay the dead letter" in refused.json()["errors"][0]["message_en"]
    assert "penyusunannya gagal" in refused.json()["errors"][0]["message_id"]
    notice = text_of(ok(app.get("/draf/2024-TW1", headers=people["subkor"]["web"])).text, "rekap-baru") or ""
    assert "belum muncul lebih dari 5 menit" in notice and "Beri tahu operator" in notice, notice
    assert "sedang disusun" not in notice

    # returning stays allowed; the compiler's resubmission of the same old version is a forward decision: refused
    ok(decide(app, people["subkor"], "return", "Data IKU-1 telah dikoreksi unit"))
    assert decide(app, people["staf"], "approve").status_code == 409

    # the renderer draws version 2 from revision 10 (the store back, or the dead letter replayed): approvable again
    drawn(r, settings, 2, 10)
    eventually(lambda: ok(app.get(DRAFT, headers=admin))["version"] == 2, what="version 2")
    assert ok(app.get(DRAFT, headers=admin))["rekap_baru"] is None
    ok(decide(app, people["staf"], "approve"))
    final = ok(decide(app, people["subkor"], "approve"))
    assert (final["state"], final["version"], final["recap_revision"]) == ("final", 2, 10)
