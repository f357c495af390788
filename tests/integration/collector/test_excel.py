"""Collector: the Excel template for units without a system (GET /api/v1/template/{tahun}/{unit}.xlsx) and its
upload (POST /api/v1/laporan-triwulan/upload) — content per unit, round trip to the TriwulanSubmitted event, errors
that name the cell, refused files, size limits and auth; in-process on real Redis + database."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shared.security import issue_token
from tests.integration.collector.test_laporan_triwulan import current_values, settle, stored
from tests.integration.conftest import Service, auth, put_pk, unit_key

UPLOAD = "/api/v1/laporan-triwulan/upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(svc: Service, unit: str = "BID-PENTA", headers: dict[str, str] | None = None, **params: Any) -> Any:
    headers = headers if headers is not None else auth(unit_key(svc, unit))
    return svc.client.get(f"/api/v1/template/2024/{unit}.xlsx", headers=headers, params=params)


def sheet_of(data: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(data))["Laporan"]


def filled(svc: Service, cells: dict[str, Any], unit: str = "BID-PENTA") -> bytes:
    """The unit's template, downloaded and filled with openpyxl as a person would in Excel."""
    r = template(svc, unit)
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Laporan"]
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(svc: Service, data: bytes, unit: str = "BID-PENTA", name: str = "laporan.xlsx", **kw: Any) -> Any:
    headers = {**auth(unit_key(svc, unit)), **kw.pop("headers", {})}
    return svc.client.post(UPLOAD, files={"file": (name, data, XLSX)}, headers=headers, **kw)


def errors_of(r: Any) -> set[tuple[str, str]]:
    for e in r.json()["errors"]:
        assert set(e) == {"field", "rule", "message_id", "message_en"}
    return {(e["field"], e["rule"]) for e in r.json()["errors"]}


# ---- the template --------------------------------------------------------------------------------------------


def test_the_template_holds_the_units_header_and_only_its_indicators_with_their_targets(loaded: Service) -> None:
    r = template(loaded)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert 'filename="laporan-triwulan-2024-BID-PENTA.xlsx"' in r.headers["content-disposition"]
    ws = sheet_of(r.content)
    assert [ws[f"A{n}"].value for n in range(3, 11)] == [
        "Instansi",
        "Kode unit",
        "Nama unit",
        "Tahun",
        "Triwulan (1–4)",
        "Realisasi anggaran triwulan ini (Rp)",
        "Kendala",
        "Solusi",
    ]
    assert ws["B3"].value == "Dinas Ketenagakerjaan Kota Tangerang"
    assert (ws["B4"].value, ws["B6"].value, ws["B7"].value) == ("BID-PENTA", 2024, None)
    assert ws["B5"].value == "Bidang Penempatan Tenaga Kerja dan Perluasan Kesempatan Kerja"
    assert [c.value for c in ws[12]] == [
        "Kode Indikator",
        "Nama Indikator",
        "Satuan",
        "Target Tahunan",
        "Target TW I",
        "Target TW II",
        "Target TW III",
        "Target TW IV",
        "Realisasi",
        "Keterangan",
        "Penyebab",  # the per-indicator analysis of issue 15
        "Kendala",
        "Solusi",
        "Tindak Lanjut",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=13) if row[0].value]
    assert [r[:3] for r in rows] == [
        ["IK-3.1", "Persentase pencari kerja terdaftar yang ditempatkan", "%"],
        ["IK-3.2", "Jumlah pencari kerja yang ditempatkan", "orang"],
    ]
    assert [[Decimal(str(v)) for v in r[3:8]] for r in rows] == [
        [Decimal(v) for v in ("45", "10", "22", "34", "45")],
        [Decimal(v) for v in ("4800", "1000", "1300", "1300", "1200")],
    ]
    assert all(v is None for r in rows for v in r[8:14])


