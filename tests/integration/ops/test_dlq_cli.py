"""`lapkin dlq list|show|replay|drop` on a real Redis (issue 13, item 6): one poison event that three consumer groups
failed is three rows, each naming its group; a row is named by the id `list` prints; replay sends the event to that
group's retry stream only (nothing on the stream every group reads), once; drop removes that row only; `status` shows
the replay waiting for its group."""

from __future__ import annotations

import json

from lapkin.ops import Ops
from tests.integration.ops.conftest import event
from tests.integration.ops.test_cli_errors import lapkin, one_line_error

GROUPS = ("aggregator", "approval", "renderer")  # the groups that read the collector's stream


def poison_for_every_group(settings, r) -> tuple[str, list[str]]:
    """As the three consumers write them: one dead letter per group for the same event."""
    dlq = f"{settings.stream('collector')}.dlq"
    env = event("TriwulanSubmitted", {"tahun": 2024, "unit": "BPS"}, "collector")
    ids = []
    for group in GROUPS:
        letter = {
            "envelope": json.loads(env.model_dump_json()),
            "dead_reason": "unreadable payload: TriwulanSubmitted",
            "original_stream": settings.stream("collector"),
            "original_entry_id": "1-0",
            "delivery_count": 1,
            "consumer": group,
            "group": group,
            "service": group,
            "failed_at": "2024-04-01T00:00:00+00:00",
        }
        ids.append(r.xadd(dlq, {"__data__": json.dumps(letter)}).decode())
    return env.event_id, ids


def test_dlq_rows_name_their_group_and_act_on_that_group_only(settings, r):
    event_id, ids = poison_for_every_group(settings, r)
    listed = lapkin(settings, "dlq", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 3
    rows = {}
    for line, group, entry in zip(lines, GROUPS, ids, strict=True):
        assert line.startswith(f"collector:{entry}  grup/group={group}  TriwulanSubmitted  event={event_id}"), line
        rows[group] = f"collector:{entry}"

    shown = lapkin(settings, "dlq", "show", rows["approval"])
    assert shown.exit_code == 0 and json.loads(shown.output)["group"] == "approval"

    replayed = lapkin(settings, "dlq", "replay", rows["renderer"])
    assert replayed.exit_code == 0, replayed.output
    done = json.loads(replayed.output)
    assert (done["group"], done["replayed_to"], done["event_id"]) == (
        "renderer",
        settings.retry_stream("renderer"),
        event_id,
    )
    assert r.xlen(settings.stream("collector")) == 0  # not re-published to every group
    assert r.xlen(settings.retry_stream("renderer")) == 1
    assert not r.exists(settings.retry_stream("aggregator")) and not r.exists(settings.retry_stream("approval"))
    one_line_error(lapkin(settings, "dlq", "replay", rows["renderer"]), "no such dead letter", rows["renderer"])
    assert r.xlen(settings.retry_stream("renderer")) == 1  # once

    dropped = lapkin(settings, "dlq", "drop", ids[0])  # a bare entry id works when one stream holds it
    assert dropped.exit_code == 0 and json.loads(dropped.output)["group"] == "aggregator"
    assert [row["group"] for row in Ops(settings, r).dlq()] == ["approval"]
    # the older form: the dead-letter stream and the entry id
    dlq = f"{settings.stream('collector')}.dlq"
    assert lapkin(settings, "dlq", "drop", dlq, ids[1]).exit_code == 0
    assert Ops(settings, r).dlq() == []

    status = lapkin(settings, "status")
    assert f"{settings.retry_stream('renderer')}: 1 kirim ulang / replays for group renderer" in status.output
    assert f"stream {settings.retry_stream('renderer')} group renderer" in status.output  # nobody reads it yet


def test_an_entry_id_on_two_dead_letter_streams_must_be_named_by_its_row(settings, r):
    letter = json.dumps({"envelope": "x", "dead_reason": "malformed envelope", "group": "approval"})
    for producer in ("collector", "renderer"):
        r.xadd(f"{settings.stream(producer)}.dlq", {"__data__": letter}, id="5-1")
    one_line_error(lapkin(settings, "dlq", "drop", "5-1"), "collector:5-1", "renderer:5-1")
    assert lapkin(settings, "dlq", "drop", "renderer:5-1").exit_code == 0
    assert [row["row"] for row in Ops(settings, r).dlq()] == ["collector:5-1"]
    one_line_error(lapkin(settings, "dlq", "show", "nobody:5-1"), "no such dead letter")


def test_dlq_list_says_when_there_is_nothing(settings, r):
    """Issue 16 item 9: an empty dead-letter list says so, rather than printing nothing."""
    listed = lapkin(settings, "dlq", "list")
    assert listed.exit_code == 0, listed.output
    assert "Tidak ada dead letter" in listed.output and "No dead letters" in listed.output


def test_db_current_says_whether_an_upgrade_is_needed(settings):
    """Issue 16, item 9: `lapkin db current` says "up to date" as plainly as it says "needs upgrade"."""
    result = lapkin(settings, "db", "upgrade", "renderer")
    assert result.exit_code == 0, result.output
    result = lapkin(settings, "db", "current", "renderer")
    assert result.exit_code == 0, result.output
    assert "terbaru / up to date" in result.output and "needs upgrade" not in result.output
    # and which database it looked at, first (outsider: nothing said whether it was SQLite or PostgreSQL)
    first = result.output.splitlines()[0]
    assert first.startswith("basis data / database: ") and ("SQLite" in first or "postgresql" in first), first


def test_a_bad_setting_is_one_line_naming_it_not_a_validation_dump(settings):
    """Outsider (operator): `LAPKIN_FILE_STORE=databse` printed pydantic's 55-line dump."""
    for args in (("db", "current"), ("dlq", "list")):
        result = lapkin(settings, *args, LAPKIN_FILE_STORE="databse")
        one_line_error(result, "Pengaturan tidak sah / invalid setting", "LAPKIN_FILE_STORE='databse'")
