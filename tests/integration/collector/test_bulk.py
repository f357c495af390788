"""Collector: POST /api/v1/laporan-triwulan/bulk — atomic and per-row (SAVEPOINT) imports, dry run, authorization
for a parent unit and its children, duplicate rows, the row limit, and that nothing is ever half-stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from services.collector.models import CurrentValue, UnitQuarter
from shared.security import issue_token
from tests.integration.collector.test_laporan_triwulan import current_values, settle, stored
from tests.integration.conftest import Service, auth, put_pk, unit_key

BULK = "/api/v1/laporan-triwulan/bulk"


def row(unit: str, values: dict[str, Any], triwulan: int = 1, **extra: Any) -> dict[str, Any]:
    items = [{"indikator": k, "nilai": v} for k, v in values.items()]
    return {"tahun": 2024, "triwulan": triwulan, "unit": unit, "realisasi": items, **extra}


def bulk(svc: Service, rows: list[Any], headers: dict[str, str] | None = None, **params: Any) -> Any:
    return svc.client.post(BULK, json={"submissions": rows}, headers=headers or svc.admin, params=params)


def mixed() -> list[dict[str, Any]]:
    """Rows 0 and 2 valid; row 1 has a bad number; row 3 names an indicator of another unit."""
    return [
        row("BID-PENTA", {"IK-3.1": "62.5", "IK-3.2": "1180"}),
        row("BPS", {"IKU-1": "abc"}),
        row("BID-HI", {"IK-4.1": "75", "IK-4.2": "1"}, anggaran={"realisasi": "100"}),
        row("BID-PPTK", {"IK-3.1": "5"}),
    ]


# ---- atomic=true --------------------------------------------------------------------------------------------------


def test_atomic_all_valid_stores_every_row_in_one_answer_with_one_event_each(loaded: Service) -> None:
    rows = [row("BID-PENTA", {"IK-3.1": "60"}), row("BPS", {"IKU-1": "7.25"}), row("BID-PENTA", {"IK-3.2": "9"}, 2)]
    r = bulk(loaded, rows, atomic="true")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["atomic"] is True
    assert a["summary"] == {"imported": 3, "updated": 0, "ignored": 0, "conflicts": []}
    assert [(x["row"], x["unit"], x["triwulan"], x["revision"], x["status"]) for x in a["results"]] == [
        (0, "BID-PENTA", 1, 1, "accepted"),
        (1, "BPS", 1, 1, "accepted"),
        (2, "BID-PENTA", 2, 1, "accepted"),
    ]
    loaded.wait_relayed()
    events = loaded.events("TriwulanSubmitted")
    assert [e["payload"]["submission_id"] for e in events] == [x["submission_id"] for x in a["results"]]
    assert current_values(loaded, "BPS") == {"IKU-1": "7.25"}


def test_atomic_with_an_invalid_row_is_422_listing_every_rows_problems_and_stores_nothing(loaded: Service) -> None:
    before = stored(loaded)
    r = bulk(loaded, mixed())
    assert r.status_code == 422, r.text
    a = r.json()
    assert {(e["field"], e["rule"]) for e in a["errors"]} == {
        ("submissions[1].realisasi[0].nilai", "not_a_number"),
        ("submissions[3].realisasi[0].indikator", "not_responsible"),
    }
    assert [(c["row"], c["unit"], c["field"], c["rule"]) for c in a["summary"]["conflicts"]] == [
        (1, "BPS", "realisasi[0].nilai", "not_a_number"),
        (3, "BID-PPTK", "realisasi[0].indikator", "not_responsible"),
    ]
    assert all(c["message_id"] and c["message_en"] for c in a["summary"]["conflicts"])
    assert a["atomic"] is True and {x["status"] for x in a["results"]} == {"rejected"}
    assert (a["summary"]["imported"], a["summary"]["updated"]) == (0, 0)
    assert stored(loaded) == before  # the valid rows 0 and 2 are not stored either
    assert settle(loaded) == before["outbox"]


# ---- atomic=false -------------------------------------------------------------------------------------------------


def test_non_atomic_stores_the_valid_rows_and_reports_the_others(loaded: Service) -> None:
    assert bulk(loaded, [row("BID-PENTA", {"IK-3.1": "10"})]).status_code == 200
    r = bulk(loaded, mixed(), atomic="false")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["atomic"] is False
    assert (a["summary"]["imported"], a["summary"]["updated"], a["summary"]["ignored"]) == (3, 1, 0)
    assert [(c["row"], c["rule"]) for c in a["summary"]["conflicts"]] == [(1, "not_a_number"), (3, "not_responsible")]
    assert [(x["status"], x["revision"]) for x in a["results"]] == [
        ("accepted", 2),
        ("rejected", None),
        ("accepted", 1),
        ("rejected", None),
    ]
    assert a["results"][1]["submission_id"] is None
    assert current_values(loaded) == {"IK-3.1": "62.5", "IK-3.2": "1180"}
    assert current_values(loaded, "BID-HI") == {"IK-4.1": "75", "IK-4.2": "1"}
    assert current_values(loaded, "BPS") == {} and current_values(loaded, "BID-PPTK") == {}
    loaded.wait_relayed()
    units = [e["payload"]["unit"] for e in loaded.events("TriwulanSubmitted")]
    assert units == ["BID-PENTA", "BID-PENTA", "BID-HI"]


def test_a_closed_quarter_rejects_only_its_rows(loaded: Service) -> None:
    assert loaded.client.post("/api/v1/periode/2024/TW2/close", headers=loaded.admin).status_code == 200
    rows = [row("BPS", {"IKU-1": "7"}, 2), row("BPS", {"IKU-1": "7"}, 3)]
    a = bulk(loaded, rows, atomic="false").json()
    assert [(c["row"], c["field"], c["rule"]) for c in a["summary"]["conflicts"]] == [(0, "triwulan", "periode_closed")]
    assert [x["status"] for x in a["results"]] == ["rejected", "accepted"]
    assert current_values(loaded, "BPS", 3) == {"IKU-1": "7"}


def test_duplicate_rows_for_one_unit_and_quarter_are_refused_after_the_first(loaded: Service) -> None:
    rows = [row("BPS", {"IKU-1": "7"}), row("BPS", {"IKU-1": "8"}), row("BPS", {"IKU-1": "7"}, 2)]
    a = bulk(loaded, rows, atomic="false").json()
    [c] = a["summary"]["conflicts"]
    assert (c["row"], c["unit"], c["field"], c["rule"]) == (1, "BPS", "unit", "duplicate_row")
    assert "baris 0" in c["message_id"] and "row 0" in c["message_en"]
    assert current_values(loaded, "BPS") == {"IKU-1": "7"}
    before = stored(loaded)
    r = bulk(loaded, rows, atomic="true")
    assert r.status_code == 422
    assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("submissions[1].unit", "duplicate_row")]
    assert stored(loaded) == before


# ---- dry run --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("atomic", ["true", "false"])
def test_dry_run_answers_as_if_stored_and_stores_nothing(loaded: Service, atomic: str) -> None:
    before = stored(loaded)
    rows = [row("BID-PENTA", {"IK-3.1": "60"}), row("BPS", {"IKU-1": "7.25"})]
    r = bulk(loaded, rows, atomic=atomic, dry_run="true")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["summary"]["imported"] == 2
    assert [(x["status"], x["revision"]) for x in a["results"]] == [("accepted", 1), ("accepted", 1)]
    r = bulk(loaded, mixed(), atomic=atomic, dry_run="true")
    assert r.status_code == (422 if atomic == "true" else 200)
    assert len(r.json()["summary"]["conflicts"]) == 2
    assert stored(loaded) == before
    assert settle(loaded) == before["outbox"]


# ---- who may send -----------------------------------------------------------------------------------------------


@pytest.fixture
def family(collector: Service, pk: dict[str, Any]) -> Service:
    """BID-PENTA with a child section SEKSI-PENTA that reports IK-3.2."""
    pk["units"].append({"kode": "SEKSI-PENTA", "nama": "Seksi Penempatan", "jenis": "seksi", "induk": "BID-PENTA"})
    pk["sasaran"][2]["indikator"][1]["penanggung_jawab"] = "SEKSI-PENTA"
    put_pk(collector, pk)
    return collector


def test_a_parent_units_key_sends_for_itself_and_its_children(family: Service) -> None:
    rows = [row("BID-PENTA", {"IK-3.1": "60"}), row("SEKSI-PENTA", {"IK-3.2": "9"})]
    r = bulk(family, rows, headers=auth(unit_key(family, "BID-PENTA")))
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "accepted"]
    assert current_values(family, "SEKSI-PENTA") == {"IK-3.2": "9"}


def test_a_key_naming_a_unit_it_does_not_act_for_is_403_and_stores_nothing(family: Service) -> None:
    before = stored(family)
    rows = [row("SEKSI-PENTA", {"IK-3.2": "9"}), row("BPS", {"IKU-1": "7"})]
    for key_unit, bad_rows in (("BID-HI", [0, 1]), ("SEKSI-PENTA", [1]), ("BID-PENTA", [1])):
        r = bulk(family, rows, headers=auth(unit_key(family, key_unit)), atomic="false")
        assert r.status_code == 403, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [
            (f"submissions[{i}].unit", "wrong_unit") for i in bad_rows
        ]
    r = bulk(family, [row("BID-PENTA", {"IK-3.1": "60"})], headers=auth(unit_key(family, "SEKSI-PENTA")))
    assert r.status_code == 403  # a child does not send for its parent
    assert bulk(family, rows, headers={"Authorization": "Bearer nope"}).status_code == 401
    official = issue_token(
        family.settings.secret_key or "", official_id=1, username="kabid", role="kabid", unit="BID-PENTA", ttl_s=60
    )
    assert bulk(family, rows, headers=auth(official)).status_code == 403
    assert stored(family) == before


def test_the_admin_may_send_for_any_known_unit_only(loaded: Service) -> None:
    a = bulk(loaded, [row("NOPE", {}, kendala="x"), row("BPS", {"IKU-1": "7"})], atomic="false").json()
    assert [(c["row"], c["field"], c["rule"]) for c in a["summary"]["conflicts"]] == [(0, "unit", "unknown_unit")]
    with loaded.session() as s:
        assert s.exec(select(UnitQuarter).where(UnitQuarter.unit == "NOPE")).first() is None


# ---- shape and limits ---------------------------------------------------------------------------------------------


def test_a_body_without_submissions_or_with_bad_rows_is_answered_clearly(loaded: Service) -> None:
    for body, rule in (({}, "required"), ({"submissions": []}, "required"), ({"submissions": {}}, "not_a_list")):
        r = loaded.client.post(BULK, json=body, headers=loaded.admin)
        assert r.status_code == 422 and r.json()["errors"][0]["rule"] == rule
    a = bulk(loaded, [7, row("BPS", {"IKU-1": "7"})], atomic="false").json()
    assert [(c["row"], c["unit"], c["rule"]) for c in a["summary"]["conflicts"]] == [(0, None, "not_an_object")]


def test_more_rows_than_the_limit_is_413_naming_the_limit(loaded: Service) -> None:
    limit = loaded.settings.max_bulk_rows
    assert limit == 500
    r = bulk(loaded, [row("BPS", {"IKU-1": "7"}, q % 4 + 1) for q in range(limit + 1)])
    assert r.status_code == 413
    [e] = r.json()["errors"]
    assert (e["field"], e["rule"]) == ("submissions", "too_many_rows") and "500" in e["message_en"]


def test_a_savepoint_takes_back_only_its_own_rows_on_this_database(loaded: Service) -> None:
    """The SAVEPOINT per row works with shared/db.py's SQLite setup (and on PostgreSQL)."""
    with loaded.session() as s:
        s.add(CurrentValue(tahun=2030, triwulan=1, indikator="A", unit="U", nilai="1", revision=1, submission_id="x"))
        try:
            with s.begin_nested():
                s.add(
                    CurrentValue(
                        tahun=2030, triwulan=1, indikator="B", unit="U", nilai="2", revision=1, submission_id="y"
                    )
                )
                raise RuntimeError("row refused")
        except RuntimeError:
            pass
        with s.begin_nested():
            s.add(
                CurrentValue(tahun=2030, triwulan=1, indikator="C", unit="U", nilai="3", revision=1, submission_id="z")
            )
        s.commit()
    with loaded.session() as s:
        kept = s.exec(select(CurrentValue.indikator).where(CurrentValue.tahun == 2030)).all()
    assert sorted(kept) == ["A", "C"]


def test_a_row_of_many_problems_lists_five_and_says_there_are_more(loaded: Service) -> None:
    """Each refused row is listed twice (`errors`, `summary.conflicts`): 500 rows of a report's 100 problems would
    answer a 1 MiB bulk with tens of MiB (the fourth outsider's finding on reports, carried over)."""
    bad = row("BPS", {}, realisasi=[{"indikator": "IKU-1", "nilai": "x", f"k{i}": 1} for i in range(50)])
    r = bulk(loaded, [bad, row("BID-PENTA", {"IK-3.1": "1", "IK-3.2": "2"}, kendalla="x")])
    assert r.status_code == 422, r.text
    rules = [(e["field"], e["rule"]) for e in r.json()["errors"]]
    assert len(rules) == 6 + 1 and rules[5] == ("submissions[0]", "more_problems") and rules[6] == (
        "submissions[1].kendalla", "unknown_field")  # fmt: skip
    assert [c["rule"] for c in r.json()["summary"]["conflicts"]].count("more_problems") == 1
