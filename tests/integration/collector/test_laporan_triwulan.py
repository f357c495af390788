"""Collector: POST laporan-triwulan (docs/contract.md, Collector) — answers, partial and repeated submissions, every
validation rule, auth, Idempotency-Key, dry_run and the body-size limit; in-process on real Redis + database."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlmodel import func, select

from services.collector.models import CurrentValue, IdempotencyRecord, Submission, UnitQuarter
from tests.integration.conftest import Service, auth, put_pk, unit_key

URL = "/api/v1/laporan-triwulan"


def penta(ik31: Any = None, ik32: Any = None, **extra: Any) -> dict[str, Any]:
    items = []
    if ik31 is not None:
        items.append({"indikator": "IK-3.1", "nilai": ik31})
    if ik32 is not None:
        items.append({"indikator": "IK-3.2", "nilai": ik32})
    return {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": items, **extra}


def post(svc: Service, payload: Any, unit: str = "BID-PENTA", **kw: Any) -> Any:
    headers = {**auth(unit_key(svc, unit)), **kw.pop("headers", {})}
    return svc.client.post(URL, json=payload, headers=headers, **kw)


def stored(svc: Service) -> dict[str, int]:
    """How many rows each table that a submission writes holds, and the outbox."""
    with svc.session() as s:  # one session at a time: on SQLite each holds the write lock (BEGIN IMMEDIATE)
        counts = {
            "submission": s.exec(select(func.count()).select_from(Submission)).one(),
            "current": s.exec(select(func.count()).select_from(CurrentValue)).one(),
            "unit_quarter": s.exec(select(func.count()).select_from(UnitQuarter)).one(),
            "idempotency": s.exec(select(func.count()).select_from(IdempotencyRecord)).one(),
        }
    return {**counts, "outbox": len(svc.outbox())}


def settle(svc: Service) -> int:
    """Wait for the relay, then the number of events on the collector's stream."""
    svc.wait_relayed()
    time.sleep(0.1)
    return svc.stream_length()


def current_values(svc: Service, unit: str = "BID-PENTA", triwulan: int = 1) -> dict[str, str]:
    with svc.session() as s:
        rows = s.exec(select(CurrentValue).where(CurrentValue.unit == unit, CurrentValue.triwulan == triwulan))
        return {r.indikator: r.nilai for r in rows}


# ---- accepted submissions ------------------------------------------------------------------------------------


def test_submission_is_202_with_id_revision_on_time_and_summary(loaded: Service) -> None:
    r = post(loaded, penta("62.5", "1180", anggaran={"realisasi": "312500000"}, kendala="k", solusi="s"))
    assert r.status_code == 202, r.text
    a = r.json()
    assert set(a) == {"submission_id", "revision", "on_time", "summary"}
    assert a["revision"] == 1
    assert isinstance(a["on_time"], bool)
    assert a["summary"] == {"imported": 2, "updated": 0, "ignored": 0, "conflicts": []}
    assert current_values(loaded) == {"IK-3.1": "62.5", "IK-3.2": "1180"}


def test_a_json_number_is_accepted_as_nilai(loaded: Service) -> None:
    r = post(loaded, penta(62.5, 1180))
    assert r.status_code == 202, r.text
    assert current_values(loaded) == {"IK-3.1": "62.5", "IK-3.2": "1180"}


def test_a_partial_report_is_accepted(loaded: Service) -> None:
    r = post(loaded, penta(ik32="500"))
    assert r.status_code == 202, r.text
    assert r.json()["summary"]["imported"] == 1
    status = loaded.client.get("/api/v1/periode/2024/TW1/status", headers=loaded.admin).json()
    row = next(u for u in status["units"] if u["unit"] == "BID-PENTA")
    assert row["submitted"] is False and row["missing_indikator"] == ["IK-3.1"] and row["revision"] == 1