def test_a_rentang_indicator_shows_its_ranges_and_another_unit_sees_only_its_own(loaded: Service) -> None:
    ws = sheet_of(template(loaded, "SEKRETARIAT").content)
    assert ws["A13"].value == "IK-5.1" and ws["A14"].value is None
    assert [ws[f"{c}13"].value for c in "DEFGH"] == ["90–100", "15–25", "40–50", "65–75", "90–100"]
    ws = sheet_of(template(loaded, "BID-PPTK").content)
    assert [ws["A13"].value, ws["A14"].value, ws["A15"].value] == ["IK-2.2", "IK-2.3", None]


def test_the_sheet_is_protected_except_the_input_cells_which_carry_validation(loaded: Service) -> None:
    ws = sheet_of(template(loaded).content)
    assert ws.protection.sheet is True and not ws.protection.password
    inputs = ["B7", "B8", "B9", "B10", "I13", "J13", "I14", "J14"]
    assert [ref for ref in inputs if ws[ref].protection.locked] == []
    assert all(ws[ref].protection.locked for ref in ("A13", "B13", "D13", "E13", "B4", "B6", "A12", "I12"))
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert (rules["I13"].type, rules["I13"].operator, rules["I13"].formula1, rules["I13"].formula2) == (
        "decimal",
        "between",
        "0",
        "100",
    )  # IK-3.1 is a % indicator
    assert (rules["I14"].type, rules["I14"].operator, rules["I14"].formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (rules["B7"].type, rules["B7"].formula1, rules["B7"].formula2) == ("whole", "1", "4")


def test_the_template_may_come_with_the_triwulan_filled_in(loaded: Service) -> None:
    assert sheet_of(template(loaded, triwulan=3).content)["B7"].value == 3
    assert template(loaded, triwulan=5).status_code == 422


def test_who_may_download_a_template(collector: Service, pk: dict[str, Any]) -> None:
    pk["units"].append({"kode": "SEKSI-PENTA", "nama": "Seksi Penempatan", "jenis": "seksi", "induk": "BID-PENTA"})
    pk["sasaran"][2]["indikator"][1]["penanggung_jawab"] = "SEKSI-PENTA"
    put_pk(collector, pk)
    assert template(collector, "SEKSI-PENTA").status_code == 200  # its own key
    parent = auth(unit_key(collector, "BID-PENTA"))
    r = template(collector, "SEKSI-PENTA", headers=parent)  # the parent's key
    assert r.status_code == 200
    assert [sheet_of(r.content)["A13"].value, sheet_of(r.content)["A14"].value] == ["IK-3.2", None]
    assert template(collector, "SEKSI-PENTA", headers=collector.admin).status_code == 200
    assert template(collector, "SEKSI-PENTA", headers=auth(unit_key(collector, "BID-HI"))).status_code == 403
    assert template(collector, "BID-PENTA", headers=auth(unit_key(collector, "SEKSI-PENTA"))).status_code == 403
    assert template(collector, "SEKSI-PENTA", headers={}).status_code == 401
    official = issue_token(
        collector.settings.secret_key or "", official_id=1, username="kabid", role="kabid", unit="BID-PENTA", ttl_s=60
    )
    assert template(collector, "SEKSI-PENTA", headers=auth(official)).status_code == 403
    r = template(collector, "NOPE", headers=collector.admin)
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "unknown_unit"
    r = collector.client.get("/api/v1/template/2030/BID-PENTA.xlsx", headers=collector.admin)
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "pk_not_found"


# ---- round trip ----------------------------------------------------------------------------------------------


def test_a_filled_template_is_submitted_like_the_json_route_and_emits_the_event(loaded: Service) -> None:
    data = filled(
        loaded,
        {"B7": 1, "B8": 312500000, "B9": "Banjir di bulan Februari", "I13": 62.5, "I14": 1180, "J14": "job fair"},
    )
    r = upload(loaded, data)
    assert r.status_code == 202, r.text
    a = r.json()
    assert a["revision"] == 1 and a["summary"] == {"imported": 2, "updated": 0, "ignored": 0, "conflicts": []}
    assert current_values(loaded) == {"IK-3.1": "62.5", "IK-3.2": "1180"}
    status = loaded.client.get("/api/v1/periode/2024/TW1/status", headers=auth(unit_key(loaded, "BID-PENTA")))
    row = status.json()["units"][0]
    assert (row["unit"], row["submitted"], row["revision"], row["missing_indikator"]) == ("BID-PENTA", True, 1, [])
    loaded.wait_relayed()
    [event] = loaded.events("TriwulanSubmitted")
    p = event["payload"]
    assert (p["tahun"], p["triwulan"], p["unit"], p["submission_id"]) == (2024, 1, "BID-PENTA", a["submission_id"])
    assert p["realisasi"] == [
        {"indikator": "IK-3.1", "nilai": "62.5", "keterangan": None},
        {"indikator": "IK-3.2", "nilai": "1180", "keterangan": "job fair"},
    ]
    assert p["anggaran"] == {"realisasi": "312500000"} and p["kendala"] == "Banjir di bulan Februari"
    # the same sheet again changes nothing, as the JSON route would
    again = upload(loaded, data)
    assert again.status_code == 202 and again.json()["revision"] == 1
    assert again.json()["summary"] == {"imported": 0, "updated": 0, "ignored": 2, "conflicts": []}


def test_empty_input_rows_are_skipped_and_a_text_number_is_read_as_sent(loaded: Service) -> None:
    r = upload(loaded, filled(loaded, {"B7": "2", "I14": "1180.50"}))
    assert r.status_code == 202, r.text
    assert r.json()["summary"]["imported"] == 1
    assert current_values(loaded, triwulan=2) == {"IK-3.2": "1180.50"}


def test_dry_run_and_idempotency_key_work_as_on_the_json_route(loaded: Service) -> None:
    data = filled(loaded, {"B7": 1, "I13": 50})
    before = stored(loaded)
    r = upload(loaded, data, params={"dry_run": "true"})
    assert r.status_code == 200 and r.json()["summary"]["imported"] == 1
    assert stored(loaded) == before
    first = upload(loaded, data, headers={"Idempotency-Key": "xl-1"})
    again = upload(loaded, data, headers={"Idempotency-Key": "xl-1"})
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert stored(loaded)["submission"] == 1
    other = upload(loaded, filled(loaded, {"B7": 1, "I13": 51}), headers={"Idempotency-Key": "xl-1"})
    assert other.status_code == 409 and other.json()["errors"][0]["rule"] == "idempotency_key_reused"


# ---- errors name the cell --------------------------------------------------------------------------------------


def test_every_problem_names_its_cell_and_the_body_field_and_nothing_is_stored(loaded: Service) -> None:
    before = stored(loaded)
    data = filled(loaded, {"I13": 120, "I14": "abc", "B8": -5, "B9": "x" * 4001})  # and no triwulan
    r = upload(loaded, data)
    assert r.status_code == 422, r.text
    assert errors_of(r) == {
        ("Laporan!B7", "required"),
        ("Laporan!I13", "out_of_range"),
        ("Laporan!I14", "not_a_number"),
        ("Laporan!B8", "negative_value"),
        ("Laporan!B9", "too_long"),
    }
    by_cell = {e["field"]: e for e in r.json()["errors"]}
    assert by_cell["Laporan!I14"]["message_id"] == (
        "Sel Laporan!I14 (indikator IK-3.2) — realisasi[1].nilai: harus berupa angka desimal biasa ≥ 0 (hanya angka "
        "0-9 dan satu '.' desimal)"
    )
    assert by_cell["Laporan!I14"]["message_en"] == (
        "Cell Laporan!I14 (indicator IK-3.2) — realisasi[1].nilai: must be a plain decimal number ≥ 0 (only digits "
        "0-9 and one '.' before decimals)"
    )
    assert "anggaran.realisasi" in by_cell["Laporan!B8"]["message_en"]
    assert stored(loaded) == before
    assert settle(loaded) == before["outbox"]


def test_a_keterangan_without_a_value_points_to_the_empty_realisasi_cell(loaded: Service) -> None:
    r = upload(loaded, filled(loaded, {"B7": 1, "J13": "belum ada data"}))
    assert r.status_code == 422
    assert errors_of(r) == {("Laporan!I13", "required")}


def test_an_indicator_code_changed_in_the_sheet_is_named_by_its_cell(loaded: Service) -> None:
    r = upload(loaded, filled(loaded, {"B7": 1, "A14": "IK-2.1", "I14": 5}))
    assert r.status_code == 422
    assert errors_of(r) == {("Laporan!A14", "not_responsible")}


def test_a_sheet_for_another_unit_or_year_is_refused_naming_the_cell(loaded: Service) -> None:
    before = stored(loaded)
    data = filled(loaded, {"B7": 1, "I13": 50})
    r = upload(loaded, data, unit="BID-PPTK")  # BID-PENTA's sheet with another unit's key
    assert r.status_code == 403
    [e] = r.json()["errors"]
    assert (e["field"], e["rule"]) == ("Laporan!B4", "wrong_unit")
    assert e["message_id"].startswith("Sel Laporan!B4 — unit: Kunci API ini milik unit BID-PPTK")
    r = upload(loaded, filled(loaded, {"B7": 1, "I13": 50, "B4": "BID-HI"}))  # the unit cell changed
    assert r.status_code == 403 and errors_of(r) == {("Laporan!B4", "wrong_unit")}
    r = upload(loaded, filled(loaded, {"B7": 1, "I13": 50, "B6": 2030}))  # a year without a PK
    assert r.status_code == 422 and ("Laporan!B6", "pk_not_found") in errors_of(r)
    assert stored(loaded) == before


def test_a_closed_quarter_is_409_naming_the_triwulan_cell(loaded: Service) -> None:
    assert loaded.client.post("/api/v1/periode/2024/TW1/close", headers=loaded.admin).status_code == 200
    r = upload(loaded, filled(loaded, {"B7": 1, "I13": 50}))
    assert r.status_code == 409 and errors_of(r) == {("Laporan!B7", "periode_closed")}


# ---- refused files -----------------------------------------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_a_file_that_is_not_a_real_xlsx_is_422_invalid_file_whatever_its_name(loaded: Service) -> None:
    before = stored(loaded)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    for data in (pdf, b"kode,nilai\nIK-3.1,50\n", zip_of({"hello.txt": b"not a workbook"}), b"PK\x03\x04broken"):
        r = upload(loaded, data, name="laporan.xlsx")
        assert r.status_code == 422, r.text
        [e] = r.json()["errors"]
        assert (e["field"], e["rule"]) == ("file", "invalid_file")
        assert "xlsx" in e["message_id"] and "xlsx" in e["message_en"]
    assert stored(loaded) == before


def test_a_workbook_that_is_not_the_template_is_422_not_a_template(loaded: Service) -> None:
    wb = Workbook()
    wb.active["A1"] = "kode"  # type: ignore[index]
    out = io.BytesIO()
    wb.save(out)
    r = upload(loaded, out.getvalue())
    assert r.status_code == 422 and errors_of(r) == {("file", "not_a_template")}


def test_an_upload_without_a_file_part_is_422(loaded: Service) -> None:
    headers = auth(unit_key(loaded, "BID-PENTA"))
    r = loaded.client.post(UPLOAD, files={"other": ("a.xlsx", b"x")}, headers=headers)
    assert r.status_code == 422 and errors_of(r) == {("file", "required")}
    r = loaded.client.post(UPLOAD, json={"tahun": 2024}, headers=headers)
    assert r.status_code == 422 and errors_of(r) == {("file", "required")}
    broken = {**headers, "content-type": "multipart/form-data"}  # no boundary
    r = loaded.client.post(UPLOAD, content=b"--x\r\n", headers=broken)
    assert r.status_code == 422 and errors_of(r) == {("file", "invalid_form")}


def test_only_a_units_key_may_upload(loaded: Service) -> None:
    data = filled(loaded, {"B7": 1, "I13": 50})
    r = loaded.client.post(UPLOAD, files={"file": ("l.xlsx", data, XLSX)}, headers=loaded.admin)
    assert r.status_code == 403 and r.json()["errors"][0]["rule"] == "unit_key_required"
    assert loaded.client.post(UPLOAD, files={"file": ("l.xlsx", data, XLSX)}).status_code == 401


# ---- size limits ---------------------------------------------------------------------------------------------------


def test_an_upload_over_1_mib_gets_the_upload_limit_not_the_json_limit(loaded: Service) -> None:
    data = filled(loaded, {"B7": 1, "I13": 50})
    padding = b"\0" * (1024 * 1024 + 100)  # another part makes the body larger than the JSON limit
    files = {"file": ("l.xlsx", data, XLSX), "padding": ("p.bin", padding, "application/octet-stream")}
    r = loaded.client.post(UPLOAD, files=files, headers=auth(unit_key(loaded, "BID-PENTA")))
    assert r.status_code == 202, r.text


def test_an_upload_over_the_upload_limit_is_413_and_stores_nothing(loaded: Service) -> None:
    before = stored(loaded)
    limit = loaded.settings.max_upload_bytes
    assert limit == 20 * 1024 * 1024
    big = filled(loaded, {"B7": 1, "I13": 50}) + b"\0" * limit
    r = upload(loaded, big)
    assert r.status_code == 413
    assert errors_of(r) == {("body", "too_large")}
    assert stored(loaded) == before


def bomb(svc: Service, extra: int, lie: bool = False) -> bytes:
    """A filled template whose sheet XML carries `extra` bytes of whitespace (compressing to almost nothing); `lie`:
    its zip declares the sheet's original size instead (local header and central directory alike)."""
    data = filled(svc, {"B7": 1, "I13": 50})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                declared = len(content)
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * extra, 1)
            dst.writestr(info.filename, content)
    packed = bytearray(out.getvalue())
    if lie:
        name = b"xl/worksheets/sheet1.xml"
        at = packed.find(name)  # the local header (30 bytes) ends with the name; its uncompressed size at 22
        packed[at - 30 + 22 : at - 30 + 26] = declared.to_bytes(4, "little")
        central = packed.find(name, at + len(name))  # the central directory's (46 bytes), at 24
        packed[central - 46 + 24 : central - 46 + 28] = declared.to_bytes(4, "little")
    return bytes(packed)


