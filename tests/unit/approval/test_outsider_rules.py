"""What an outsider walking the SOP found (issue #13, helper i13-fixw): one lateness rule for a disposition's page and
the SOP compliance figures; a refusal names units by name; who may open a disposition; a role and an official both
chosen is refused; the period choices by name."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.approval import disposisi, kepatuhan
from services.approval.domain import KoreksiNoteRequired, Official, decide, new_draft
from services.approval.models import DisposisiRow
from services.approval.models import Official as OfficialRow
from services.approval.web.i18n import periode_name
from services.approval.web.presenters.cards import disposisi_late as _disposisi_late
from services.approval.workflow import Workflow, load_workflow
from shared.errors import ApiError

ISSUED = datetime(2024, 4, 1, 1, 0, tzinfo=UTC)  # 08.00 WIB


@pytest.fixture(scope="module")
def wf() -> Workflow:
    return load_workflow()


def row(**kw: Any) -> DisposisiRow:
    base: dict[str, Any] = {"nomor": "001/X/2024", "tahun": 2024, "urut": 1, "langkah": 1, "dari_id": 1,
                            "instruksi": "Kumpulkan data", "issued_at": ISSUED}  # fmt: skip
    return DisposisiRow(**{**base, **kw})


# ---- 1. a disposition with a due date is judged by it, on its page and in the SOP compliance figures ------------


def test_a_disposisi_with_a_due_date_done_after_16_minutes_is_within_standard(wf: Workflow):
    due = row(batas_waktu=date(2024, 12, 31), selesai_at=ISSUED + timedelta(minutes=16))
    plain = row(urut=2, selesai_at=ISSUED + timedelta(minutes=16))  # no due date: step 1's 15 minutes
    assert not _disposisi_late(wf, due, datetime.now(UTC))  # its page: on time
    assert _disposisi_late(wf, plain, datetime.now(UTC))
    samples = kepatuhan.disposisi_samples(wf, [due])
    assert samples == [(1, timedelta(minutes=16), True)]
    step1 = next(r for r in kepatuhan.measure(wf, samples) if r["nomor"] == 1)
    assert (step1["n"], step1["within"], step1["share"], step1["worst_late"]) == (1, 1, 1.0, False)
    step1 = next(r for r in kepatuhan.measure(wf, kepatuhan.disposisi_samples(wf, [due, plain])) if r["nomor"] == 1)
    assert (step1["n"], step1["within"], step1["share"]) == (2, 1, 0.5)


def test_a_disposisi_done_after_its_due_day_is_outside_the_standard(wf: Workflow):
    late = row(batas_waktu=date(2024, 4, 1), selesai_at=datetime(2024, 4, 1, 17, 30, tzinfo=UTC))  # 2 Apr 00.30 WIB
    samples = kepatuhan.disposisi_samples(wf, [late])
    assert samples == [(1, timedelta(hours=16, minutes=30), False)]
    step1 = next(r for r in kepatuhan.measure(wf, samples) if r["nomor"] == 1)
    assert (step1["within"], step1["worst_late"]) == (0, True)
    assert disposisi.is_late(wf, late, datetime.now(UTC)) == _disposisi_late(wf, late, datetime.now(UTC))


def test_steps_without_their_own_judgement_keep_the_step_standard(wf: Workflow):
    rows = kepatuhan.measure(wf, [(4, timedelta(minutes=10)), (4, timedelta(days=30))])
    step4 = next(r for r in rows if r["nomor"] == 4)
    assert (step4["within"], step4["worst_late"]) == (1, True)


# ---- 2. a refusal names the units by name -------------------------------------------------------------------------


def test_closing_a_correction_early_names_the_units_by_name(wf: Workflow):
    draft = new_draft(wf, id="2024-S1", jenis="semester", periode="S1", version=1, tahun=2024)
    now = datetime(2024, 7, 10, 3, 0, tzinfo=UTC)
    draft = decide(wf, draft, Official(1, "staf", nama="Rina"), "approve", None, now=now).draft
    draft = decide(wf, draft, Official(4, "kabid", nama="Agus"), "return", "cek", now=now,
                   units=["BID-PPTK", "UPT-BLK"]).draft  # fmt: skip
    names = {"BID-PPTK": "Bidang Pelatihan dan Produktivitas Tenaga Kerja", "UPT-BLK": "UPT Balai Latihan Kerja"}
    with pytest.raises(KoreksiNoteRequired) as refused:
        decide(wf, draft, Official(5, "kasi", nama="Dewi"), "approve", "sudah", now=now,
               owing=["BID-PPTK", "UPT-BLK"], unit_names=names)  # fmt: skip
    message_id, message_en = refused.value.message_id, refused.value.message_en
    assert message_id.startswith(
        "Unit Bidang Pelatihan dan Produktivitas Tenaga Kerja, UPT Balai Latihan Kerja belum mengirim data baru."
    )
    assert "UPT Balai Latihan Kerja" in message_en
    assert "BID-PPTK" not in message_id + message_en and "UPT-BLK" not in message_id + message_en
    with pytest.raises(KoreksiNoteRequired) as unnamed:  # a unit no recap names: its code, rather than nothing
        decide(wf, draft, Official(5, "kasi", nama="Dewi"), "approve", "", now=now, owing=["BID-PPTK"], unit_names={})
    assert "BID-PPTK" in unnamed.value.message_id


# ---- 6. who may open a disposition --------------------------------------------------------------------------------


def official(id: int, role: str) -> OfficialRow:
    return OfficialRow(id=id, username=f"u{id}", nama=f"Pejabat {id}", role=role, password_hash="x")


def test_a_disposition_is_for_its_issuer_recipients_and_oversight():
    to_role = row(dari_id=1, kepada_role="kabid")
    to_person = row(urut=2, dari_id=1, kepada_id=5)
    sekretaris, kabid, kabid2, kasi, staf = (
        official(1, "sekretaris"), official(4, "kabid"), official(6, "kabid"), official(5, "kasi"), official(7, "staf")
    )  # fmt: skip
    kadis, operator, subkor = official(9, "kepala_dinas"), official(10, "operator"), official(2, "subkor")
    assert [disposisi.may_read(to_role, o) for o in (sekretaris, kabid, kabid2, kadis)] == [True] * 4
    assert [disposisi.may_read(to_role, o) for o in (kasi, staf, operator, subkor)] == [False] * 4
    assert [disposisi.may_read(to_person, o) for o in (sekretaris, kasi, kadis)] == [True] * 3
    assert [disposisi.may_read(to_person, o) for o in (kabid, staf, subkor)] == [False] * 3
    subkor_issued = row(urut=3, dari_id=2, kepada_role="staf")  # the issuer, though neither recipient nor oversight
    assert disposisi.may_read(subkor_issued, subkor) and disposisi.may_read(subkor_issued, staf)
    assert not disposisi.may_read(subkor_issued, kabid)


# ---- 7. a role and an official both chosen ------------------------------------------------------------------------


class OneOfficial:
    """A session that knows one official (validate looks the named recipient up)."""

    def __init__(self, o: OfficialRow) -> None:
        self.o = o

    def get(self, model: Any, key: Any) -> OfficialRow | None:
        return self.o if key == self.o.id else None


def test_a_role_and_an_official_both_chosen_is_refused_naming_both_fields(wf: Workflow):
    sender, agus = official(1, "sekretaris"), official(4, "kabid")
    data = {"kepada_role": "kabid", "kepada_id": "4", "instruksi": "Periksa data"}
    with pytest.raises(ApiError) as refused:
        disposisi.validate(OneOfficial(agus), wf, sender, data, date(2024, 4, 1))  # type: ignore[arg-type]
    assert refused.value.status == 422
    err = refused.value.errors[0]
    assert (err.field, err.rule) == ("kepada", "both")
    assert "Kepada jabatan" in err.message_id and "Kepada pejabat" in err.message_id
    assert "To a role" in err.message_en and "To an official" in err.message_en
    one = disposisi.validate(OneOfficial(agus), wf, sender, {**data, "kepada_role": ""}, date(2024, 4, 1))  # type: ignore[arg-type]
    assert (one["kepada_role"], one["kepada_id"]) == (None, 4)


# ---- 5. the disposisi form's periods by name --------------------------------------------------------------------


def test_the_periods_are_named():
    assert [periode_name(p, "id") for p in disposisi.PERIODES] == [
        "Triwulan I", "Triwulan II", "Triwulan III", "Triwulan IV", "Semester I", "Semester II", "Tahunan",
    ]  # fmt: skip
    assert periode_name("TW2", "en") == "Quarter II" and periode_name("TAHUNAN", "en") == "Annual"
