"""What an outside tester found playing an agency integrator with only the OpenAPI and docs/integration.md: each
finding, held by a test (in-process collector on real Redis + database)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlmodel import func, select

from services.collector.models import Submission
from services.openapi import ROOT, schema
from tests.integration.conftest import Service, auth, unit_key

URL = "/api/v1/laporan-triwulan"


def report(**change: Any) -> dict[str, Any]:
    body = {
        "tahun": 2024,
        "triwulan": 1,
        "unit": "BID-PENTA",
        "realisasi": [{"indikator": "IK-3.1", "nilai": "9.1"}, {"indikator": "IK-3.2", "nilai": "910"}],
    }
    return {**body, **change}


def post(svc: Service, body: Any, **kw: Any) -> Any:
    headers = {**auth(unit_key(svc, "BID-PENTA")), **kw.pop("headers", {})}
    return svc.client.post(URL, json=body, headers=headers, **kw)


def submissions(svc: Service) -> int:
    with svc.session() as s:
        return s.exec(select(func.count()).select_from(Submission)).one()


def refused(r: Any) -> set[tuple[str | None, str]]:
    assert r.status_code == 422, r.text
    return {(e["field"], e["rule"]) for e in r.json()["errors"]}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return schema("collector")


# ---- 1. an unknown query parameter ---------------------------------------------------------------------------


def test_a_misspelt_query_parameter_is_refused_and_stores_nothing(loaded: Service) -> None:
    r = post(loaded, report(), params={"dryrun": "true"})
    assert refused(r) == {("dryrun", "unknown_field")}
    assert "dryrun" in r.json()["errors"][0]["message_id"] and "dryrun" in r.json()["errors"][0]["message_en"]
    assert submissions(loaded) == 0
    assert post(loaded, report(), params={"dry_run": "true"}).status_code == 200  # the declared one still works


def test_every_route_refuses_an_unknown_query_parameter(loaded: Service) -> None:
    key = auth(unit_key(loaded, "BID-PENTA"))
    for path, headers in (
        ("/api/v1/periode/2024/TW1/status", key),
        ("/api/v1/perjanjian-kinerja/2024", key),
        ("/api/v1/bukti", key),
        ("/api/v1/api-keys", loaded.admin),
    ):
        r = loaded.client.get(path, params={"tahun": "2024", "x": "1"} if path == "/api/v1/bukti" else {"x": "1"},
                              headers=headers)  # fmt: skip
        assert refused(r) == {("x", "unknown_field")}, path
    bulk = {"submissions": [report()]}
    r = loaded.client.post(f"{URL}/bulk", params={"atomik": "false"}, json=bulk, headers=loaded.admin)
    assert refused(r) == {("atomik", "unknown_field")}
    assert submissions(loaded) == 0


def test_a_query_parameter_is_known_only_to_the_routes_that_declare_it(loaded: Service) -> None:
    """The declared names are kept per route (api.declared_query): a name another route declares, asked of a route
    after that route was called, is still refused; a declared one still passes after another route refused it."""
    assert post(loaded, report(), params={"dry_run": "true"}).status_code == 200
    key = auth(unit_key(loaded, "BID-PENTA"))
    r = loaded.client.get("/api/v1/periode/2024/TW1/status", params={"dry_run": "true"}, headers=key)
    assert refused(r) == {("dry_run", "unknown_field")}
    assert refused(post(loaded, report(), params={"atomic": "false"})) == {("atomic", "unknown_field")}
    bulk = {"submissions": [report()]}
    params = {"atomic": "false", "dry_run": "true"}
    r = loaded.client.post(f"{URL}/bulk", params=params, json=bulk, headers=loaded.admin)
    assert r.status_code == 200, r.text
    assert refused(post(loaded, report(), params=[("dry_run", "true"), ("dry_run", "true")])) == {
        ("dry_run", "duplicate_parameter")
    }
    assert submissions(loaded) == 0


def test_who_you_are_is_checked_before_the_query(loaded: Service) -> None:
    assert loaded.client.get("/api/v1/periode/2024/TW1/status", params={"x": "1"}).status_code == 401


# ---- 2. an unchanged resubmission answers the stored submission ------------------------------------------------


def test_an_unchanged_resubmission_answers_the_stored_submission_to_attach_evidence_to(loaded: Service) -> None:
    first = post(loaded, report())
    assert first.status_code == 202, first.text
    again = post(loaded, report())
    assert again.status_code == 202
    assert again.json()["submission_id"] == first.json()["submission_id"]
    assert again.json()["revision"] == first.json()["revision"] == 1
    key = auth(unit_key(loaded, "BID-PENTA"))
    listed = loaded.client.get(f"{URL}/{again.json()['submission_id']}/bukti", headers=key)
    assert listed.status_code == 200, listed.text
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    files = {"file": ("bukti.pdf", pdf, "application/pdf")}
    attached = loaded.client.post(f"{URL}/{again.json()['submission_id']}/bukti", files=files, headers=key)
    assert attached.status_code == 201, attached.text
    # with an Idempotency-Key too: the id answered (and replayed) exists
    keyed = post(loaded, report(), headers={"Idempotency-Key": "same-again"})
    assert keyed.json()["submission_id"] == first.json()["submission_id"]


def test_a_dry_run_says_its_id_is_not_stored(loaded: Service) -> None:
    would = post(loaded, report(), params={"dry_run": "true"})
    assert would.status_code == 200 and would.json()["submission_id"] is None and would.json()["revision"] == 1
    stored = post(loaded, report()).json()
    unchanged = post(loaded, report(), params={"dry_run": "true"})
    assert unchanged.json()["submission_id"] == stored["submission_id"]  # nothing would change: the stored one


# ---- 3. the OpenAPI says how to authenticate, and the limits -----------------------------------------------------


def test_the_openapi_says_how_each_operation_authenticates(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http"} and {s["scheme"] for s in schemes.values()} == {"bearer"}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if path.startswith("/api/"):
                assert op["security"], f"{method} {path}"
                assert all(set(req) <= set(schemes) for req in op["security"])
    assert spec["paths"]["/api/v1/laporan-triwulan"]["post"]["security"] == [{"kunciApiUnit": []}]
    assert spec["paths"]["/api/v1/kalender/{tahun}"]["put"]["security"] == [{"tokenAdmin": []}]


def test_the_openapi_states_the_limits_and_the_idempotency_key(spec: dict[str, Any]) -> None:
    info = spec["info"]["description"]
    for fact in ("1 MiB", "120", "60", "Retry-After", "Idempotency-Key", "unknown_field"):
        assert fact in info, fact
    op = spec["paths"]["/api/v1/laporan-triwulan"]["post"]
    assert "Retry-After" in op["responses"]["429"]["headers"]
    key = next(p for p in op["parameters"] if p["name"] == "idempotency-key")
    assert "unit" in key["description"] and "tanpa batas waktu" in key["description"]


# ---- 4. docs/integration.md: distinct Idempotency-Keys -----------------------------------------------------------


def test_the_integration_guide_never_reuses_an_idempotency_key_with_another_body() -> None:
    text = (ROOT / "docs" / "integration.md").read_text(encoding="utf-8")
    keys = re.findall(r"BID-PENTA-2024-(?:TW\d|\d\d)-\d{4}", text)
    assert len(keys) == len(set(keys)), keys


# ---- 5. declared lengths, and messages that do not echo a whole value --------------------------------------------


def test_a_unit_or_indikator_over_its_declared_length_is_too_long(loaded: Service) -> None:
    r = post(loaded, report(unit="X" * 4001))
    assert refused(r) == {("unit", "too_long")}
    r = post(loaded, report(realisasi=[{"indikator": "I" * 4001, "nilai": "1"}]))
    assert refused(r) == {("realisasi[0].indikator", "too_long")}


def test_a_message_never_echoes_a_whole_value(loaded: Service) -> None:
    huge = "k" * 800_000
    r = post(loaded, {**report(), huge: 1})
    assert r.status_code == 422 and len(r.content) < 2_000, len(r.content)
    r = post(loaded, report(realisasi=[{"indikator": "I" * 4000, "nilai": "1"}]))
    assert r.status_code == 422 and len(r.content) < 2_000, len(r.content)
    twice = huge[:400_000].encode()  # a key given twice (within the 1 MiB limit)
    headers = {**auth(unit_key(loaded, "BID-PENTA")), "Content-Type": "application/json"}
    r = loaded.client.post(URL, content=b'{"' + twice + b'": 1, "' + twice + b'": 2}', headers=headers)
    assert r.status_code == 422 and len(r.content) < 2_000, len(r.content)


# ---- 6. no misleading follow-on errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tahun": "2024"}, {("tahun", "not_an_integer")}),
        ({"unit": 5}, {("unit", "not_a_string")}),
        ({"unit": None}, {("unit", "required")}),
        ({"triwulan": None}, {("triwulan", "required")}),
    ],
)
def test_an_invalid_field_reports_only_its_own_error(loaded: Service, change: dict[str, Any], expected: set) -> None:
    assert refused(post(loaded, report(**change))) == expected


def test_a_missing_triwulan_is_required(loaded: Service) -> None:
    body = {k: v for k, v in report().items() if k != "triwulan"}
    assert refused(post(loaded, body)) == {("triwulan", "required")}


def test_an_unknown_unit_from_the_admin_reports_only_the_unit(loaded: Service) -> None:
    r = loaded.client.post(f"{URL}/bulk", json={"submissions": [report(unit="NOPE")]}, headers=loaded.admin)
    assert r.status_code == 422
    assert {(e["field"], e["rule"]) for e in r.json()["errors"]} == {("submissions[0].unit", "unknown_unit")}


# ---- 7. the nilai pattern and message agree with the rule --------------------------------------------------------


def test_the_nilai_pattern_and_message_say_what_the_rule_takes(loaded: Service, spec: dict[str, Any]) -> None:
    r = post(loaded, report(realisasi=[{"indikator": "IK-3.1", "nilai": "abc"}]))
    (err,) = r.json()["errors"]
    assert err["rule"] == "not_a_number" and "'-'" not in err["message_id"] and "'-'" not in err["message_en"]
    assert refused(post(loaded, report(realisasi=[{"indikator": "IK-3.1", "nilai": "-5"}]))) == {
        ("realisasi[0].nilai", "negative_value")
    }
    text = json.dumps(spec["components"]["schemas"]["RealisasiItem"])
    pattern = next(m for m in re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', text))
    pattern = json.loads(f'"{pattern}"')
    assert re.fullmatch(pattern, "62.5") and re.fullmatch(pattern, "-0")
    assert not re.fullmatch(pattern, "-5") and not re.fullmatch(pattern, "-0.5")


# ---- 8. answers the spec declares ----------------------------------------------------------------------------------


def test_a_wrong_method_is_405_in_the_error_shape_with_allow(loaded: Service) -> None:
    r = loaded.client.delete(URL, headers=loaded.admin)
    assert r.status_code == 405 and r.json()["errors"][0]["rule"] == "method_not_allowed"
    assert "POST" in r.headers["allow"]


def test_a_trailing_slash_is_404_in_the_error_shape_not_a_redirect(loaded: Service) -> None:
    r = loaded.client.post(f"{URL}/", json=report(), headers=auth(unit_key(loaded, "BID-PENTA")),
                           follow_redirects=False)  # fmt: skip
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "not_found"
    assert submissions(loaded) == 0


# ---- 9. the OpenAPI's words --------------------------------------------------------------------------------------


def test_the_openapi_describes_every_operation_and_parameter_indonesian_first(spec: dict[str, Any]) -> None:
    assert "not_a_number" in spec["components"]["schemas"]["ErrorItemModel"]["properties"]["rule"]["description"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if not path.startswith("/api/"):
                continue
            assert " / " in op["description"], f"{method} {path}: {op['description']}"
            assert "thread" not in op["description"], f"{method} {path}: an internal note"
            for param in op.get("parameters", []):
                assert param.get("description"), f"{method} {path} {param['name']}"
            for code, answer in op["responses"].items():
                assert " / " in answer["description"] or code == "200", f"{method} {path} {code}"
    item = spec["components"]["schemas"]["ErrorItemModel"]["properties"]
    assert item["message_id"]["examples"] and item["message_en"]["examples"]
    for model in ("StatusUnit", "Bukti", "KelengkapanTriwulan"):
        for name, prop in spec["components"]["schemas"][model]["properties"].items():
            assert prop.get("examples") or "$ref" in json.dumps(prop) or "allOf" in prop, f"{model}.{name}"


# ---- 10. binary answers ----------------------------------------------------------------------------------------------


def test_file_answers_are_declared_binary(spec: dict[str, Any]) -> None:
    for path in ("/api/v1/bukti/{bukti_id}", "/api/v1/template/{tahun}/{unit}.xlsx"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert content and all(m["schema"] == {"type": "string", "format": "binary"} for m in content.values()), path


# ---- 11. a quarter the calendar has not opened is not "open" ---------------------------------------------------------


def test_the_status_says_a_quarter_is_not_open_yet_with_its_opening_date(loaded: Service) -> None:
    kalender = {"triwulan": [{"triwulan": 4, "buka": "2099-01-05", "deadline": "2099-01-20"}]}
    assert loaded.client.put("/api/v1/kalender/2024", json=kalender, headers=loaded.admin).status_code == 200
    status = loaded.client.get("/api/v1/periode/2024/TW4/status", headers=loaded.admin).json()
    assert status["status"] == "belum_dibuka" and status["buka"].startswith("2099-01-05")
    r = post(loaded, report(triwulan=4))
    assert r.status_code == 409 and r.json()["errors"][0]["rule"] == "periode_belum_dibuka"
    assert loaded.client.get("/api/v1/periode/2024/TW1/status", headers=loaded.admin).json()["status"] == "open"


def test_without_a_calendar_a_quarter_is_open(loaded: Service) -> None:
    status = loaded.client.get("/api/v1/periode/2024/TW4/status", headers=loaded.admin).json()
    assert status["status"] == "open" and status["buka"]


# ---- 12. an integer of thousands of digits is valid JSON -------------------------------------------------------------


def test_an_integer_of_5001_digits_is_too_many_digits_not_invalid_json(loaded: Service) -> None:
    digits = "9" * 5001
    headers = {**auth(unit_key(loaded, "BID-PENTA")), "Content-Type": "application/json"}
    body = json.dumps(report(tahun=0)).replace('"tahun": 0', f'"tahun": {digits}')
    assert refused(loaded.client.post(URL, content=body, headers=headers)) == {("tahun", "too_many_digits")}
    body = json.dumps(report(realisasi=[{"indikator": "IK-3.1", "nilai": 0}])).replace(
        '"nilai": 0', f'"nilai": {digits}'
    )
    r = loaded.client.post(URL, content=body, headers=headers)
    assert refused(r) == {("realisasi[0].nilai", "too_many_digits")}


def test_a_bulk_row_with_an_overlong_unit_is_too_long_not_another_units(loaded: Service) -> None:
    key = auth(unit_key(loaded, "BID-PENTA"))
    r = loaded.client.post(f"{URL}/bulk", json={"submissions": [report(unit="U" * 900_000)]}, headers=key)
    assert r.status_code == 422 and len(r.content) < 4_000, (r.status_code, len(r.content))
    assert {(e["field"], e["rule"]) for e in r.json()["errors"]} == {("submissions[0].unit", "too_long")}


# ---- second tester: unknown fields anywhere are refused --------------------------------------------------------------


def test_an_evidence_upload_refuses_a_misspelt_form_field(loaded: Service) -> None:
    stored = post(loaded, report())
    assert stored.status_code == 202, stored.text
    key = auth(unit_key(loaded, "BID-PENTA"))
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    where = f"{URL}/{stored.json()['submission_id']}/bukti"
    files = {"file": ("bukti.pdf", pdf, "application/pdf")}
    r = loaded.client.post(where, files=files, data={"keterngan": "x", "indikatr": "IK-3.1"}, headers=key)
    assert refused(r) == {("keterngan", "unknown_field"), ("indikatr", "unknown_field")}
    assert all(e["field"] in e["message_id"] and e["field"] in e["message_en"] for e in r.json()["errors"])
    assert loaded.client.get(where, headers=key).json()["bukti"] == []
    body = schema("collector")["paths"]["/api/v1/laporan-triwulan/{submission_id}/bukti"]["post"]["requestBody"]
    assert body["content"]["multipart/form-data"]["schema"]["required"] == ["file"]


def test_the_bulk_route_refuses_an_unknown_top_level_field(loaded: Service) -> None:
    r = loaded.client.post(f"{URL}/bulk", json={"submissions": [report()], "atomik": False}, headers=loaded.admin)
    assert refused(r) == {("atomik", "unknown_field")}
    assert submissions(loaded) == 0


def test_the_calendar_refuses_an_unknown_field_at_any_level(loaded: Service, spec: dict[str, Any]) -> None:
    for body, field in (
        ({"triwulan": [{"triwulan": 1, "deadlne": "2025-05-30"}]}, "triwulan[0].deadlne"),
        ({"triwulan": [], "tahun": 2024}, "tahun"),
    ):
        r = loaded.client.put("/api/v1/kalender/2024", json=body, headers=loaded.admin)
        assert refused(r) == {(field, "unknown_field")}
    assert loaded.client.get("/api/v1/kalender/2024", headers=loaded.admin).json()["configured"] is False
    for model in ("KalenderInput", "JendelaTriwulan"):
        assert spec["components"]["schemas"][model]["additionalProperties"] is False, model


def test_a_repeated_query_parameter_is_refused_and_stores_nothing(loaded: Service) -> None:
    r = post(loaded, report(), params=[("dry_run", "true"), ("dry_run", "false")])
    assert refused(r) == {("dry_run", "duplicate_parameter")}
    assert submissions(loaded) == 0
    r = loaded.client.post(f"{URL}/bulk", params=[("atomic", "true"), ("atomic", "false")],
                           json={"submissions": [report()]}, headers=loaded.admin)  # fmt: skip
    assert refused(r) == {("atomic", "duplicate_parameter")}
    assert submissions(loaded) == 0


# ---- second tester: a refusal says what is allowed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field", "allowed"),
    [
        ("/api/v1/periode/2024/TW5/status", {}, "periode", "TW1–TW4"),
        ("/api/v1/periode/1999/TW1/status", {}, "tahun", "2000–2100"),
        ("/api/v1/bukti", {"tahun": "2024", "triwulan": "5"}, "triwulan", "1–4"),
    ],
)
def test_a_refused_parameter_says_what_it_takes(
    loaded: Service, path: str, params: dict[str, str], field: str, allowed: str
) -> None:
    r = loaded.client.get(path, params=params, headers=loaded.admin)
    (err,) = r.json()["errors"]
    assert r.status_code == 422 and err["field"] == field, r.text
    assert allowed in err["message_id"] and allowed in err["message_en"]


def test_a_refused_dry_run_or_idempotency_key_says_what_it_takes(loaded: Service) -> None:
    r = post(loaded, report(), params={"dry_run": "ya"})
    (err,) = r.json()["errors"]
    assert err["field"] == "dry_run" and "true/false" in err["message_id"] and "true/false" in err["message_en"]
    r = post(loaded, report(), headers={"Idempotency-Key": "k" * 201})
    (err,) = r.json()["errors"]
    assert (err["field"], err["rule"]) == ("Idempotency-Key", "too_long")
    assert (
        err["message_id"].startswith("Idempotency-Key:") and "200" in err["message_id"] and "200" in err["message_en"]
    )
    assert submissions(loaded) == 0


# ---- second tester: the OpenAPI's answers and words ------------------------------------------------------------------


def test_the_submission_routes_declare_their_503_in_the_error_shape(spec: dict[str, Any]) -> None:
    for path in (URL, "/api/v1/laporan-bulanan", f"{URL}/upload", f"{URL}/bulk", URL + "/{submission_id}/bukti"):
        answer = spec["paths"][path]["post"]["responses"]["503"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, path
        assert "Retry-After" in answer["headers"], path


def test_the_error_models_and_healthz_are_described_indonesian_first(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for model, first in (("ErrorBody", "Badan"), ("ErrorItemModel", "Satu masalah")):
        assert schemas[model]["description"].startswith(first) and " / " in schemas[model]["description"], model
    item = schemas["ErrorItemModel"]["properties"]
    assert item["field"]["examples"] == ["realisasi[0].nilai"]
    assert all(
        e.startswith("realisasi[0].nilai:") for e in item["message_id"]["examples"] + item["message_en"]["examples"]
    )
    health = spec["paths"]["/healthz"]["get"]
    assert " / " in health["description"] and health["summary"] != "Healthz"
    assert all(" / " in answer["description"] for answer in health["responses"].values())
    assert "headers" not in health["responses"]["503"]  # it sends no Retry-After


def test_a_query_parameter_name_that_is_not_utf8_is_named_as_sent(loaded: Service) -> None:
    """`?%ff=1`: the name reaches the route as U+FFFD; the error names what the client wrote."""
    key = {**auth(unit_key(loaded, "BID-PENTA")), "Content-Type": "application/json"}
    r = loaded.client.post(f"{URL}?%ff=1&ok%C3%A9=2", content=json.dumps(report()), headers=key)
    assert refused(r) == {("%ff", "unknown_field"), ("oké", "unknown_field")}
    assert all("\ufffd" not in e["message_id"] + e["message_en"] for e in r.json()["errors"])
    assert submissions(loaded) == 0


def test_a_megabyte_of_bad_values_is_answered_with_a_hundred_problems_not_a_list_of_all(loaded: Service) -> None:
    """The fourth outsider's 1 MiB report of 28.334 bad items (`dry_run` too) was a 28 MiB answer of 113.000
    problems, the event loop busy 1,4 s for one token; 2.000 such items now stop at the first hundred problems."""
    bad = [{"indikator": "X", "nilai": "a", "zz": 1}] * 2000
    for params in ({}, {"dry_run": "true"}):
        r = post(loaded, report(realisasi=bad), params=params)
        errors = r.json()["errors"]
        assert r.status_code == 422 and len(errors) == 101 and errors[-1]["rule"] == "more_problems"
        assert len(r.content) < 40_000
    r = post(loaded, report(realisasi=bad * 2))  # past MAX_REALISASI: not read item by item
    assert refused(r) == {("realisasi", "too_many_items")} and len(r.content) < 1000
    assert submissions(loaded) == 0
