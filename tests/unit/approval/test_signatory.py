"""Issue 13 item 9: the annual LKIP ends with the Kepala Dinas's approval after the Sekretaris's gate, and the
DraftApproved chain names the signatory the workflow file gives each kind (the renderer prints only that official)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.approval.domain import DIKEMBALIKAN, FINAL, MENUNGGU, Official, acting_role, decide, new_draft
from services.approval.signatory import signatory_of, signed_chain
from services.approval.workflow import load_workflow

T0 = datetime(2025, 1, 20, 16, 0, tzinfo=UTC)  # 23:00 WIB; the Kepala Dinas decides an hour later: 21 January WIB
STAF = Official(1, "staf", nama="Rina Staf", nip="199001012015022001", jabatan="Staf Penyusun")
KABID = Official(4, "kabid", nama="Agus Kabid", nip="197804042005011004", jabatan="Kepala Bidang")
SEKDIS = Official(6, "sekretaris", nama="Hadi Sekdis", nip="197006062000031006", jabatan="Sekretaris Dinas")
KADIS = Official(8, "kepala_dinas", nama="Dr. Ujang", nip="197205022002121009", jabatan="Kepala Dinas",
                 pangkat="Pembina Utama Muda", golongan="IV/c")  # fmt: skip


def test_the_annual_report_waits_for_the_kepala_dinas_who_signs_it():
    wf = load_workflow()
    draft = new_draft(wf, id="2024-TAHUNAN", jenis="tahunan", periode="TAHUNAN", version=1, tahun=2024)
    for i, who in enumerate((STAF, KABID, SEKDIS)):
        d = decide(wf, draft, who, "approve", None, now=T0 + timedelta(minutes=i))
        draft = d.draft
    assert (draft.state, acting_role(wf, draft), d.final) == (MENUNGGU, "kepala_dinas", False)

    back = decide(wf, draft, KADIS, "return", "Analisis Bab III belum lengkap", now=T0)
    assert (back.draft.state, acting_role(wf, back.draft), back.returned_to) == (
        DIKEMBALIKAN, "sekretaris", {"role": "sekretaris", "step": 8, "stage": 2}
    )  # fmt: skip
    again = decide(wf, back.draft, SEKDIS, "approve", None, now=T0)
    final = decide(wf, again.draft, KADIS, "approve", "Disahkan", now=T0 + timedelta(hours=1))
    assert final.final and final.draft.state == FINAL and final.event == "DraftApproved"
    chain = signed_chain(wf, "tahunan", final.chain)
    assert [c["role"] for c in chain] == ["staf", "kabid", "sekretaris", "kepala_dinas"]
    signer = signatory_of(chain)
    assert signer is not None and (signer["nama"], signer["nip"], signer["jabatan"]) == (
        "Dr. Ujang", "197205022002121009", "Kepala Dinas"
    )  # fmt: skip
    assert signer["tanggal"] == "2025-01-21"  # 00:00 WIB on 21 January, not the UTC 20th
    # issue 15 item 8: the chain carries the signatory's pangkat and golongan for the signature block
    assert (signer.get("pangkat"), signer.get("golongan")) == ("Pembina Utama Muda", "IV/c")
    assert "pangkat" not in chain[1] and "golongan" not in chain[1]  # none on file: the entry as before


def test_the_semester_report_stays_signed_by_the_sekretaris():
    wf = load_workflow()
    draft = new_draft(wf, id="2024-S1", jenis="semester", periode="S1", version=1, tahun=2024)
    for who in (STAF, KABID, SEKDIS):
        d = decide(wf, draft, who, "approve", None, now=T0)
        draft = d.draft
    assert d.final
    assert signatory_of(signed_chain(wf, "semester", d.chain))["nama"] == "Hadi Sekdis"  # type: ignore[index]
