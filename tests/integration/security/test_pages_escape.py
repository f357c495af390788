"""Every page of the approval app shows hostile text as text: a unit named `<script>…`, an indicator named `{{7*7}}`,
an official, a disposition, a circulation note, a reminder and events (in the operator's log, an event's envelope,
a dead letter and the live feed) carrying them. Jinja autoescapes the HTML and never evaluates data as a template."""

from __future__ import annotations

import json

from services.approval.web.operator import _row_html
from shared.events.envelope import new_envelope
from shared.messaging.index import decode
from tests.integration.security.conftest import ESCAPED_SCRIPT, JINJA, NASTY, SCRIPT, World, wait_for


def page(w: World, role: str, url: str) -> str:
    res = w.clients["approval"].get(url, headers=w.callers[role])
    assert res.status_code == 200, f"{url} as {role}: {res.status_code} {res.text[:300]}"
    return res.text


def draft_page(w: World, role: str, url: str) -> str:
    """A draft's page once the approval service holds the recap it was drawn from: earlier tests of this module's
    office submit too, so the draft may have a newer version whose recap is still on its way (the page then says
    so and lists no indicator)."""

    def with_recap() -> str | None:
        html = page(w, role, url)
        return html if 'id="ind-' in html else None

    return wait_for(with_recap, f"the recap on {url}", timeout=60)


def assert_literal(html: str, where: str, *, jinja: bool = True) -> None:
    assert SCRIPT not in html, f"{where}: an unescaped <script>"
    assert ESCAPED_SCRIPT in html, f"{where}: the hostile text is not shown in {html}"
    if jinja:
        assert JINJA in html, f"{where}: {JINJA} is not shown as typed"


def test_officials_pages_show_hostile_text_as_text(world: World):
    appr = world.clients["approval"]
    body = {"kepada_role": "staf", "instruksi": f"Olah data {NASTY}", "catatan": NASTY, "tahun": 2024}
    res = appr.post("/api/v1/disposisi", json=body, headers=world.official("sekretaris"))
    assert res.status_code == 201, res.text
    fresh = res.json()["id"]

    assert_literal(page(world, "staf", "/kotak-masuk"), "staf's inbox (an open disposition)")
    assert_literal(page(world, "subkor", "/kotak-masuk"), "subkor's inbox (the reminder)")
    waiting = draft_page(world, "staf", f"/draf/{world.ids['draft_waiting']}")
    assert_literal(waiting, "the waiting draft (indicator names)")
    assert_literal(draft_page(world, "staf", f"/draf/{world.ids['draft_waiting']}?semua=1"), "the draft, every row")
    assert_literal(draft_page(world, "subkor", f"/draf/{world.ids['draft_final']}"), "the final draft's history")
    assert_literal(page(world, "sekretaris", "/disposisi"), "the dispositions sent")
    assert_literal(page(world, "staf", f"/disposisi/{fresh}"), "one disposition")
    assert_literal(page(world, "kabid", f"/sosialisasi/{world.ids['sosialisasi']}"), "a circulation")
    # the evaluator's export: the dispositions' instructions, the circulation's note, the sekretaris's name
    assert_literal(page(world, "sekretaris", "/evaluasi/2024/pemanfaatan"), "the evaluator's export")


def test_operator_pages_show_hostile_text_as_text(world: World):
    stream = world.settings.stream("collector")
    entry_id, envelope = next(
        (eid.decode(), env)
        for eid, env in ((eid, decode(fields)) for eid, fields in world.redis.xrange(stream))
        if env.get("type") == "TriwulanSubmitted" and env["payload"]["unit"] == "BPS"
    )
    assert SCRIPT in envelope["payload"]["kendala"]
    log = page(world, "operator", "/operator/peristiwa")
    assert SCRIPT not in log  # the log shows a summary of each event, not its payload (issue 13, item 14)
    assert_literal(page(world, "operator", f"/operator/peristiwa/{stream}/{entry_id}"), "an event's envelope")
    trace = page(world, "operator", f"/operator/jejak?id={envelope['payload']['submission_id']}")
    assert SCRIPT not in trace

    # a dead letter carrying the hostile text, as the consumers write them
    dead = new_envelope("TriwulanSubmitted", {"unit": NASTY, "kendala": NASTY}, producer="collector")
    dlq = f"{world.settings.stream('approval')}.dlq"
    world.redis.xadd(dlq, {"__data__": json.dumps({
        "envelope": dead.model_dump(mode="json"), "dead_reason": f"ValueError: {NASTY}", "original_stream": stream,
        "original_entry_id": "1-0", "delivery_count": 5, "consumer": "approval",
        "failed_at": "2024-04-10T00:00:00+00:00",
    })})  # fmt: skip
    assert_literal(page(world, "operator", "/operator/surat-mati"), "the dead letters")
    # the live feed sends rendered rows: the same escaping
    row = {"stream": stream, "id": "1-0", **dead.model_dump(mode="json")}
    html = _row_html(row, "id")
    assert_literal(html, "a live row (its summary names the unit)", jinja=False)
