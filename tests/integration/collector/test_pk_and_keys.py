"""Collector: PUT perjanjian-kinerja and API keys (docs/contract.md, Collector), in-process on real Redis + database."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import text

from services.collector.models import ApiKey
from tests.integration.conftest import Service, auth, put_pk, unit_key

URL = "/api/v1/perjanjian-kinerja/2024"


def assert_error_shape(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert set(body) == {"errors"}
    assert body["errors"]
    for e in body["errors"]:
        assert set(e) == {"field", "rule", "message_id", "message_en"}
        assert e["rule"] and e["message_id"] and e["message_en"]
    return body["errors"]


def test_put_pk_answers_200_with_counts(collector: Service, pk) -> None:
    r = put_pk(collector, pk)
    assert r.json() == {"tahun": 2024, "version": 1, "indikator": 9, "units": 6, "changed": True}
    assert [e.type for e in collector.outbox()] == ["PerjanjianKinerjaPublished"]


def test_a_second_put_makes_version_2(collector: Service, pk) -> None:
    put_pk(collector, pk)
    pk["sasaran"][0]["indikator"][0]["target"] = "6.80"
    r = put_pk(collector, pk)
    assert r.json()["version"] == 2
    published = collector.outbox("PerjanjianKinerjaPublished")
    assert len(published) == 2


def test_the_same_pk_again_is_no_new_version(collector: Service, pk) -> None:
    put_pk(collector, pk)
    r = put_pk(collector, copy.deepcopy(pk))
    assert (r.json()["version"], r.json()["changed"]) == (1, False)
    assert len(collector.outbox("PerjanjianKinerjaPublished")) == 1


def test_pk_perubahan_keeps_every_version_and_says_what_changed(collector: Service, pk) -> None:
    put_pk(collector, pk)
    v1 = copy.deepcopy(pk)
    first = pk["sasaran"][0]["indikator"][0]
    first["target"] = "6.80"
    first["target_triwulan"][3] = "6.80"
    pk["sasaran"][0]["indikator"].append({**copy.deepcopy(first), "kode": "IKU-9", "nama": "Indikator baru"})
    pk["keterangan"] = "PK Perubahan, ditandatangani 1 Juli 2024"
    assert put_pk(collector, pk).json()["version"] == 2

    r = collector.client.get(f"{URL}/versi", headers=collector.admin)
    assert r.status_code == 200, r.text
    versi = r.json()["versi"]
    assert [(v["version"], v["indikator"], v["keterangan"]) for v in versi] == [
        (1, 9, None),
        (2, 10, "PK Perubahan, ditandatangani 1 Juli 2024"),
    ]
    assert versi[0]["perubahan"] == []
    kode = first["kode"]
    assert versi[1]["perubahan"] == [
        {"jenis": "indikator_diubah", "kode": kode, "field": "target",
         "lama": v1["sasaran"][0]["indikator"][0]["target"], "baru": "6.80"},
        {"jenis": "indikator_diubah", "kode": kode, "field": "target_triwulan",
         "lama": v1["sasaran"][0]["indikator"][0]["target_triwulan"], "baru": first["target_triwulan"]},
        {"jenis": "indikator_ditambah", "kode": "IKU-9"},
    ]  # fmt: skip

    old = collector.client.get(f"{URL}/versi/1", headers=collector.admin).json()
    assert old["version"] == 1 and old["pk"]["sasaran"][0]["indikator"][0] == v1["sasaran"][0]["indikator"][0]
    now = collector.client.get(URL, headers=auth(unit_key(collector, "BPS")))  # a unit reads its targets too
    assert now.status_code == 200 and now.json()["version"] == 2
    assert now.json()["pk"]["keterangan"].startswith("PK Perubahan")
    missing = collector.client.get(f"{URL}/versi/3", headers=collector.admin)
    assert missing.status_code == 404 and missing.json()["errors"][0]["rule"] == "unknown_version"
    assert collector.client.get("/api/v1/perjanjian-kinerja/2023/versi", headers=collector.admin).status_code == 404
    assert collector.client.get(f"{URL}/versi").status_code == 401


def test_invalid_pk_is_422_listing_every_problem(collector: Service, pk) -> None:
    bad = copy.deepcopy(pk)
    inds = [i for s in bad["sasaran"] for i in s["indikator"]]
    inds[0]["penanggung_jawab"] = "NO-SUCH-UNIT"  # sasaran[0].indikator[0]
    inds[2]["kode"] = inds[1]["kode"]  # sasaran[1].indikator[1] duplicates [0]
    del inds[3]["target"]  # sasaran[1].indikator[2]
    inds[4]["polaritas"] = "naik"  # sasaran[2].indikator[0]
    inds[5]["target_triwulan"] = inds[5]["target_triwulan"][:3]  # sasaran[2].indikator[1]
    bad["units"][1]["jenis"] = "dinas"
    r = collector.client.put(URL, json=bad, headers=collector.admin)
    assert r.status_code == 422, r.text
    errors = assert_error_shape(r.json())
    got = {(e["field"], e["rule"]) for e in errors}
    assert got == {
        ("sasaran[0].indikator[0].penanggung_jawab", "unknown_unit"),
        ("sasaran[1].indikator[1].kode", "duplicate_kode"),
        ("sasaran[1].indikator[2].target", "required"),
        ("sasaran[2].indikator[0].polaritas", "not_allowed"),
        ("sasaran[2].indikator[1].target_triwulan", "target_triwulan_count"),
        ("units[1].jenis", "not_allowed"),
    }
    tw = next(e for e in errors if e["rule"] == "target_triwulan_count")
    assert "4 target triwulan" in tw["message_id"] and "4 quarterly targets" in tw["message_en"]
    # a rejected request changes nothing
    assert collector.outbox() == []
    r = collector.client.get("/api/v1/periode/2024/TW1/status", headers=collector.admin)
    assert r.status_code == 404


def test_pk_with_duplicate_units_and_rentang_problems_lists_them(collector: Service, pk) -> None:
    pk["units"].append(dict(pk["units"][0]))
    rentang = pk["sasaran"][4]["indikator"][0]
    del rentang["target_min"]
    rentang["target_triwulan"][1] = ["50", "40"]
    r = collector.client.put(URL, json=pk, headers=collector.admin)
    assert r.status_code == 422
    got = {(e["field"], e["rule"]) for e in r.json()["errors"]}
    assert got == {
        ("units[6].kode", "duplicate_kode"),
        ("sasaran[4].indikator[0].target_min", "required"),
        ("sasaran[4].indikator[0].target_triwulan[1]", "invalid_range"),
    }


def test_pk_with_wrong_types_is_422_not_500(collector: Service, pk) -> None:
    for mutate in (
        lambda d: d.__setitem__("units", 5),
        lambda d: d.__setitem__("program", 7),
        lambda d: d["units"][0].__setitem__("induk", ["x"]),
        lambda d: d["sasaran"][0]["indikator"][0].__setitem__("penanggung_jawab", {"kode": "BPS"}),
        lambda d: d["program"][0].__setitem__("sasaran", ["SS-5"]),
        lambda d: d["sasaran"][0].__setitem__("indikator", "IKU-1"),
        lambda d: d["sasaran"][0]["indikator"][0].__setitem__("kode", 12),
    ):
        bad = copy.deepcopy(pk)
        mutate(bad)
        r = collector.client.put(URL, json=bad, headers=collector.admin)
        assert r.status_code == 422, r.text
        assert_error_shape(r.json())
    r = collector.client.put(URL, json=[1, 2], headers=collector.admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["rule"] == "not_an_object"
    assert collector.outbox() == []


def test_put_pk_needs_the_admin_token(collector: Service, pk) -> None:
    r = collector.client.put(URL, json=pk)
    assert r.status_code == 401
    assert assert_error_shape(r.json())[0]["rule"] == "unauthorized"
    r = collector.client.put(URL, json=pk, headers=auth("wrong-token"))
    assert r.status_code == 401
    put_pk(collector, pk)
    r = collector.client.put(URL, json=pk, headers=auth(unit_key(collector, "BPS")))
    assert r.status_code == 403  # a known key, not allowed here
    assert_error_shape(r.json())
    assert len(collector.outbox("PerjanjianKinerjaPublished")) == 1


def test_api_key_is_201_shown_once_and_stored_only_as_hash(collector: Service, pk) -> None:
    put_pk(collector, pk)
    r = collector.client.post("/api/v1/units/BID-PENTA/api-keys", headers=collector.admin)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"unit", "api_key", "id"} and body["unit"] == "BID-PENTA"
    key = body["api_key"]
    assert len(key) > 20
    with collector.session() as s:
        rows = s.exec(text("SELECT * FROM col_api_key")).all()  # type: ignore[call-overload]
        assert len(rows) == 1
        assert all(key not in str(v) for v in rows[0])
        assert s.get(ApiKey, rows[0][0]).unit == "BID-PENTA"  # type: ignore[union-attr]
    # a second key is another secret; both work
    second = collector.client.post("/api/v1/units/BID-PENTA/api-keys", headers=collector.admin).json()["api_key"]
    assert second != key
    for k in (key, second):
        r = collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(k))
        assert r.status_code == 200


def test_api_key_for_an_unknown_unit_is_404(collector: Service, pk) -> None:
    put_pk(collector, pk)
    r = collector.client.post("/api/v1/units/NOPE/api-keys", headers=collector.admin)
    assert r.status_code == 404
    assert assert_error_shape(r.json())[0]["rule"] == "unknown_unit"


def test_api_keys_need_the_admin_token(collector: Service, pk) -> None:
    put_pk(collector, pk)
    assert collector.client.post("/api/v1/units/BPS/api-keys").status_code == 401
    r = collector.client.post("/api/v1/units/BPS/api-keys", headers=auth(unit_key(collector, "BPS")))
    assert r.status_code == 403  # a known key, not allowed here


def test_api_keys_are_listed_without_the_secret_and_a_revoked_key_is_401_on_the_next_request(
    collector: Service, pk
) -> None:
    put_pk(collector, pk)
    made = [collector.client.post(f"/api/v1/units/{u}/api-keys", headers=collector.admin).json() for u in
            ("BPS", "BPS", "BID-PENTA")]  # fmt: skip
    for m in made:  # used once: each process now remembers it
        assert collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(m["api_key"])).status_code == 200
    listed = collector.client.get("/api/v1/api-keys", headers=collector.admin).json()["api_keys"]
    assert [(k["id"], k["unit"], k["revoked_at"]) for k in listed] == [
        (made[2]["id"], "BID-PENTA", None), (made[0]["id"], "BPS", None), (made[1]["id"], "BPS", None)
    ]  # fmt: skip
    assert all(k["hint"] == m["api_key"][:8] + "…" for k, m in zip(listed, [made[2], made[0], made[1]], strict=True))
    assert made[0]["api_key"] not in str(listed)

    r = collector.client.delete(f"/api/v1/api-keys/{made[0]['id']}", headers=collector.admin)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(made[0]["api_key"])).status_code == 401
    sub = {"tahun": 2024, "triwulan": 1, "unit": "BPS", "realisasi": []}
    revoked = auth(made[0]["api_key"])
    assert collector.client.post("/api/v1/laporan-triwulan", json=sub, headers=revoked).status_code == 401
    assert collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(made[1]["api_key"])).status_code == 200
    only = {"unit": "BPS", "revoked": False}
    by_unit = collector.client.get("/api/v1/api-keys", params=only, headers=collector.admin)
    assert [k["id"] for k in by_unit.json()["api_keys"]] == [made[1]["id"]]
    again = collector.client.delete(f"/api/v1/api-keys/{made[0]['id']}", headers=collector.admin)
    assert again.status_code == 200 and again.json()["revoked_at"] == r.json()["revoked_at"]
    assert collector.client.delete("/api/v1/api-keys/999999", headers=collector.admin).status_code == 404
    unit = auth(made[1]["api_key"])
    assert collector.client.get("/api/v1/api-keys", headers=unit).status_code == 403
    assert collector.client.delete(f"/api/v1/api-keys/{made[1]['id']}", headers=unit).status_code == 403


def test_a_key_revoked_elsewhere_is_refused_by_a_process_that_remembered_it(collector: Service, pk) -> None:
    """Another process (the CLI here) revokes in the database and writes a new epoch to Redis: this process, which
    remembered the key, refuses it on its next request."""
    from services.collector import keys

    put_pk(collector, pk)
    made = collector.client.post("/api/v1/units/BPS/api-keys", headers=collector.admin).json()
    assert collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(made["api_key"])).status_code == 200
    with collector.session() as s:
        keys.revoke(s, made["id"])
    assert keys.new_epoch_sync(collector.settings)
    assert collector.client.get("/api/v1/periode/2024/TW1/status", headers=auth(made["api_key"])).status_code == 401


def test_concurrent_pk_puts_answer_200_or_409_with_unique_versions(collector: Service, pk) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(6)

    def one(n: int) -> Any:
        body = copy.deepcopy(pk)
        body["sasaran"][0]["indikator"][0]["target"] = f"{n}.5"  # six different PKs
        barrier.wait()
        return collector.client.put(URL, json=body, headers=collector.admin)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    assert {r.status_code for r in results} <= {200, 409}, [r.text for r in results]
    versions = sorted(r.json()["version"] for r in results if r.status_code == 200)
    assert versions == list(range(1, 1 + len(versions)))
    assert len(collector.outbox("PerjanjianKinerjaPublished")) == len(versions)
