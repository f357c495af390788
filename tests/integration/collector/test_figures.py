"""Issue 12, items 1, 5 and 8: the collector acknowledges (202) only what the aggregator counts. Figures beyond the
bounds of shared.decimals, figures in any other syntax, integers beyond a year's range, duplicate JSON keys and an
empty report are refused with the error body and change nothing, from JSON, bulk and Excel alike; a figure at the
bounds is accepted and counted in the recap. The collector and the aggregator run in-process on one stream prefix,
on real Redis and a real database (PostgreSQL with LAPKIN_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from redis import Redis

from tests.integration.collector.test_laporan_triwulan import stored
from tests.integration.conftest import Service, _drop_schema, auth, eventually, make_settings, put_pk, unit_key

REPORT = "/api/v1/laporan-triwulan"
HUGE = "9" * 41  # issue 12: a 41-digit count once took a 202 and was dead-lettered by the aggregator
LARGEST = "999999999999999.999999"  # 15 digits and 6 places: the largest figure accepted


@pytest.fixture
def office(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[tuple[Service, Service]]:
    """The collector and the aggregator of one install: one settings (stream prefix, admin token, data folder)."""
    from services.aggregator.main import create_app as aggregator_app
    from services.collector.main import create_app as collector_app

    settings = make_settings(tmp_path, database_url)
    try:
        with TestClient(collector_app(settings)) as c, TestClient(aggregator_app(settings)) as a:
            yield Service(c, settings, redis_client), Service(a, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "collector")
        _drop_schema(database_url, "aggregator")


def penta(nilai: Any = "1180", **extra: Any) -> dict[str, Any]:
    return {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": nilai}],
            **extra}  # fmt: skip


def rekap(aggregator: Service, periode: str = "TW1") -> dict[str, Any]:
    r = aggregator.client.get(f"/api/v1/rekap/2024/{periode}", headers=aggregator.admin)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def ik32(body: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in body["indikator"] if i["kode"] == "IK-3.2")


def program(body: dict[str, Any], kode: str = "P-03") -> dict[str, Any]:
    return next(p for p in body["anggaran"] if p["kode"] == kode)


def counted(collector: Service, aggregator: Service, realisasi: str) -> dict[str, Any]:
    """The TW1 recap once the aggregator has stored a revision with IK-3.2 at `realisasi` (all events relayed)."""
    collector.wait_relayed()

    def newest() -> dict[str, Any] | None:
        r = aggregator.client.get("/api/v1/rekap/2024/TW1", headers=aggregator.admin)
        body = r.json() if r.status_code == 200 else None  # 404 until the PK's event is handled
        return body if body is not None and ik32(body)["realisasi"] == realisasi else None

    return eventually(newest, timeout=20)  # type: ignore[no-any-return]


def sheet(collector: Service, cells: dict[str, Any]) -> bytes:
    r = collector.client.get("/api/v1/template/2024/BID-PENTA.xlsx", headers=auth(unit_key(collector, "BID-PENTA")))
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    for ref, value in cells.items():
        wb["Laporan"][ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(r: Any) -> set[tuple[str, str]]:
    """A 4xx with the error body: its (field, rule) pairs."""
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    errors = r.json()["errors"]
    assert errors and all(set(e) == {"field", "rule", "message_id", "message_en"} for e in errors), r.text
    return {(e["field"], e["rule"]) for e in errors}


def test_figures_the_aggregator_could_not_count_are_refused_and_the_largest_accepted_one_is_counted(
    office: tuple[Service, Service], pk: dict[str, Any]
) -> None:
    collector, aggregator = office
    put_pk(collector, pk)
    key = auth(unit_key(collector, "BID-PENTA"))
    assert (
        collector.client.post(REPORT, json=penta(anggaran={"realisasi": "312500000"}), headers=key).status_code == 202
    )
    before_rekap = counted(collector, aggregator, "1180.00")
    before, events = stored(collector), collector.stream_length()

    def post(body: dict[str, Any]) -> Any:
        return collector.client.post(REPORT, json=body, headers=key)

    assert refused(post(penta(HUGE))) == {("realisasi[0].nilai", "too_many_digits")}
    assert refused(post(penta(anggaran={"realisasi": "1e60"}))) == {("anggaran.realisasi", "not_a_number")}
    assert refused(post(penta("1180.0000001"))) == {("realisasi[0].nilai", "too_many_decimals")}
    raw = '{"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": %s}]}'
    for number, rule in (("1e60", "not_a_number"), (HUGE, "too_many_digits")):  # JSON numbers: the same syntax
        r = collector.client.post(REPORT, content=raw % number, headers={**key, "Content-Type": "application/json"})
        assert refused(r) == {("realisasi[0].nilai", rule)}
    upload = collector.client.post(
        f"{REPORT}/upload",
        files={"file": ("laporan.xlsx", sheet(collector, {"B7": 1, "I14": 1e300, "B8": 1e300}), "application/xlsx")},
        headers=key,
    )
    assert refused(upload) == {("Laporan!I14", "too_many_digits"), ("Laporan!B8", "too_many_digits")}
    bulk = collector.client.post(f"{REPORT}/bulk", json={"submissions": [penta(HUGE)]}, headers=collector.admin)
    assert refused(bulk) == {("submissions[0].realisasi[0].nilai", "too_many_digits")}
    pk_too_big = {**pk, "program": [{**p, "pagu": "1e60"} for p in pk["program"]]}
    r = collector.client.put("/api/v1/perjanjian-kinerja/2024", json=pk_too_big, headers=collector.admin)
    assert ("program[0].pagu", "not_a_number") in refused(r)
    assert stored(collector) == before and collector.stream_length() == events  # nothing stored, nothing sent
    assert rekap(aggregator)["revision"] == before_rekap["revision"]

    r = post(penta(LARGEST, anggaran={"realisasi": LARGEST}))
    assert r.status_code == 202, r.text
    after = counted(collector, aggregator, "1000000000000000.00")
    row = ik32(after)
    assert (row["target"], row["capaian"], row["predikat"]) == ("1000.00", "100000000000000.00", "Sangat Baik")
    assert program(after)["realisasi"] == LARGEST and program(after)["persen"] == "46511627.91"
    tahunan = ik32(rekap(aggregator, "TAHUNAN"))
    assert (tahunan["realisasi"], tahunan["capaian"]) == ("1000000000000000.00", "20833333333333.33")
    assert aggregator.rt.consumer.dead_lettered == 0


BIG = 2**70  # beyond every database integer: a plain-text 500 on PostgreSQL before issue 12


@pytest.mark.parametrize(("route", "period"), [("laporan-triwulan", "triwulan"), ("laporan-bulanan", "bulan")])
def test_integers_beyond_their_bounds_are_a_422_with_the_error_body(loaded: Service, route: str, period: str) -> None:
    collector = loaded
    key = auth(unit_key(collector, "BID-PENTA"))
    before = stored(collector)
    report = {**{k: v for k, v in penta().items() if k != "triwulan"}, period: 2}
    for tahun in (BIG, -BIG, 1999, 2101):
        r = collector.client.post(f"/api/v1/{route}", json={**report, "tahun": tahun}, headers=key)
        assert ("tahun", "out_of_range") in refused(r)
    for n in (BIG, -BIG):
        r = collector.client.post(f"/api/v1/{route}", json={**report, period: n}, headers=key)
        assert refused(r) == {(period, "not_allowed" if period == "triwulan" else "out_of_range")}
    assert stored(collector) == before


def test_a_year_beyond_the_bounds_is_refused_in_bulk_excel_and_paths(loaded: Service) -> None:
    collector = loaded
    key = auth(unit_key(collector, "BID-PENTA"))
    before = stored(collector)
    bulk = collector.client.post(
        f"{REPORT}/bulk", json={"submissions": [{**penta(), "tahun": BIG}]}, headers=collector.admin
    )
    assert ("submissions[0].tahun", "out_of_range") in refused(bulk)
    upload = collector.client.post(
        f"{REPORT}/upload",
        files={"file": ("laporan.xlsx", sheet(collector, {"B6": BIG, "B7": 1, "I14": 5}), "application/xlsx")},
        headers=key,
    )
    assert ("Laporan!B6", "out_of_range") in refused(upload)
    for path in (
        f"/api/v1/perjanjian-kinerja/{BIG}",
        f"/api/v1/perjanjian-kinerja/2024/versi/{BIG}",
        f"/api/v1/periode/{BIG}/TW1/status",
        f"/api/v1/kelengkapan/{BIG}",
        f"/api/v1/template/{BIG}/BID-PENTA.xlsx",
        f"/api/v1/bukti?tahun={BIG}",
    ):
        assert refused(collector.client.get(path, headers=collector.admin)), path
    r = collector.client.put("/api/v1/kalender/2024", json={"triwulan": [{"triwulan": BIG}]}, headers=collector.admin)
    assert refused(r) == {("triwulan[0].triwulan", "not_allowed")}
    assert stored(collector) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (penta("١٢٣"), {("realisasi[0].nilai", "not_a_number")}),  # Arabic-Indic digits
        (penta("1_000"), {("realisasi[0].nilai", "not_a_number")}),
        (penta(" 1000"), {("realisasi[0].nilai", "not_a_number")}),
        (penta("+1000"), {("realisasi[0].nilai", "not_a_number")}),
        (penta("1,5"), {("realisasi[0].nilai", "not_a_number")}),
        (penta(".5"), {("realisasi[0].nilai", "not_a_number")}),
        (penta("1e3"), {("realisasi[0].nilai", "not_a_number")}),
        ({**penta(), "realisasi": []}, {("realisasi", "empty_report")}),
        ({**penta(), "realisasi": [], "kendala": "  "}, {("realisasi", "empty_report")}),
        # outsider check: a misspelt field was answered 202 and silently dropped
        ({**penta(), "kendalla": "x"}, {("kendalla", "unknown_field")}),
        ({**penta(), "Anggaran": {"realisasi": "5"}}, {("Anggaran", "unknown_field")}),
        ({**penta(), "anggaran": {"realisasi": "5", "pagu": "9"}}, {("anggaran.pagu", "unknown_field")}),
        (
            {**penta(), "realisasi": [{"indikator": "IK-3.2", "nilai": "5", "ket": "x"}]},
            {("realisasi[0].ket", "unknown_field")},
        ),
    ],
)
def test_lenient_input_is_refused(loaded: Service, body: Any, expected: Any) -> None:
    collector = loaded
    before = stored(collector)
    r = collector.client.post(REPORT, json=body, headers=auth(unit_key(collector, "BID-PENTA")))
    assert r.status_code == 422 and refused(r) == expected
    assert stored(collector) == before


def test_a_json_key_given_twice_is_refused_on_every_json_route(loaded: Service) -> None:
    collector = loaded
    key = {**auth(unit_key(collector, "BID-PENTA")), "Content-Type": "application/json"}
    admin = {**collector.admin, "Content-Type": "application/json"}
    before = stored(collector)
    twice = '{"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "5", "nilai": "6"}]}'  # noqa: E501
    for url, headers in ((REPORT, key), ("/api/v1/laporan-bulanan", key), (f"{REPORT}/bulk", admin)):
        body = twice if "bulk" not in url else f'{{"submissions": [{twice}]}}'
        r = collector.client.post(url, content=body, headers=headers)
        assert refused(r) == {("body", "duplicate_key")} and "'nilai'" in r.json()["errors"][0]["message_en"]
    r = collector.client.put("/api/v1/kalender/2024", content='{"triwulan": [], "triwulan": []}', headers=admin)
    assert refused(r) == {("body", "duplicate_key")}
    assert stored(collector) == before
    ok = '{"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": 62.50}]}'
    r = collector.client.post(REPORT, content=ok, headers=key)  # a JSON number, read by its text
    assert r.status_code == 202, r.text


def test_anggaran_from_a_unit_that_holds_no_programme_is_refused_not_lost(loaded: Service) -> None:
    """Outsider check: UPT-BLK holds no programme in the PK, so the recap (which sums a unit's anggaran into the
    programmes it holds) never showed its 777000000: acknowledged with 202 and lost. Refused, on both routes."""
    collector = loaded
    before = stored(collector)
    key = auth(unit_key(collector, "UPT-BLK"))
    body = {"tahun": 2024, "unit": "UPT-BLK", "realisasi": [], "anggaran": {"realisasi": "777000000"}}
    for url, period in ((REPORT, {"triwulan": 3}), ("/api/v1/laporan-bulanan", {"bulan": 8})):
        r = collector.client.post(url, json={**body, **period}, headers=key)
        assert r.status_code == 422 and refused(r) == {("anggaran.realisasi", "no_programme")}, (url, r.text)
        assert "UPT-BLK" in r.json()["errors"][0]["message_id"]
    assert stored(collector) == before
    r = collector.client.post("/api/v1/laporan-bulanan", json={**body, "bulan": 8, "kendalla": "x"}, headers=key)
    assert ("kendalla", "unknown_field") in refused(r)


def test_a_calendar_date_beyond_the_years_accepted_is_refused_naming_the_field(loaded: Service) -> None:
    """Outsider check: buka 0001-01-01 / deadline 9999-12-31 reached the database (422 not_storable, no field)."""
    collector = loaded
    body = {"triwulan": [{"triwulan": 2, "buka": "0001-01-01", "deadline": "9999-12-31"}]}
    r = collector.client.put("/api/v1/kalender/2030", json=body, headers=collector.admin)
    assert refused(r) == {("triwulan[0].buka", "out_of_range"), ("triwulan[0].deadline", "out_of_range")}
    assert "2000–2100" in r.json()["errors"][0]["message_en"]
    ok = {"triwulan": [{"triwulan": 4, "buka": "2030-10-01", "deadline": "2031-01-15"}]}
    assert collector.client.put("/api/v1/kalender/2030", json=ok, headers=collector.admin).status_code == 200
