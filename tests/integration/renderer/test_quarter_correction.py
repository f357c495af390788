"""The renderer on real Redis streams and a real database: TW1 and TW2 final, then TW1 corrected through the S1
return (IK-2.1 180 -> 195, a new TW1 recap revision while TW1 is final) and S1 drawn again and approved. The signed
S1's "Per Triwulan" sheet shows TW I = 195, so its quarters add up to its headline (645), and the signed TW1 stays
as it was signed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from services.renderer.documents import XLSX_HEADER_ROW
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.conftest import Service, _drop_schema, eventually, make_settings
from tests.unit.renderer.worked_example import load_pk, load_submissions, recaps

UNIT = "UPT-BLK"  # answers for IK-2.1: 180 in TW1, 450 in TW2 in the worked example
ACTOR = ev.Actor(id=1, nama="Hadi Sekdis", role="sekretaris")


@pytest.fixture
def renderer(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    from services.renderer.main import create_app

    settings = make_settings(tmp_path, database_url)
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "renderer")


def publish(svc: Service, producer: str, type_: str, payload: Any) -> None:
    svc.publish(svc.stream(producer), new_envelope(type_, payload, producer=producer))


def rekap(svc: Service, periode: str, revision: int, body: dict[str, Any], inputs: dict[str, int], status: str):
    payload = ev.RekapCompleted(
        tahun=2024,
        periode=periode,
        revision=revision,
        status=status,
        rekap={**body, "revision": revision, "status": status},
        inputs=inputs,
    )
    publish(svc, "aggregator", "RekapCompleted", payload)


def documents(svc: Service, periode: str) -> list[dict[str, Any]]:
    r = svc.client.get("/api/v1/documents", params={"tahun": 2024, "periode": periode}, headers=svc.admin)
    assert r.status_code == 200, r.text
    return list(r.json())


def drawn(svc: Service, periode: str, version: int, status: str = "draft") -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((d for d in documents(svc, periode) if (d["version"], d["status"]) == (version, status)), None)

    return eventually(found, timeout=30)  # type: ignore[no-any-return]


def approve(svc: Service, periode: str, version: int) -> dict[str, Any]:
    jenis = "semester" if periode.startswith("S") else "triwulan"
    payload = ev.DraftApproved(
        draft_id=f"2024-{periode}", tahun=2024, periode=periode, jenis=jenis, version=version, step=8, actor=ACTOR,
        final=True, chain=[{"nama": ACTOR.nama, "jabatan": "Sekretaris", "decided_at": "2024-07-20"}],
    )  # fmt: skip
    publish(svc, "approval", "DraftApproved", payload)
    return drawn(svc, periode, version, "final")


def per_triwulan(svc: Service, doc: dict[str, Any], kode: str) -> dict[str, Decimal]:
    """The realisasi per quarter of one indicator in the document's .xlsx "Per Triwulan" sheet."""
    r = svc.client.get(f"/api/v1/documents/{doc['id']}/file.xlsx", headers=svc.admin)
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["Per Triwulan"]
    rows = sheet.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True)
    return {row[3]: Decimal(str(row[7])) for row in rows if row[0] == kode}  # after Target, its Minimum and Maksimum


def headline(svc: Service, doc: dict[str, Any], kode: str) -> Decimal:
    r = svc.client.get(f"/api/v1/documents/{doc['id']}/file.xlsx", headers=svc.admin)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["Indikator"]
    rows = sheet.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True)
    return next(Decimal(str(row[8])) for row in rows if row[2] == kode)  # after Target, its Minimum and Maksimum


def test_a_correction_of_a_final_quarter_reaches_the_signed_semester_per_quarter(renderer):
    pk = load_pk()
    before = recaps(pk)
    fix = {"tahun": 2024, "triwulan": 1, "unit": UNIT, "realisasi": [{"indikator": "IK-2.1", "nilai": "195"}]}
    after = recaps(pk, [*load_submissions(), fix])
    publish(
        renderer, "collector", "PerjanjianKinerjaPublished", ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=pk)
    )

    # TW1 and TW2 drawn and signed with IK-2.1 = 180 and 450
    rekap(renderer, "TW1", 1, before["TW1"], {f"1:{UNIT}": 1}, "complete")
    rekap(renderer, "TW2", 1, before["TW2"], {f"2:{UNIT}": 1}, "complete")
    tw1 = approve(renderer, "TW1", drawn(renderer, "TW1", 1)["version"])
    approve(renderer, "TW2", drawn(renderer, "TW2", 1)["version"])
    # both final: the aggregator's recaps say so, and S1 v1 is drawn (180 + 450 = 630)
    rekap(renderer, "TW1", 2, before["TW1"], {f"1:{UNIT}": 1}, "final")
    rekap(renderer, "TW2", 2, before["TW2"], {f"2:{UNIT}": 1}, "final")
    rekap(renderer, "S1", 1, before["S1"], {f"1:{UNIT}": 1, f"2:{UNIT}": 1}, "complete")
    v1 = drawn(renderer, "S1", 1)
    assert (
        per_triwulan(renderer, v1, "IK-2.1") == {"TW I": 180, "TW II": 450} and headline(renderer, v1, "IK-2.1") == 630
    )

    # S1 returned; UPT-BLK resubmits TW1 (a new TW1 recap revision, TW1 still final) and S1 v2 is drawn and signed
    rekap(renderer, "TW1", 3, after["TW1"], {f"1:{UNIT}": 2}, "final")
    rekap(renderer, "S1", 2, after["S1"], {f"1:{UNIT}": 2, f"2:{UNIT}": 1}, "complete")
    s1 = approve(renderer, "S1", drawn(renderer, "S1", 2)["version"])
    quarters = per_triwulan(renderer, s1, "IK-2.1")
    assert quarters == {"TW I": 195, "TW II": 450}
    assert sum(quarters.values()) == headline(renderer, s1, "IK-2.1") == 645

    # the signed TW1 is immutable: no new TW1 document is drawn from the correction
    assert [(d["version"], d["status"]) for d in documents(renderer, "TW1")] == [(1, "draft"), (1, "final")]
    assert headline(renderer, tw1, "IK-2.1") == 180