def test_a_later_submission_updates_named_values_and_ignores_equal_ones(loaded: Service) -> None:
    assert post(loaded, penta("60", "1000")).json()["revision"] == 1
    r = post(loaded, penta("60.00", "1100"))  # 60.00 == 60: ignored
    assert r.status_code == 202
    assert r.json()["revision"] == 2
    assert r.json()["summary"] == {"imported": 0, "updated": 1, "ignored": 1, "conflicts": []}
    assert current_values(loaded) == {"IK-3.1": "60", "IK-3.2": "1100"}
    # naming only one value leaves the other alone
    r = post(loaded, penta(ik31="61"))
    assert r.json()["revision"] == 3 and r.json()["summary"]["updated"] == 1
    assert current_values(loaded) == {"IK-3.1": "61", "IK-3.2": "1100"}


def test_an_unchanged_submission_keeps_the_revision_and_emits_nothing(loaded: Service) -> None:
    post(loaded, penta("60", "1000"))
    before = settle(loaded)
    for _ in range(3):  # the same data again and again: always 202, never a new revision
        r = post(loaded, penta("60", "1000"))
        assert r.status_code == 202, r.text
        assert r.json()["revision"] == 1
        assert r.json()["summary"] == {"imported": 0, "updated": 0, "ignored": 2, "conflicts": []}
    assert settle(loaded) == before
    assert len(loaded.outbox("TriwulanSubmitted")) == 1


def test_an_empty_kendala_does_not_make_a_new_revision_each_time(loaded: Service) -> None:
    assert post(loaded, penta("60", "1000", kendala="")).json()["revision"] == 1
    r = post(loaded, penta("60", "1000", kendala=""))
    assert r.status_code == 202 and r.json()["revision"] == 1


def test_anggaran_and_kendala_alone_make_a_new_revision(loaded: Service) -> None:
    post(loaded, penta("60", "1000"))
    r = post(loaded, penta(anggaran={"realisasi": "100"}))
    assert r.json()["revision"] == 2
    r = post(loaded, penta(kendala="banjir"))
    assert r.json()["revision"] == 3
    r = post(loaded, penta(anggaran={"realisasi": "100.00"}, kendala="banjir"))
    assert r.json()["revision"] == 3


# ---- validation ------------------------------------------------------------------------------------------------


def assert_rejected(svc: Service, r: Any, expected: set[tuple[str, str]], before: dict[str, int]) -> None:
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    for e in errors:
        assert set(e) == {"field", "rule", "message_id", "message_en"}
        assert e["message_id"] and e["message_en"] and e["message_id"] != e["message_en"]
    assert {(e["field"], e["rule"]) for e in errors} == expected
    assert stored(svc) == before
    assert settle(svc) == before["outbox"]


