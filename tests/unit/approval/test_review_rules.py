"""Issue #13's review rules: the annual report waits for both approved semester reports (the workflow's `requires`),
a correction closed while named units still owe data needs a note, and the change summary compares every figure the
document shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.approval.domain import (
    KOREKSI_NOTE_MIN,
    MENUNGGU,
    KoreksiNoteRequired,
    Official,
    WaitingForReports,
    decide,
    may_act,
    new_draft,
    reports_text,
    waits_for,
)
from services.approval.web.presenters.changes import changes as _changes
from services.approval.workflow import BUNDLED, Workflow, WorkflowError, load_workflow, parse_workflow

T0 = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
STAF = Official(1, "staf", nama="Rina Staf")
KABID = Official(4, "kabid", nama="Agus Kabid")
KASI = Official(5, "kasi", nama="Dewi Kasi")
TEXT = BUNDLED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wf() -> Workflow:
    return load_workflow()


# ---- SOP order: the annual report waits for the two approved semester reports ----------------------------------


def test_bundled_workflow_makes_the_annual_report_wait_for_both_semesters(wf: Workflow) -> None:
    assert wf.requires == {"tahunan": ["semester"]}
    assert wf.prerequisites("tahunan", 2024) == [("S1", 2024), ("S2", 2024)]
    assert wf.prerequisites("semester", 2024) == [] and wf.prerequisites("triwulan", 2024) == []


def test_annual_submit_is_refused_while_a_semester_is_not_final(wf: Workflow) -> None:
    draft = new_draft(wf, id="2024-TAHUNAN", jenis="tahunan", periode="TAHUNAN", version=1, tahun=2024)
    assert waits_for(wf, draft)
    assert not may_act(wf, draft, STAF, [("S2", 2024)]) and may_act(wf, draft, STAF, [])
    with pytest.raises(WaitingForReports) as exc:
        decide(wf, draft, STAF, "approve", None, now=T0, waiting_for=[("S2", 2024)])
    assert exc.value.status == 409 and exc.value.rule == "waiting_for_reports"
    assert "menunggu Laporan Semester II 2024 disetujui" in exc.value.message_id
    assert "the Semester II 2024 report to be approved" in exc.value.message_en
    done = decide(wf, draft, STAF, "approve", None, now=T0, waiting_for=[])
    assert (done.action, done.draft.stage) == ("submit", 1)
    assert not waits_for(wf, done.draft)  # past the submit stage nothing waits any more


def test_the_wait_names_every_report(wf: Workflow) -> None:
    both = [("S1", 2024), ("S2", 2024)]
    assert reports_text(both, "id") == "Laporan Semester I 2024 dan Laporan Semester II 2024"
    assert reports_text(both, "en") == "the Semester I 2024 and Semester II 2024 reports"


def test_semester_and_quarter_drafts_wait_for_nothing(wf: Workflow) -> None:
    for jenis, periode in (("semester", "S2"), ("triwulan", "TW4")):
        draft = new_draft(wf, id=f"2024-{periode}", jenis=jenis, periode=periode, version=1, tahun=2024)
        assert not waits_for(wf, draft)


@pytest.mark.parametrize(
    ("requires", "problem"),
    [
        ("requires:\n  tahunan: [bulanan]\n", "requires.tahunan[0]: unknown report kind 'bulanan'"),
        ("requires:\n  mingguan: [semester]\n", "requires.mingguan: unknown report kind 'mingguan'"),
        ("requires:\n  tahunan: [tahunan]\n", "cannot wait for itself"),
        ("requires:\n  tahunan: [semester]\n  semester: [tahunan]\n", "wait for each other in a circle"),
        ("requires:\n  tahunan: semester\n", "requires.tahunan: Input should be a valid list"),
    ],
)
def test_a_broken_requires_is_refused_at_load_naming_the_line(requires: str, problem: str) -> None:
    with pytest.raises(WorkflowError) as exc:
        parse_workflow(with_requires(requires), source="test.yaml")
    assert problem in str(exc.value)
    assert exc.value.line is not None and exc.value.line >= TEXT[: TEXT.index("requires: {")].count("\n") + 1


def with_requires(block: str) -> str:
    """The bundled file with its `requires:` block replaced."""
    start = TEXT.index("requires: {")
    end = TEXT.index("\n\n", start) + 1
    return TEXT[:start] + block + TEXT[end:]


def test_a_workflow_without_requires_waits_for_nothing() -> None:
    wf = parse_workflow(with_requires(""))
    assert wf.requires == {} and wf.prerequisites("tahunan", 2024) == []


# ---- "Koreksi selesai" while named units still owe data --------------------------------------------------------


def returned_for_koreksi(wf: Workflow):
    draft = new_draft(wf, id="2024-S1", jenis="semester", periode="S1", version=1, tahun=2024)
    draft = decide(wf, draft, STAF, "approve", None, now=T0).draft
    ret = decide(wf, draft, KABID, "return", "Realisasi IK-3.2 keliru", now=T0, units=["BID-PENTA", "BID-PPTK"])
    return ret.draft


def test_closing_a_correction_with_units_owing_needs_a_note(wf: Workflow) -> None:
    draft = returned_for_koreksi(wf)
    for note in (None, "  ", "sudah"):
        with pytest.raises(KoreksiNoteRequired) as exc:
            decide(wf, draft, KASI, "approve", note, now=T0, owing=["BID-PPTK"])
        assert exc.value.status == 422 and "BID-PPTK" in exc.value.message_id
        assert f"minimal {KOREKSI_NOTE_MIN} karakter" in exc.value.message_id
    note = "Bidang PPTK mengonfirmasi datanya sudah benar"
    done = decide(wf, draft, KASI, "approve", note, now=T0, owing=["BID-PPTK"])
    assert (done.action, done.draft.state, done.tanpa_data, done.note) == (
        "koreksi_selesai", MENUNGGU, ("BID-PPTK",), note,
    )  # fmt: skip
    assert done.draft.history[-1].note == note


def test_closing_a_correction_every_unit_delivered_needs_no_note(wf: Workflow) -> None:
    done = decide(wf, returned_for_koreksi(wf), KASI, "approve", None, now=T0, owing=[])
    assert (done.action, done.tanpa_data) == ("koreksi_selesai", ())


# ---- what changed between two versions: every figure the document shows ---------------------------------------


def recap(periode: str, **over) -> dict:
    ind = {
        "kode": "IK-1", "nama": "Satu", "target": "100.00", "realisasi": "40.00", "capaian": "40.00",
        "predikat": "Sangat Kurang", "target_sd": "200.00", "realisasi_sd": "150.00", "capaian_sd": "75.00",
        "predikat_sd": "Cukup",
    }  # fmt: skip
    ind.update(over.pop("ind", {}))
    rekap = {
        "periode": periode,
        "indikator": [ind],
        "sasaran": [{"kode": "SS-1", "nama": "Sasaran satu", "capaian": "40.00", "predikat": "Sangat Kurang"}],
        "capaian_instansi": "40.00",
        "predikat_instansi": "Sangat Kurang",
        "anggaran": [{"kode": "P-1", "nama": "Program", "pagu": "1000000", "realisasi": "250000", "persen": "25.00"}],
    }
    rekap.update(over)
    return {"rekap": rekap, "inputs": {"2:BID-A": 1}}


def test_a_change_of_only_the_cumulative_figures_is_shown() -> None:
    prev = recap("TW2")
    cur = recap("TW2", ind={"realisasi_sd": "170.00", "capaian_sd": "85.00", "predikat_sd": "Baik"})
    out = _changes(prev, cur, "id")
    assert [(c["kode"], [(f["label"], f["old"], f["new"]) for f in c["fields"]]) for c in out["indicators"]] == [
        (
            "IK-1",
            [
                ("Realisasi s.d. periode", "150", "170"),  # no satuan: a count, whole
                ("Capaian s.d. periode (%)", "75,00", "85,00"),
                ("Predikat s.d. periode", "Cukup", "Baik"),
            ],
        )
    ]
    assert out["totals"] == [] and out["units"] == []


def test_target_predikat_sasaran_office_and_budget_changes_are_shown() -> None:
    prev = recap("TW2")
    cur = recap(
        "TW2",
        ind={"target": "120.00", "predikat": "Kurang"},
        sasaran=[{"kode": "SS-1", "nama": "Sasaran satu", "capaian": "45.00", "predikat": "Sangat Kurang"}],
        capaian_instansi="45.00",
        predikat_instansi="Sangat Kurang",
        anggaran=[{"kode": "P-1", "nama": "Program", "pagu": "1000000", "realisasi": "300000", "persen": "30.00"}],
    )
    out = _changes(prev, cur, "en")
    assert [(f["label"], f["old"], f["new"]) for f in out["indicators"][0]["fields"]] == [
        ("Target", "100", "120"),  # a count: whole (present.places_of)
        ("Rating", "Very Poor", "Poor"),
    ]
    totals = [(c["group"], c["kode"], [(f["label"], f["old"], f["new"]) for f in c["fields"]]) for c in out["totals"]]
    assert totals == [
        ("Objective", "SS-1", [("Achievement (%)", "40.00", "45.00")]),
        ("Office achievement", "", [("Achievement (%)", "40.00", "45.00")]),
        ("Programme", "P-1", [("Budget spent", "Rp 250,000", "Rp 300,000"), ("Absorption (%)", "25.00", "30.00")]),
    ]


def test_equal_numbers_written_differently_are_no_change_and_tw1_has_no_cumulative_rows() -> None:
    prev = recap("TW1", ind={"realisasi": "40", "realisasi_sd": "40"})
    cur = recap("TW1", ind={"realisasi": "40.00", "realisasi_sd": "41.00"})
    out = _changes(prev, cur, "id")
    assert out == {"indicators": [], "totals": [], "units": []}  # TW1's document shows no cumulative table


def test_a_semester_shows_the_quarter_rows_that_changed() -> None:
    prev, cur = recap("S1"), recap("S1")
    q1 = {"indikator": [{"kode": "IK-1", "target": "50.00", "realisasi": "20.00", "capaian": "40.00"}]}
    q1_new = {"indikator": [{"kode": "IK-1", "target": "50.00", "realisasi": "25.00", "capaian": "50.00"}]}
    q2 = {"indikator": [{"kode": "IK-1", "target": "50.00", "realisasi": "20.00", "capaian": "40.00"}]}
    out = _changes(prev, cur, "id", {1: q1, 2: q2}, {1: q1_new, 2: q2})
    assert [(f["label"], f["old"], f["new"]) for f in out["indicators"][0]["fields"]] == [
        ("Realisasi TW I", "20", "25"),
        ("Capaian (%) TW I", "40,00", "50,00"),
    ]


def test_the_annual_submit_step_is_measured_from_when_the_semesters_became_final():
    from datetime import timedelta

    from services.approval.kepatuhan import Transition, draft_samples

    history = [
        Transition("rendered", 9, T0),
        Transition("siap", 9, T0 + timedelta(days=20)),  # S2 final 20 days later: the draft could be submitted
        Transition("submit", 9, T0 + timedelta(days=20, minutes=10)),
    ]
    assert draft_samples(history) == [(9, timedelta(minutes=10))]


# ---- a disposisi's lateness: its due date, else its SOP step's standard -----------------------------------------


def test_a_disposisi_is_late_against_its_due_date_else_its_step_standard(wf: Workflow):
    from datetime import date, timedelta

    from services.approval.models import DisposisiRow
    from services.approval.web.presenters.cards import disposisi_late as _disposisi_late

    issued = datetime(2024, 1, 8, 1, 0, tzinfo=UTC)  # 08.00 WIB
    due = DisposisiRow(nomor="1", tahun=2024, urut=1, langkah=1, dari_id=1, instruksi="x", issued_at=issued,
                       batas_waktu=date(2024, 1, 10))  # fmt: skip
    plain = DisposisiRow(nomor="2", tahun=2024, urut=2, langkah=1, dari_id=1, instruksi="x", issued_at=issued)
    two_hours = issued + timedelta(hours=2)
    assert not _disposisi_late(wf, due, two_hours)  # past step 1's 15 minutes, before its due date
    assert _disposisi_late(wf, plain, two_hours)  # no due date: step 1's 15 minutes
    assert not _disposisi_late(wf, plain, issued + timedelta(minutes=10))
    # the due date is a day in the office's calendar: 10 January 23.30 WIB is still on time, 11 January 00.30 late
    assert not _disposisi_late(wf, due, datetime(2024, 1, 10, 16, 30, tzinfo=UTC))
    assert _disposisi_late(wf, due, datetime(2024, 1, 10, 17, 30, tzinfo=UTC))
    # a done one is measured when it was done
    due.selesai_at = datetime(2024, 1, 9, 3, 0, tzinfo=UTC)
    assert not _disposisi_late(wf, due, datetime(2024, 2, 1, tzinfo=UTC))
    plain.selesai_at = issued + timedelta(minutes=5)
    assert not _disposisi_late(wf, plain, datetime(2024, 2, 1, tzinfo=UTC))
