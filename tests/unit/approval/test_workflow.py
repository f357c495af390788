"""The SOP as data: the bundled workflow, and broken files named by line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.approval.workflow import BUNDLED, WorkflowError, load_workflow, parse_workflow
from tests.support.yamltext import line_of

TEXT = BUNDLED.read_text(encoding="utf-8")


def broken(text: str) -> WorkflowError:
    with pytest.raises(WorkflowError) as exc:
        parse_workflow(text, source="test.yaml")
    return exc.value


def test_bundled_file_loads_the_sop() -> None:
    wf = load_workflow()
    assert wf.sop.nomor == "PSM/DISNAKER-101"
    assert set(wf.roles) == {"kepala_dinas", "sekretaris", "kabid", "subkor", "kasi", "staf", "operator", "inspektorat"}
    assert wf.roles["kepala_dinas"].nama == "Kepala Dinas" and wf.roles["kepala_dinas"].decides
    assert wf.roles["subkor"].nama == "Sub Koordinator Perencanaan"
    assert not wf.roles["operator"].decides
    assert [s.nomor for s in wf.steps] == list(range(1, 10))
    minutes = {s.nomor: s.waktu / timedelta(minutes=1) for s in wf.steps}
    assert minutes == {1: 15, 2: 30, 3: 2, 4: 30, 5: 30, 6: 2 * 24 * 60, 7: 120 * 24 * 60, 8: 60, 9: 15}
    assert wf.step(7).keputusan is not None and wf.step(7).keputusan.tidak == "kasi"
    assert wf.step(8).keputusan is not None and wf.step(8).keputusan.tidak == "kabid"


def test_bundled_chains_follow_who_acts() -> None:
    wf = load_workflow()
    tw = wf.chain("triwulan")
    assert [(s.step, s.role, s.action) for s in tw] == [(4, "staf", "submit"), (4, "subkor", "approve")]
    assert tw[1].on_return is not None and (tw[1].on_return.stage, tw[1].on_return.role) == (1, "staf")
    for jenis, submit_step in (("semester", 7), ("tahunan", 9)):
        ch = wf.chain(jenis)
        assert [(s.step, s.role, s.action) for s in ch][:3] == [
            (submit_step, "staf", "submit"),
            (7, "kabid", "approve"),
            (8, "sekretaris", "approve"),
        ]
        gate7, gate8 = ch[1].on_return, ch[2].on_return
        assert gate7 is not None and (gate7.role, gate7.step, gate7.stage, gate7.koreksi) == ("kasi", 7, 1, True)
        assert gate8 is not None and (gate8.role, gate8.stage, gate8.koreksi) == ("kabid", 2, False)


def test_the_annual_lkip_ends_with_the_kepala_dinas_and_each_kind_names_its_signatory() -> None:
    wf = load_workflow()
    assert len(wf.chain("semester")) == 3  # the semester report stays as the SOP has it
    last = wf.chain("tahunan")[-1]
    assert (last.stage, last.role, last.action) == (4, "kepala_dinas", "approve")
    assert last.on_return is not None and (last.on_return.stage, last.on_return.role) == (3, "sekretaris")
    signers = {j: wf.signatory_role(j) for j in ("triwulan", "semester", "tahunan")}
    assert signers == {"triwulan": "subkor", "semester": "sekretaris", "tahunan": "kepala_dinas"}
    # a kind the file leaves out is signed by its chain's last approver
    text = TEXT.replace("  triwulan: subkor  #", "  # triwulan: subkor  #")
    assert parse_workflow(text).signatory_role("triwulan") == "subkor"


def test_a_signatory_must_approve_the_report_it_signs() -> None:
    text = TEXT.replace("  semester: sekretaris\n  tahunan", "  semester: kepala_dinas\n  tahunan")
    err = broken(text)
    assert err.line == line_of(text, "semester: kepala_dinas")
    assert "signatory.semester: role 'kepala_dinas' approves no stage of the 'semester' chain" in str(err)
    assert "approvers: kabid, sekretaris" in str(err)
    err = broken(TEXT.replace("  tahunan: kepala_dinas", "  tahunan: bupati"))
    assert "signatory.tahunan: unknown role 'bupati'" in str(err)
    err = broken(TEXT.rstrip("\n") + "\n  bulanan: subkor\n")
    assert "signatory.bulanan: no chain for report kind 'bulanan'" in str(err)
    err = broken(TEXT.replace("  triwulan: subkor  #", "  triwulan: staf  #"))  # staf submits, it approves nothing
    assert "signatory.triwulan: role 'staf' approves no stage" in str(err)


def test_another_office_loads_its_own_file(tmp_path: Path) -> None:
    own = tmp_path / "kantor-lain.yaml"
    own.write_text(TEXT.replace("Dinas Ketenagakerjaan Kota Tangerang", "Dinas Lain").replace("PT15M", "20"))
    wf = load_workflow(own)
    assert wf.sop.instansi == "Dinas Lain"
    assert wf.step(1).waktu == timedelta(minutes=20)  # a plain number is minutes


def test_bad_yaml_names_the_line() -> None:
    text = TEXT.replace("    waktu: PT30M\n    keputusan", "    waktu: [PT30M\n    keputusan", 1)
    err = broken(text)
    assert err.line is not None and abs(err.line - line_of(text, "waktu: [PT30M")) <= 1
    assert "not valid YAML" in str(err) and f"line {err.line}" in str(err)


def test_unknown_role_names_the_line() -> None:
    text = TEXT.replace("      role: kabid\n", "      role: kepala\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "role: kepala\n")
    assert f"line {err.line}: chains.semester[1].role: unknown role 'kepala'" in str(err)


def test_unknown_role_in_a_step() -> None:
    text = TEXT.replace("    role: sekretaris\n", "    role: kadis\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "role: kadis") and "steps[0].role: unknown role 'kadis'" in str(err)


def test_missing_chain_names_the_chains_line() -> None:
    cut = TEXT.index("  tahunan:")
    text = TEXT[:cut]
    err = broken(text)
    assert err.line == line_of(text, "\nchains:") + 1
    assert "missing chain for report kind 'tahunan'" in str(err)


def test_empty_chain() -> None:
    text = TEXT[: TEXT.index("  tahunan:")] + "  tahunan: []\n"
    err = broken(text)
    assert err.line == line_of(text, "tahunan: []") and "empty chain" in str(err)


def test_first_stage_must_be_submit() -> None:
    text = TEXT.replace("      action: submit\n", "      action: approve\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "action: approve")
    assert "chains.triwulan[0].action: the first stage must be 'submit'" in str(err)


def test_step_not_defined() -> None:
    text = TEXT.replace("      step: 8\n", "      step: 10\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "step: 10") and "step 10 is not defined" in str(err)


def test_operator_cannot_act_in_a_chain() -> None:
    text = TEXT.replace("      role: subkor\n", "      role: operator\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "role: operator") and "decides nothing" in str(err)


def test_gate_needs_a_return_path_to_an_earlier_stage() -> None:
    text = TEXT.replace("on_return: {stage: 1, role: staf, step: 4}", "on_return: {stage: 2, role: subkor, step: 4}")
    err = broken(text)
    assert err.line == line_of(text, "stage: 2, role: subkor") and "must name an earlier stage" in str(err)
    text = TEXT.replace("      on_return: {stage: 1, role: staf, step: 4}\n", "")
    err = broken(text)
    assert "needs on_return" in str(err)


def test_missing_field_and_bad_type_name_the_line() -> None:
    text = TEXT.replace("    activity_en: Recap the quarterly reports\n", "")
    err = broken(text)
    assert err.line == line_of(text, "- nomor: 2") and "steps[1].activity_en: Field required" in str(err)
    text = TEXT.replace("waktu: PT2M", "waktu: dua menit")
    err = broken(text)
    assert err.line == line_of(text, "waktu: dua menit") and "ISO-8601" in str(err)


def test_duplicate_key_is_refused() -> None:
    text = TEXT.replace("      role: subkor\n", "      role: subkor\n      role: staf\n", 1)
    err = broken(text)
    assert err.line == line_of(text, "role: subkor\n      role: staf") + 1
    assert "chains.triwulan[1].role: duplicate key" in str(err)


def test_not_a_mapping() -> None:
    err = broken("- just\n- a list\n")
    assert err.line == 1
