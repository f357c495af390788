"""Operators on the running system: a submission's whole path (submitted → recap → draft → decisions → final
document) and the consumer groups' state, read from the streams."""

from __future__ import annotations

from lapkin.ops import Ops
from shared.httphead import MAX_HEAD_BYTES
from tests.e2e.test_quarterly_approval import decide, tokens, wait


def test_trace_follows_a_submission_to_its_final_document(system, client, acknowledged, submissions_2024):
    ops = Ops(system.settings)
    who = tokens(system, client)

    def tw1_draft():
        r = client.get(system.url("approval", "/api/v1/drafts"), params={"periode": "TW1"}, headers=who["staf"])
        return r.json()[0] if r.json() else None

    draft_id = wait(tw1_draft, "the TW1 draft")["id"]
    assert decide(system, client, who["staf"], draft_id, "approve", "Diajukan").status_code == 200
    assert decide(system, client, who["subkor"], draft_id, "approve", "Disetujui").status_code == 200

    # the last TW1 submission (it completed the quarter) is the one whose path reaches the document
    last = client.get(system.url("collector", "/api/v1/periode/2024/TW1/status"), headers=system.admin)
    assert last.json()["submitted_units"] == 6
    sub_id = None
    for env in ops.events(count=500, type_="TriwulanSubmitted"):
        if env["payload"]["triwulan"] == 1 and env["payload"]["unit"] == "SEKRETARIAT":
            sub_id = env["payload"]["submission_id"]
    assert sub_id

    def path_types():
        types = [e["type"] for e in ops.trace(sub_id)]
        return types if "DocumentPublished" in types else None

    types = wait(path_types, "the trace to reach the published document")
    order = [
        "TriwulanSubmitted",
        "RekapCompleted",
        "DraftRendered",
        "DraftSubmittedForReview",
        "DraftApproved",
        "DocumentPublished",
    ]
    assert [t for t in order if t in types] == order
    assert all(types.index(a) < types.index(b) for a, b in zip(order, order[1:], strict=False))

    def drained():
        rows = ops.status()
        return all(
            r["dlq"] == 0 and all(g["pending"] == 0 and g["lag"] in (0, None) for g in r["groups"]) for r in rows
        )

    wait(drained, "every consumer group to catch up with nothing dead-lettered", timeout=90)


def test_every_service_refuses_an_oversized_head_and_answers_the_next_request(system, client) -> None:
    """`lapkin up` runs each service with the head bound (shared/httphead.py): a 431 with the error body, not a
    megabyte kept per connection; the service answers the next request as before."""
    for service in ("collector", "aggregator", "approval", "renderer"):
        r = client.get(system.url(service, "/healthz"), headers={"X-Big": "a" * (MAX_HEAD_BYTES + 1)})
        assert r.status_code == 431, (service, r.text)
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("headers", "too_large")]
        assert client.get(system.url(service, "/healthz")).status_code == 200