def test_an_xlsx_that_unpacks_beyond_the_limit_is_413_before_anything_parses_it(loaded: Service, monkeypatch) -> None:
    from services.collector import excel

    limit = loaded.settings.max_xlsx_unpacked_bytes
    assert limit == 4 * 1024 * 1024
    before = stored(loaded)
    parsed: list[bytes] = []
    real = excel.load_workbook
    monkeypatch.setattr(excel, "load_workbook", lambda f, **kw: parsed.append(b"") or real(f, **kw))
    data = bomb(loaded, limit)
    assert len(data) < 100 * 1024  # small on the wire, 4 MiB and more unpacked
    r = upload(loaded, data)
    assert r.status_code == 413 and errors_of(r) == {("file", "unpacked_too_large")}
    assert "4 MiB" in r.json()["errors"][0]["message_en"]
    # a zip that declares small sizes but unpacks large: refused while it is read, a chunk at a time
    r = upload(loaded, bomb(loaded, limit, lie=True))
    assert r.status_code in (413, 422) and errors_of(r) <= {("file", "unpacked_too_large"), ("file", "invalid_file")}
    # a file larger than the limit as sent is refused before it is read into memory
    r = upload(loaded, b"PK\x03\x04" + b"\0" * (limit + 1))
    assert r.status_code == 413 and errors_of(r) == {("file", "unpacked_too_large")}
    # thousands of tiny parts: refused for their number, and the answer says so (outsider check: it named the size)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for n in range(excel.MAX_MEMBERS + 100):
            zf.writestr(f"x/{n}.xml", "")
    r = upload(loaded, many.getvalue())
    assert r.status_code == 413 and errors_of(r) == {("file", "too_many_parts")}
    assert str(excel.MAX_MEMBERS + 100) in r.json()["errors"][0]["message_en"]
    assert parsed == [] and stored(loaded) == before
    r = upload(loaded, bomb(loaded, 1024 * 1024))  # within the limit, the same sheet is read as usual
    assert r.status_code == 202, r.text
    assert parsed == [b""]