def test_every_realisasi_problem_is_listed_and_nothing_is_stored(loaded: Service) -> None:
    post(loaded, penta("60", "1000"))
    before = stored(loaded)
    payload = {
        "tahun": 2024,
        "triwulan": 1,
        "unit": "BID-PENTA",
        "realisasi": [
            {"indikator": "IK-3.2", "nilai": "abc"},
            {"indikator": "IK-3.1", "nilai": "-1"},
            {"indikator": "IK-3.1", "nilai": "100.01"},
            {"indikator": "IK-2.1", "nilai": "5"},
            {"indikator": "IK-9.9", "nilai": "5"},
            {"indikator": "IK-3.2", "nilai": "NaN", "keterangan": "x" * 4001},
            {"indikator": "IK-3.2", "nilai": "Infinity"},
        ],
        "kendala": "k" * 4001,
        "solusi": "s" * 4001,
        "anggaran": {"realisasi": "-5"},
    }
    r = post(loaded, payload)
    assert_rejected(
        loaded,
        r,
        {
            ("realisasi[0].nilai", "not_a_number"),
            ("realisasi[1].nilai", "negative_value"),
            ("realisasi[2].indikator", "duplicate_indikator"),
            ("realisasi[2].nilai", "out_of_range"),
            ("realisasi[3].indikator", "not_responsible"),
            ("realisasi[4].indikator", "unknown_indikator"),
            ("realisasi[5].indikator", "duplicate_indikator"),
            ("realisasi[5].nilai", "not_a_number"),
            ("realisasi[5].keterangan", "too_long"),
            ("realisasi[6].indikator", "duplicate_indikator"),
            ("realisasi[6].nilai", "not_a_number"),
            ("kendala", "too_long"),
            ("solusi", "too_long"),
            ("anggaran.realisasi", "negative_value"),
        },
        before,
    )
    oor = next(e for e in r.json()["errors"] if e["rule"] == "out_of_range")
    assert "%" in oor["message_id"] and "%" in oor["message_en"]
    assert current_values(loaded) == {"IK-3.1": "60", "IK-3.2": "1000"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"triwulan": 5}, {("triwulan", "not_allowed")}),
        ({"triwulan": 0}, {("triwulan", "not_allowed")}),
        ({"triwulan": 1.5}, {("triwulan", "not_an_integer")}),
        ({"triwulan": 1.0}, {("triwulan", "not_an_integer")}),
        ({"triwulan": "1"}, {("triwulan", "not_an_integer")}),
        ({"triwulan": True}, {("triwulan", "not_an_integer")}),
        ({"tahun": "2024"}, {("tahun", "not_an_integer")}),  # no follow-on "not in the PK" (no year, no PK)
        ({"realisasi": "IK-3.1"}, {("realisasi", "not_a_list")}),
        ({"realisasi": [5]}, {("realisasi[0]", "not_an_object")}),
        ({"realisasi": [{"nilai": "5"}]}, {("realisasi[0].indikator", "required")}),
        ({"realisasi": [{"indikator": "IK-3.1"}]}, {("realisasi[0].nilai", "required")}),
        ({"realisasi": [{"indikator": ["IK-3.1"], "nilai": "5"}]}, {("realisasi[0].indikator", "unknown_indikator")}),
        ({"realisasi": [{"indikator": "IK-3.1", "nilai": True}]}, {("realisasi[0].nilai", "not_a_number")}),
        (
            {"realisasi": [{"indikator": "IK-3.1", "nilai": "5", "keterangan": 5}]},
            {("realisasi[0].keterangan", "not_a_string")},
        ),
        ({"anggaran": "banyak"}, {("anggaran", "not_an_object")}),
        ({"anggaran": {"realisasi": "x"}}, {("anggaran.realisasi", "not_a_number")}),
        ({"kendala": 5}, {("kendala", "not_a_string")}),
        ({"unit": None}, {("unit", "required")}),  # no follow-on "not responsible" (no unit to be)
    ],
)
def test_each_invalid_submission_is_422_and_stores_nothing(loaded: Service, change, expected) -> None:
    before = stored(loaded)
    payload = {**penta("60"), **change}
    r = post(loaded, payload)
    assert_rejected(loaded, r, expected, before)


def test_a_submission_for_a_year_without_pk_is_422(loaded: Service) -> None:
    before = stored(loaded)
    r = post(loaded, {**penta("60"), "tahun": 2023})
    assert_rejected(loaded, r, {("tahun", "pk_not_found"), ("realisasi[0].indikator", "unknown_indikator")}, before)


def test_a_non_object_body_is_422(loaded: Service) -> None:
    before = stored(loaded)
    for payload in ([1, 2], "x", 5, None):
        r = loaded.client.post(
            URL,
            content=json.dumps(payload),
            headers={**auth(unit_key(loaded, "BPS")), "content-type": "application/json"},
        )
        assert r.status_code == 422, (payload, r.text)
        assert r.json()["errors"][0]["field"] == "body"
    r = loaded.client.post(
        URL, content=b"{not json", headers={**auth(unit_key(loaded, "BPS")), "content-type": "application/json"}
    )
    assert r.status_code == 422
    assert stored(loaded) == before


# ---- auth ------------------------------------------------------------------------------------------------------


def test_another_units_key_is_403(loaded: Service) -> None:
    before = stored(loaded)
    r = post(loaded, penta("60"), unit="BID-PPTK")
    assert r.status_code == 403
    assert r.json()["errors"][0]["rule"] == "wrong_unit"
    assert stored(loaded) == before


def test_no_key_or_an_unknown_key_is_401(loaded: Service) -> None:
    r = loaded.client.post(URL, json=penta("60"))
    assert r.status_code == 401
    assert r.json()["errors"][0]["rule"] == "unauthorized"
    r = loaded.client.post(URL, json=penta("60"), headers=auth("lpk_not-a-key"))
    assert r.status_code == 401
    r = loaded.client.post(URL, json=penta("60"), headers=auth("garbage"))
    assert r.status_code == 401


