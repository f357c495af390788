"""The typed answers (services/approval/answers.py) and the models that document them in the OpenAPI
(services/approval/schemas.py) name the same fields; the stored forms of a draft did not change with their types."""

import json
from dataclasses import asdict
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from services.approval import answers as a
from services.approval import schemas as s
from services.approval.domain import Draft, HistoryEntry
from services.approval.web.presenters.draft import DRAFT_ID, not_found_message
from shared.sakip import PERIODES

NAMES = [  # the same name in both modules
    "Pejabat", "Token", "Menunggu", "Draf", "DrafDenganRiwayat", "Disposisi", "DaftarDisposisi", "PenerimaSosialisasi",
    "Sosialisasi", "LangkahKepatuhan", "Kepatuhan", "Pengingat", "DaftarPengingat", "Temuan", "AnalisisBelumAda",
    "Pemeriksaan", "Kurang", "KualitasKriteria", "KualitasKomponen", "Kualitas", "TindakLanjut", "BuktiTL",
    "IndikatorTanpaTL", "DaftarTindakLanjut", "Cek",
    "PejabatPemanfaatan", "BuktiPemanfaatan", "Pemanfaatan", "RingkasanPemanfaatan", "LaporanPemanfaatan",
]  # fmt: skip


def keys(typed: type) -> set[str]:
    return set(typed.__required_keys__) | set(typed.__optional_keys__)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", NAMES)
def test_an_answer_has_the_fields_its_model_documents(name: str):
    typed, model = getattr(a, name), getattr(s, name)
    assert issubclass(model, BaseModel)
    assert keys(typed) == set(model.model_fields)


def test_a_history_entry_documents_who_did_what_and_carries_its_detail():
    """Riwayat's model allows the extra detail (units, indikator, tanpa_data) the typed entry names."""
    assert set(a.Riwayat.__required_keys__) == set(s.Riwayat.model_fields)
    assert set(a.Riwayat.__optional_keys__) == {"units", "indikator", "tanpa_data"}
    assert s.Riwayat.model_config.get("extra") == "allow"


def test_a_stored_draft_is_written_as_before():
    """DraftRow.data: the typed `to_dict` writes the bytes the dataclass dump wrote (same keys, same order)."""
    at = datetime(2024, 4, 2, 3, 4, 5, tzinfo=UTC)
    entry = HistoryEntry("submit", 2, 0, 4, "staf", 7, "Budi", None, "Staf", at, "siap")
    draft = Draft(id="2024-TW1", jenis="triwulan", periode="TW1", version=2, stage=1, compiler_id=7, tahun=2024,
                  history=(entry,), koreksi_units=("BID-A",))  # fmt: skip
    # pangkat and golongan (issue #15) are written only when on file: an entry without them keeps its bytes
    dumped = {k: v for k, v in asdict(entry).items() if k not in ("pangkat", "golongan")}
    before = {**asdict(draft), "history": [{**dumped, "decided_at": at.isoformat()}], "koreksi_units": ["BID-A"]}
    assert json.dumps(draft.to_dict()) == json.dumps(before)
    assert Draft.from_dict(json.loads(json.dumps(draft.to_dict()))) == draft


def test_a_stored_entry_keeps_pangkat_and_golongan():
    at = datetime(2024, 4, 2, 3, 4, 5, tzinfo=UTC)
    entry = HistoryEntry("approve", 2, 1, 5, "subkor", 8, "Sari", None, "Subkor", at, None, "Penata Tingkat I", "III/d")
    doc = entry.to_dict()
    assert (doc["pangkat"], doc["golongan"]) == ("Penata Tingkat I", "III/d")
    assert list(doc)[-2:] == ["pangkat", "golongan"]  # after the fields stored before them
    assert HistoryEntry.from_dict(json.loads(json.dumps(doc))) == entry


def test_a_draft_address_names_exactly_the_periods():
    """DRAFT_ID spells the period table through shared.sakip.PERIODE_PATTERN: every period, nothing else."""
    for periode in PERIODES:
        assert DRAFT_ID.fullmatch(f"2024-{periode}") is not None
    for wrong in ("TW0", "TW5", "S3", "TAHUN", "tw1", "TW1X"):
        assert DRAFT_ID.fullmatch(f"2024-{wrong}") is None
    assert not_found_message("2024-S2", "en") != not_found_message("2024-S3", "en")