def test_workbooks_are_parsed_a_few_at_a_time_and_one_waiting_too_long_is_503(loaded: Service) -> None:
    from services.collector import excel

    data = filled(loaded, {"B7": 1, "I13": 50})
    before = stored(loaded)
    excel.PARSING.configure(1, 0.05)
    try:
        with excel.PARSING.slot():  # the one slot taken: the upload waits 50 ms, then gives up
            r = upload(loaded, data)
        assert r.status_code == 503 and r.headers["Retry-After"] == "1" and errors_of(r) == {(None, "busy")}
        assert stored(loaded) == before
        assert upload(loaded, data).status_code == 202  # the slot free again
    finally:
        excel.PARSING.configure(loaded.settings.xlsx_parse_concurrency, loaded.settings.xlsx_parse_wait_s)


def test_a_chunked_upload_over_the_limit_is_413(loaded: Service) -> None:
    boundary = "lapkinboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="l.xlsx"\r\n'
        f"Content-Type: {XLSX}\r\n\r\n"
    ).encode()
    chunk = b"\0" * (1024 * 1024)

    def body() -> Any:
        yield head
        for _ in range(loaded.settings.max_upload_bytes // len(chunk) + 2):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**auth(unit_key(loaded, "BID-PENTA")), "content-type": f"multipart/form-data; boundary={boundary}"}
    r = loaded.client.post(UPLOAD, content=body(), headers=headers)
    assert r.status_code == 413, r.text[:300]
    assert r.json()["errors"][0]["rule"] == "too_large"


def test_names_from_the_pk_stay_text_in_the_template_never_formulas(collector: Service, pk: dict[str, Any]) -> None:
    """A name starting with "=" would be a formula in Excel; a control character would make the sheet unwritable."""
    pk["instansi"]["nama"] = '=HYPERLINK("http://contoh.invalid","klik")'
    next(u for u in pk["units"] if u["kode"] == "BPS")["nama"] = "<script>alert(1)</script> {{7*7}}\x07"
    pk["sasaran"][0]["indikator"][0]["nama"] = "=1+1"  # IKU-1, BPS's
    put_pk(collector, pk)
    r = template(collector, "BPS")
    assert r.status_code == 200, r.text
    ws = sheet_of(r.content)
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert {'=HYPERLINK("http://contoh.invalid","klik")', "<script>alert(1)</script> {{7*7}}", "=1+1"} <= values
    sheet = filled(collector, {"B7": 1, "I13": "7.1"}, unit="BPS")  # and the sheet still reads back
    assert upload(collector, sheet, unit="BPS").status_code == 202


def test_a_formula_with_no_saved_value_is_refused_naming_the_cell(loaded: Service) -> None:
    """Outsider check: a sheet written by a script holds `=SUM(150,150)` with no value Excel computed; it read as an
    empty cell and the upload was a 202 that changed nothing. Refused, naming the cell; nothing stored."""
    before = stored(loaded)
    r = upload(loaded, filled(loaded, {"I13": "=SUM(150,150)", "B9": "kendala dengan rumus"}))
    assert r.status_code == 422 and errors_of(r) == {("Laporan!I13", "formula_without_value")}, r.text
    assert "=SUM(150,150)" in r.json()["errors"][0]["message_en"]
    assert stored(loaded) == before
    r = upload(loaded, filled(loaded, {"B7": 1, "I13": 30}))  # the number itself, as usual
    assert r.status_code == 202, r.text


def test_a_template_uploaded_unfilled_points_to_the_first_cell_to_fill(loaded: Service) -> None:
    """The newcomer's unfilled upload was told `Laporan!I12`: the locked "Realisasi" heading, not a cell to type in."""
    r = upload(loaded, filled(loaded, {"B7": 1}))  # the quarter given, no value
    assert r.status_code == 422 and errors_of(r) == {("Laporan!I13", "empty_report")}
