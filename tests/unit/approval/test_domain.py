"""The draft state machine: every rule of the approval chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.approval.domain import (
    DIKEMBALIKAN,
    FINAL,
    MENUNGGU,
    SUPERSEDED,
    Decision,
    Draft,
    DraftMovedOn,
    InvalidDecision,
    KoreksiTargetRequired,
    NotYourTurn,
    Official,
    OtherUnit,
    OwnWork,
    ReasonRequired,
    acting_role,
    current_step,
    decide,
    may_act,
    may_return,
    new_draft,
    supersede,
)
from services.approval.workflow import BUNDLED, Workflow, load_workflow, parse_workflow

T0 = datetime(2024, 4, 15, 9, 0, tzinfo=UTC)

STAF = Official(1, "staf", nama="Rina Staf", nip="199001012015022001", jabatan="Staf Penyusun")
STAF2 = Official(2, "staf", nama="Budi Staf", nip="199202022016031002", jabatan="Staf Penyusun")
SUBKOR = Official(3, "subkor", nama="Sari Subkor", nip="198503032010012003", jabatan="Sub Koordinator")
KABID = Official(4, "kabid", unit=None, nama="Agus Kabid", nip="197804042005011004", jabatan="Kepala Bidang")
KASI = Official(5, "kasi", unit="PPK", nama="Dewi Kasi", nip="198005052006042005", jabatan="Kepala Seksi")
SEKDIS = Official(6, "sekretaris", nama="Hadi Sekdis", nip="197006062000031006", jabatan="Sekretaris Dinas")
OPERATOR = Official(7, "operator", nama="Ops")


@pytest.fixture(scope="module")
def wf() -> Workflow:
    return load_workflow()


def run(wf: Workflow, draft: Draft, *steps: tuple[Official, str, str | None]) -> Decision:
    d: Decision | None = None
    for i, (who, decision, note) in enumerate(steps):
        units = ("PPK",) if decision == "return" else ()  # a return for correction names what to correct
        d = decide(wf, draft, who, decision, note, now=T0 + timedelta(hours=i), units=units)
        draft = d.draft
    assert d is not None
    return d


def test_quarterly_chain_staf_then_subkor_is_final_with_the_chain(wf: Workflow) -> None:
    draft = new_draft(wf, id="d-tw1", jenis="triwulan", periode="TW1", version=1, tahun=2024)
    assert (draft.stage, draft.state, acting_role(wf, draft), current_step(wf, draft)) == (0, MENUNGGU, "staf", 4)
    sub = decide(wf, draft, STAF, "approve", None, now=T0)
    assert (sub.action, sub.event, sub.final, sub.step) == ("submit", "DraftSubmittedForReview", False, 4)
    assert sub.draft.compiler_id == 1 and acting_role(wf, sub.draft) == "subkor"
    fin = decide(wf, sub.draft, SUBKOR, "approve", "sesuai", version=1, now=T0 + timedelta(hours=2))
    assert (fin.event, fin.final, fin.draft.state) == ("DraftApproved", True, FINAL)
    assert [(c["role"], c["action"], c["step"], c["actor_id"]) for c in fin.chain] == [
        ("staf", "submit", 4, 1),
        ("subkor", "approve", 4, 3),
    ]
    assert fin.chain[1]["nama"] == "Sari Subkor" and fin.chain[1]["nip"] == "198503032010012003"
    assert fin.chain[1]["jabatan"] == "Sub Koordinator" and fin.chain[1]["note"] == "sesuai"
    assert fin.chain[1]["decided_at"] == (T0 + timedelta(hours=2)).isoformat()
    assert acting_role(wf, fin.draft) is None and not may_act(wf, fin.draft, SUBKOR)


def test_semester_chain_needs_kabid_then_sekretaris(wf: Workflow) -> None:
    draft = new_draft(wf, id="d-s1", jenis="semester", periode="S1", version=1)
    d = run(wf, draft, (STAF, "approve", None), (KABID, "approve", None))
    assert (d.final, d.draft.state, acting_role(wf, d.draft), current_step(wf, d.draft)) == (
        False, MENUNGGU, "sekretaris", 8,
    )  # fmt: skip
    d = decide(wf, d.draft, SEKDIS, "approve", None, now=T0)
    assert d.final and [c["role"] for c in d.chain] == ["staf", "kabid", "sekretaris"]


def test_return_without_a_note_is_refused(wf: Workflow) -> None:
    draft = run(wf, new_draft(wf, id="d", jenis="triwulan", periode="TW1", version=1), (STAF, "approve", None)).draft
    for note in (None, "", "   "):
        with pytest.raises(ReasonRequired) as exc:
            decide(wf, draft, SUBKOR, "return", note, now=T0)
        assert (exc.value.rule, exc.value.status) == ("reason_required", 422)
        assert exc.value.message_id and exc.value.message_en


def test_wrong_role_is_refused(wf: Workflow) -> None:
    draft = new_draft(wf, id="d", jenis="semester", periode="S1", version=1)
    for who in (SUBKOR, KABID, SEKDIS, OPERATOR):  # only staf may submit
        assert not may_act(wf, draft, who)
        with pytest.raises(NotYourTurn) as exc:
            decide(wf, draft, who, "approve", None, now=T0)
        assert (exc.value.rule, exc.value.status) == ("wrong_role", 403)
    draft = decide(wf, draft, STAF, "approve", None, now=T0).draft
    with pytest.raises(NotYourTurn):  # the sekretaris decides at gate 8, after the kabid
        decide(wf, draft, SEKDIS, "approve", None, now=T0)
    with pytest.raises(NotYourTurn):
        decide(wf, draft, STAF2, "approve", None, now=T0)


OWN_WORK_YAML = (
    BUNDLED.read_text(encoding="utf-8")
    .replace(
        "      role: subkor\n      action: approve\n      on_return: {stage: 1, role: staf, step: 4}",
        "      role: staf\n      action: approve\n      on_return: {stage: 1, role: staf, step: 4}",
    )
    .replace("triwulan: subkor", "triwulan: staf")
)  # the peer reviewer signs


def test_compiler_cannot_decide_on_own_draft() -> None:
    # An office where one staf reviews another staf's quarterly draft (peer review).
    wf = parse_workflow(OWN_WORK_YAML)
    draft = decide(wf, new_draft(wf, id="d", jenis="triwulan", periode="TW2", version=1), STAF, "approve", None,
                   now=T0).draft  # fmt: skip
    assert not may_act(wf, draft, STAF) and may_act(wf, draft, STAF2)
    for decision, note in (("approve", None), ("return", "revisi")):
        with pytest.raises(OwnWork) as exc:
            decide(wf, draft, STAF, decision, note, now=T0)
        assert (exc.value.rule, exc.value.status) == ("own_work", 403)
    # STAF2 returns it; STAF2 then resubmits: the earlier submitter STAF still may not approve it.
    d = run(wf, draft, (STAF2, "return", "angka TW2 salah"), (STAF2, "approve", None))
    assert d.draft.compiler_id == 2
    with pytest.raises(OwnWork):
        decide(wf, d.draft, STAF, "approve", None, now=T0)


def test_compiler_id_compared_as_text(wf: Workflow) -> None:
    draft = Draft(id="d", jenis="semester", periode="S1", version=1, stage=1, compiler_id="4")
    with pytest.raises(OwnWork):
        decide(wf, draft, KABID, "approve", None, now=T0)


def test_quarterly_return_goes_back_to_staf(wf: Workflow) -> None:
    draft = run(wf, new_draft(wf, id="d", jenis="triwulan", periode="TW3", version=1), (STAF, "approve", None)).draft
    ret = decide(wf, draft, SUBKOR, "return", "lampiran kurang", now=T0)
    assert (ret.event, ret.koreksi, ret.draft.state, ret.draft.stage) == ("KoreksiRequested", False, DIKEMBALIKAN, 0)
    assert ret.returned_to == {"role": "staf", "step": 4, "stage": 0}
    assert may_act(wf, ret.draft, STAF2) and not may_return(wf, ret.draft, STAF2)
    d = run(wf, ret.draft, (STAF2, "approve", None), (SUBKOR, "approve", None))
    assert d.final and [c["actor_id"] for c in d.chain] == [2, 3]


def test_return_at_gate_7_goes_to_kasi_for_correction(wf: Workflow) -> None:
    draft = run(wf, new_draft(wf, id="d", jenis="tahunan", periode="TAHUNAN", version=1), (STAF, "approve", None)).draft
    with pytest.raises(KoreksiTargetRequired):  # a correction names what to correct (outsider check)
        decide(wf, draft, KABID, "return", "realisasi seksi PPK perlu dikoreksi", now=T0)
    ret = decide(wf, draft, KABID, "return", "realisasi seksi PPK perlu dikoreksi", now=T0, units=["PPK"])
    assert (ret.event, ret.koreksi, ret.step, ret.draft.state) == ("KoreksiRequested", True, 7, DIKEMBALIKAN)
    assert ret.returned_to == {"role": "kasi", "step": 7, "stage": 0}
    assert acting_role(wf, ret.draft) == "kasi" and current_step(wf, ret.draft) == 7
    assert not may_act(wf, ret.draft, STAF) and may_act(wf, ret.draft, KASI) and not may_return(wf, ret.draft, KASI)
    with pytest.raises(InvalidDecision):
        decide(wf, ret.draft, KASI, "return", "x", now=T0)
    # Usually the corrected data makes a new version; the kasi can also mark the correction done.
    done = decide(wf, ret.draft, KASI, "approve", "sudah dikoreksi", now=T0)
    assert (done.action, done.event, done.draft.state, acting_role(wf, done.draft)) == (
        "koreksi_selesai", None, MENUNGGU, "staf",
    )  # fmt: skip


def test_return_at_gate_8_goes_back_to_kabid(wf: Workflow) -> None:
    draft = new_draft(wf, id="d", jenis="semester", periode="S2", version=1)
    d = run(wf, draft, (STAF, "approve", None), (KABID, "approve", None), (SEKDIS, "return", "perbaiki narasi"))
    assert (d.koreksi, d.draft.state, d.draft.stage, acting_role(wf, d.draft)) == (False, DIKEMBALIKAN, 1, "kabid")
    assert d.returned_to == {"role": "kabid", "step": 7, "stage": 1}
    d = run(wf, d.draft, (KABID, "approve", "narasi diperbaiki"), (SEKDIS, "approve", None))
    assert d.final
    assert [(c["role"], c["note"]) for c in d.chain] == [
        ("staf", None), ("kabid", "narasi diperbaiki"), ("sekretaris", None),
    ]  # fmt: skip


def test_submit_stage_cannot_be_returned_and_decision_must_be_known(wf: Workflow) -> None:
    draft = new_draft(wf, id="d", jenis="triwulan", periode="TW1", version=1)
    with pytest.raises(InvalidDecision):
        decide(wf, draft, STAF, "return", "tidak ada", now=T0)
    with pytest.raises(InvalidDecision) as exc:
        decide(wf, draft, STAF, "setuju", None, now=T0)
    assert exc.value.status == 422


def test_superseded_draft_refuses_decisions(wf: Workflow) -> None:
    v1 = run(wf, new_draft(wf, id="d", jenis="semester", periode="S1", version=1), (STAF, "approve", None),
             (KABID, "return", "data salah")).draft  # fmt: skip
    old, v2 = supersede(v1, 2)
    assert (old.state, old.version) == (SUPERSEDED, 1)
    assert (v2.state, v2.stage, v2.version, v2.compiler_id, v2.history) == (MENUNGGU, 0, 2, None, ())
    for who in (STAF, KASI):
        assert not may_act(wf, old, who)
        with pytest.raises(DraftMovedOn) as exc:
            decide(wf, old, who, "approve", None, now=T0)
        assert (exc.value.rule, exc.value.status) == ("draft_moved_on", 409)
    with pytest.raises(DraftMovedOn):  # a decision aimed at the old version reaching the new one
        decide(wf, v2, STAF, "approve", None, version=1, now=T0)
    assert decide(wf, v2, STAF, "approve", None, version=2, now=T0).draft.stage == 1
    with pytest.raises(DraftMovedOn):
        supersede(v2, 2)
    with pytest.raises(DraftMovedOn):
        supersede(old, 3)


def test_final_draft_refuses_decisions_and_supersede(wf: Workflow) -> None:
    d = run(wf, new_draft(wf, id="d", jenis="triwulan", periode="TW4", version=1), (STAF, "approve", None),
            (SUBKOR, "approve", None))  # fmt: skip
    with pytest.raises(DraftMovedOn):
        decide(wf, d.draft, SUBKOR, "return", "terlambat", now=T0)
    with pytest.raises(DraftMovedOn):
        supersede(d.draft, 2)


def test_draft_round_trips_through_a_dict(wf: Workflow) -> None:
    d = run(wf, new_draft(wf, id="d", jenis="semester", periode="S1", version=3, tahun=2024),
            (STAF, "approve", None), (KABID, "return", "koreksi"))  # fmt: skip
    assert Draft.from_dict(d.draft.to_dict()) == d.draft


def test_unknown_kind_and_naive_time_are_refused(wf: Workflow) -> None:
    with pytest.raises(InvalidDecision):
        new_draft(wf, id="d", jenis="bulanan", periode="TW1", version=1)
    draft = new_draft(wf, id="d", jenis="triwulan", periode="TW1", version=1)
    with pytest.raises(ValueError):
        decide(wf, draft, STAF, "approve", None, now=datetime(2024, 1, 1))


KABID_HI = Official(8, "kabid", unit="BID-HI", nama="Kabid HI")
KASI_PPK = KASI  # unit PPK
KASI_HI = Official(9, "kasi", unit="BID-HI", nama="Kasi HI")


def test_semester_both_gates_with_one_return_each_keeps_every_transition(wf: Workflow) -> None:
    """staf submits → kabid returns (koreksi, naming units and indicators) → kasi corrects → staf resubmits →
    kabid approves → sekretaris returns to kabid → kabid approves → sekretaris approves: final."""
    d = run(wf, new_draft(wf, id="2024-S1", jenis="semester", periode="S1", version=1, tahun=2024),
            (STAF, "approve", None))  # fmt: skip
    ret = decide(wf, d.draft, KABID, "return", "IK-2.1 BLK belum sesuai", now=T0, units=["UPT-BLK"],
                 indikator=["IK-2.1"])  # fmt: skip
    assert (ret.event, ret.koreksi, ret.units, ret.indikator) == ("KoreksiRequested", True, ("UPT-BLK",), ("IK-2.1",))
    assert ret.draft.koreksi_units == ("UPT-BLK",) and acting_role(wf, ret.draft) == "kasi"
    assert Draft.from_dict(ret.draft.to_dict()) == ret.draft
    kasi_blk = Official(11, "kasi", unit="UPT-BLK", nama="Kasi BLK")
    d = run(wf, ret.draft, (kasi_blk, "approve", "data BLK dikoreksi"), (STAF, "approve", None),
            (KABID, "approve", None))  # fmt: skip
    assert acting_role(wf, d.draft) == "sekretaris" and current_step(wf, d.draft) == 8
    back = decide(wf, d.draft, SEKDIS, "return", "narasi capaian kurang", now=T0)
    assert (back.koreksi, back.units, back.returned_to) == (False, (), {"role": "kabid", "step": 7, "stage": 1})
    d = run(wf, back.draft, (KABID, "approve", "narasi diperbaiki"), (SEKDIS, "approve", "setuju"))
    assert d.final and d.draft.state == FINAL
    assert [(h.action, h.role, h.step) for h in d.draft.history] == [
        ("submit", "staf", 7), ("return", "kabid", 7), ("koreksi_selesai", "kasi", 7), ("submit", "staf", 7),
        ("approve", "kabid", 7), ("return", "sekretaris", 8), ("approve", "kabid", 7), ("approve", "sekretaris", 8),
    ]  # fmt: skip
    assert all(h.nama and h.decided_at for h in d.draft.history)


def test_unit_bound_kabid_returns_only_their_unit(wf: Workflow) -> None:
    d = run(wf, new_draft(wf, id="d", jenis="semester", periode="S2", version=1), (STAF, "approve", None)).draft
    with pytest.raises(OtherUnit) as exc:
        decide(wf, d, KABID_HI, "return", "salah", now=T0, units=["UPT-BLK"])
    assert (exc.value.rule, exc.value.status) == ("other_unit", 403)
    ret = decide(wf, d, KABID_HI, "return", "data HI salah", now=T0)  # no units named: their own
    assert ret.units == ("BID-HI",)
    # only a kasi of a named unit (or one acting for the whole office) does the correction
    assert not may_act(wf, ret.draft, KASI_PPK) and may_act(wf, ret.draft, KASI_HI)
    with pytest.raises(OtherUnit):
        decide(wf, ret.draft, KASI_PPK, "approve", None, now=T0)
    assert may_act(wf, ret.draft, Official(10, "kasi", nama="Kasi kantor"))


def test_units_are_dropped_on_a_return_that_needs_no_new_data(wf: Workflow) -> None:
    d = run(wf, new_draft(wf, id="d", jenis="triwulan", periode="TW1", version=1), (STAF, "approve", None)).draft
    ret = decide(wf, d, SUBKOR, "return", "format tabel", now=T0, units=["BPS"])
    assert (ret.koreksi, ret.units, ret.draft.koreksi_units) == (False, (), ())


def test_return_reason_is_checked_before_units(wf: Workflow) -> None:
    d = run(wf, new_draft(wf, id="d", jenis="tahunan", periode="TAHUNAN", version=1), (STAF, "approve", None)).draft
    with pytest.raises(ReasonRequired):
        decide(wf, d, KABID, "return", "  ", now=T0, units=["BPS"])


INSPEKTORAT = Official(8, "inspektorat", nama="Dewi Auditor", jabatan="Auditor Ahli Madya")


@pytest.mark.parametrize("jenis, periode", [("triwulan", "TW1"), ("semester", "S1"), ("tahunan", "TAHUNAN")])
def test_the_inspektorat_reads_drafts_but_never_decides_one(wf: Workflow, jenis: str, periode: str) -> None:
    """A role whose workflow entry says `decides: false` is refused at every stage, saying it only reads."""
    assert wf.roles["inspektorat"].decides is False
    draft = new_draft(wf, id=f"d-{periode}", jenis=jenis, periode=periode, version=1, tahun=2024)
    for stage in range(len(wf.chain(jenis))):
        at_stage = replace(draft, stage=stage)
        assert not may_act(wf, at_stage, INSPEKTORAT) and not may_return(wf, at_stage, INSPEKTORAT)
        for decision in ("approve", "return"):
            with pytest.raises(NotYourTurn) as err:
                decide(wf, at_stage, INSPEKTORAT, decision, "catatan", now=T0)
            assert "tidak memutuskan draf" in err.value.message_id and "never decides" in err.value.message_en
