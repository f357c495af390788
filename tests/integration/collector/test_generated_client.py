"""An agency system's view of the collector: a Python client generated from the collector's own `/openapi.json` by
`openapi-python-client` (what an integrator runs, docs/integration.md), used as generated to load the worked
example's PK, make the units' keys and submit every report of the worked example; the answers are the generated
models, and what the collector stored is the example's data. Real Redis and database, in-process."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlmodel import select

from services.collector.models import CurrentValue
from tests.integration.conftest import Service

PACKAGE = "lapkin_collector_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the collector's OpenAPI (the app's own, as served), imported."""
    from services.openapi import schema  # the app's /openapi.json, built the way the service builds it

    tmp = tmp_path_factory.mktemp("client")
    spec = tmp / "collector.json"
    spec.write_text(json.dumps(schema("collector")), encoding="utf-8")
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # ruff, its hook
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec), "--output-path", str(tmp / PACKAGE), "--meta", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def client_for(svc: Service, token: str) -> Any:
    """The generated client, authenticated with `token`, talking to the in-process collector."""
    transport = svc.client._transport  # the TestClient's: the running app, its lifespan, Redis and database
    return module("client").AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": transport}
    )


def test_the_worked_example_through_a_client_generated_from_the_openapi(
    generated: ModuleType, collector: Service, pk_2024: dict[str, Any], submissions_2024: list[dict[str, Any]]
) -> None:
    api, models = "api.collector", module("models")
    admin = client_for(collector, collector.settings.admin_token)

    saved = module(f"{api}.put_perjanjian_kinerja").sync(
        tahun=2024, client=admin, body=models.PerjanjianKinerja.from_dict(pk_2024)
    )
    assert isinstance(saved, models.PkTersimpan) and (saved.version, saved.changed) == (1, True)

    keys: dict[str, Any] = {}
    accepted: dict[tuple[int, str], int] = {}
    for n, body in enumerate(submissions_2024):
        unit = body["unit"]
        if unit not in keys:
            made = module(f"{api}.create_api_key").sync(kode=unit, client=admin)
            assert isinstance(made, models.KunciApiBaru) and made.api_key.startswith("lpk_")
            keys[unit] = client_for(collector, made.api_key)
        report = models.LaporanTriwulan.from_dict(body)
        answer = module(f"{api}.post_laporan_triwulan").sync_detailed(
            client=keys[unit], body=report, idempotency_key=f"example-{n}"
        )
        assert answer.status_code == 202, answer.content
        assert isinstance(answer.parsed, models.LaporanDiterima)
        accepted[(body["triwulan"], unit)] = answer.parsed.revision
        again = module(f"{api}.post_laporan_triwulan").sync_detailed(  # a retry: the same answer, nothing new
            client=keys[unit], body=report, idempotency_key=f"example-{n}"
        )
        assert (again.status_code, again.parsed) == (202, answer.parsed)
    assert accepted[(2, "BID-PENTA")] == 2  # the example's correction: a second revision

    status = module(f"{api}.get_periode_status").sync(tahun=2024, periode="TW4", client=admin)
    assert isinstance(status, models.StatusPeriode)
    assert status.submitted_units == status.expected_units > 0
    assert all(u.submitted and not u.missing_indikator for u in status.units)

    expected: dict[tuple[int, str, str], str] = {}
    for body in submissions_2024:
        for item in body["realisasi"]:
            expected[(body["triwulan"], body["unit"], item["indikator"])] = item["nilai"]
    with collector.session() as s:
        stored = {(v.triwulan, v.unit, v.indikator): v.nilai for v in s.exec(select(CurrentValue))}
    assert stored == expected


def test_a_refusal_reaches_the_generated_client_as_the_error_model(generated: ModuleType, loaded: Service) -> None:
    models = module("models")
    admin = client_for(loaded, loaded.settings.admin_token)
    key = module("api.collector.create_api_key").sync(kode="BID-PENTA", client=admin).api_key
    body = {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-9.9", "nilai": "5"}]}
    r = module("api.collector.post_laporan_triwulan").sync_detailed(
        client=client_for(loaded, key), body=models.LaporanTriwulan.from_dict(body), dry_run=True
    )
    assert r.status_code == 422 and isinstance(r.parsed, models.ErrorBody)
    assert [(e.field, e.rule) for e in r.parsed.errors] == [("realisasi[0].indikator", "unknown_indikator")]
