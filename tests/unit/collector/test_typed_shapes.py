"""The collector's typed dicts say what its code builds: each JSON answer (answers.py) has the fields of the schema
model that documents it, and each row written through store.py's prepared SQL has its table's columns."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from services.collector import answers, schemas, store
from services.collector.models import Submission, UnitQuarter
from shared.errors import ErrorItemModel

# fields an answer carries that its model does not document (served since before the models existed)
UNDOCUMENTED = {"BerkasBukti": {"sha256"}, "BulkDitolak": {"errors"}}
DOCUMENTED_BY: dict[str, type[BaseModel]] = {
    "BulkDitolak": schemas.BulkDiterima,  # 422: the error body beside the answer every row would have had
    "Masalah": ErrorItemModel,
}


def typed_dicts() -> list[str]:
    """The answers (answers.py's own, and the core's summary it re-exports; not the PK document it names)."""
    modules = (answers.__name__, "services.collector.core.report")
    return [n for n, v in vars(answers).items() if typing.is_typeddict(v) and v.__module__ in modules]


@pytest.mark.parametrize("name", typed_dicts())
def test_an_answer_has_the_fields_of_its_model(name: str) -> None:
    shape = getattr(answers, name)
    keys = set(shape.__required_keys__) | set(shape.__optional_keys__)
    model = DOCUMENTED_BY.get(name) or getattr(schemas, name)
    assert issubclass(model, BaseModel)
    assert keys - UNDOCUMENTED.get(name, set()) == set(model.model_fields)


def test_every_answer_model_of_a_route_has_its_typed_dict() -> None:
    documented = {"Ringkasan", "RingkasanBulk", "LaporanDiterima", "BulkDiterima", "PkTersimpan", "PkDokumen",
                  "DaftarVersiPk", "Kalender", "KunciApiBaru", "DaftarKunciApi", "KunciApi", "StatusPeriode",
                  "Kelengkapan", "PeriodeDitutup", "Bukti", "BuktiPengiriman", "BuktiPeriode"}  # fmt: skip
    missing = {n for n in documented if n not in typed_dicts()}
    assert missing == set()


@pytest.mark.parametrize(("row", "table"), [(store.QuarterRow, UnitQuarter), (store.SubmissionRow, Submission)])
def test_a_row_names_every_column_of_its_table(row: type, table: type) -> None:
    assert list(row.__annotations__) == list(table.__table__.c.keys())  # type: ignore[attr-defined]


def test_a_held_quarter_writes_its_row() -> None:
    q = store.HeldQuarter(2024, 1, "BID-A", revision=3, kendala="k")
    assert q.columns() == {"tahun": 2024, "triwulan": 1, "unit": "BID-A", "revision": 3, "anggaran_realisasi": None,
                           "kendala": "k", "solusi": None, "last_submission_id": None, "last_received_at": None,
                           "completed_at": None}  # fmt: skip