def test_the_admin_token_cannot_submit(loaded: Service) -> None:
    r = loaded.client.post(URL, json=penta("60"), headers=loaded.admin)
    assert r.status_code == 403


def test_a_parent_units_key_may_submit_for_its_child(collector: Service, pk) -> None:
    pk["units"].append({"kode": "SEKSI-PENTA", "nama": "Seksi Penempatan", "jenis": "seksi", "induk": "BID-PENTA"})
    ik32 = pk["sasaran"][2]["indikator"][1]
    assert ik32["kode"] == "IK-3.2"
    ik32["penanggung_jawab"] = "SEKSI-PENTA"
    put_pk(collector, pk)
    child = {"tahun": 2024, "triwulan": 1, "unit": "SEKSI-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "9"}]}
    r = post(collector, child, unit="BID-PENTA")
    assert r.status_code == 202, r.text
    assert current_values(collector, "SEKSI-PENTA") == {"IK-3.2": "9"}
    assert post(collector, child, unit="SEKSI-PENTA").status_code == 202  # the child's own key too
    # but not the other way round, and not a sibling
    assert post(collector, penta("60"), unit="SEKSI-PENTA").status_code == 403
    assert post(collector, child, unit="BID-PPTK").status_code == 403
    # the parent still answers for the child's indicators only under the child's code
    r = post(collector, penta(ik32="9"), unit="BID-PENTA")
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "not_responsible"


# ---- Idempotency-Key -----------------------------------------------------------------------------------------


def test_same_idempotency_key_and_body_returns_the_first_answer_and_stores_nothing(loaded: Service) -> None:
    headers = {"Idempotency-Key": "abc-1"}
    first = post(loaded, penta("60", "1000"), headers=headers)
    assert first.status_code == 202
    after_first = stored(loaded)
    events = settle(loaded)
    again = post(loaded, penta("60", "1000"), headers=headers)
    assert again.status_code == 202
    assert again.json() == first.json()
    assert stored(loaded) == after_first
    assert settle(loaded) == events
    # the same key used by another unit is that unit's own key
    other = post(
        loaded,
        {**penta(), "unit": "BID-PPTK", "realisasi": [{"indikator": "IK-2.2", "nilai": "5"}]},
        unit="BID-PPTK",
        headers=headers,
    )
    assert other.status_code == 202 and other.json()["submission_id"] != first.json()["submission_id"]


def test_same_idempotency_key_with_another_body_is_409(loaded: Service) -> None:
    headers = {"Idempotency-Key": "abc-2"}
    assert post(loaded, penta("60", "1000"), headers=headers).status_code == 202
    before = stored(loaded)
    r = post(loaded, penta("61", "1000"), headers=headers)
    assert r.status_code == 409
    assert r.json()["errors"][0]["rule"] == "idempotency_key_reused"
    assert stored(loaded) == before
    assert current_values(loaded)["IK-3.1"] == "60"


def test_a_rejected_request_does_not_use_up_its_idempotency_key(loaded: Service) -> None:
    headers = {"Idempotency-Key": "abc-3"}
    assert post(loaded, penta("-1"), headers=headers).status_code == 422
    assert post(loaded, penta("60"), headers=headers).status_code == 202


# ---- dry_run ---------------------------------------------------------------------------------------------------


def test_dry_run_answers_200_and_stores_and_emits_nothing(loaded: Service) -> None:
    post(loaded, penta("60", "1000"))
    before, events = stored(loaded), settle(loaded)
    r = post(loaded, penta("61", "1000"), params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    a = r.json()
    assert set(a) == {"submission_id", "revision", "on_time", "summary"}
    assert a["revision"] == 2
    assert a["summary"] == {"imported": 0, "updated": 1, "ignored": 1, "conflicts": []}
    assert stored(loaded) == before
    assert settle(loaded) == events
    assert current_values(loaded)["IK-3.1"] == "60"


def test_dry_run_still_validates(loaded: Service) -> None:
    before = stored(loaded)
    r = post(loaded, penta("-1"), params={"dry_run": "true"})
    assert_rejected(loaded, r, {("realisasi[0].nilai", "negative_value")}, before)


def test_dry_run_with_an_idempotency_key_does_not_use_it_up(loaded: Service) -> None:
    headers = {"Idempotency-Key": "dry-1"}
    assert post(loaded, penta("60"), headers=headers, params={"dry_run": "true"}).status_code == 200
    r = post(loaded, penta("61"), headers=headers)
    assert r.status_code == 202
    assert stored(loaded)["idempotency"] == 1


def test_a_dry_run_with_a_used_idempotency_key_answers_what_the_request_would(loaded: Service) -> None:
    """Outsider check: a dry run ignored a used key — 200 for a body the real request refuses (409), a fresh check
    where the real request replays the first answer."""
    headers = {"Idempotency-Key": "dry-2"}
    first = post(loaded, penta("60"), headers=headers)
    assert first.status_code == 202
    post(loaded, penta("70"))  # the data changes since
    before = stored(loaded)
    same = post(loaded, penta("60"), headers=headers, params={"dry_run": "true"})
    assert same.status_code == 200 and same.json() == first.json()  # the first answer, as the request would get
    other = post(loaded, penta("61"), headers=headers, params={"dry_run": "true"})
    assert other.status_code == 409 and other.json()["errors"][0]["rule"] == "idempotency_key_reused"
    assert stored(loaded) == before


def test_a_key_used_for_a_quarterly_report_is_another_request_on_the_monthly_route(loaded: Service) -> None:
    """Outsider check: the same bytes sent to the other report route with the same key got the first route's 202
    (its submission id) while nothing was stored for the month; now it is 409 like any other request."""
    headers = {"Idempotency-Key": "both-routes"}
    body = penta("60")
    assert post(loaded, body, headers=headers).status_code == 202
    before = stored(loaded)
    monthly = loaded.client.post(
        "/api/v1/laporan-bulanan", json=body, headers={**headers, **auth(unit_key(loaded, "BID-PENTA"))}
    )
    assert monthly.status_code == 409 and monthly.json()["errors"][0]["rule"] == "idempotency_key_reused"
    assert stored(loaded) == before


def test_an_idempotency_key_sent_twice_is_refused_naming_it(loaded: Service) -> None:
    """Outsider check: the first of two was used silently (duplicate query parameters were refused already)."""
    before = stored(loaded)
    headers = [("Idempotency-Key", "k1"), ("Idempotency-Key", "k2"),
               ("Authorization", f"Bearer {unit_key(loaded, 'BID-PENTA')}")]  # fmt: skip
    r = loaded.client.post("/api/v1/laporan-triwulan", json=penta("60"), headers=headers)
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("Idempotency-Key", "duplicate_parameter")
    assert stored(loaded) == before


# ---- 413 -------------------------------------------------------------------------------------------------------


def test_a_json_body_over_1_mib_is_413_with_the_error_shape(loaded: Service) -> None:
    before = stored(loaded)
    payload = penta("60", keterangan_padding="x" * (1024 * 1024))
    r = post(loaded, payload)
    assert r.status_code == 413
    errors = r.json()["errors"]
    assert len(errors) == 1 and set(errors[0]) == {"field", "rule", "message_id", "message_en"}
    assert errors[0]["rule"] == "too_large"
    assert stored(loaded) == before


def test_a_body_just_under_1_mib_is_not_413(loaded: Service) -> None:
    payload = penta("60", padding="x" * (1024 * 1024 - 500))
    r = post(loaded, payload)  # read whole: refused for its unknown field, not for its size
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "padding", r.text[:300]


def test_a_chunked_json_body_over_1_mib_is_413(loaded: Service) -> None:
    data = json.dumps(penta("60", padding="x" * (1024 * 1024 + 10))).encode()

    def chunks() -> Any:
        for i in range(0, len(data), 64 * 1024):
            yield data[i : i + 64 * 1024]

    headers = {**auth(unit_key(loaded, "BID-PENTA")), "content-type": "application/json"}
    r = loaded.client.post(URL, content=chunks(), headers=headers)
    assert r.status_code == 413, r.text[:300]
    assert r.json()["errors"][0]["rule"] == "too_large"
