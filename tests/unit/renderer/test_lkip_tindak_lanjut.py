"""Issue 17: the LKIP's "Tindak Lanjut dan Pemanfaatan Informasi Kinerja" (Bab III, after the analysis per indicator)
on the worked example: each follow-up of the year with its date in the office's zone, unit, instruction, due date,
status (selesai / terbuka / terlambat as of the document's day), result and evidence count; one sentence per
off-target indicator without a follow-up; the analysis paragraph naming an indicator's follow-ups; both formats.
And the renderer's own record of follow-ups (services/renderer/tindaklanjut.py): DisposisiIssued and
DisposisiCompleted joined in either order, idempotent, read as known at a moment."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from services.renderer.models import TindakLanjutRow
from services.renderer.tindaklanjut import keep_completion, keep_issue, known_at
from services.renderer.viewmodel import build_view_model
from shared import clock
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from shared.formatting import fmt_date, fmt_number
from shared.sakip.kualitas import below_target
from tests.unit.renderer.test_quarter_recaps import session  # noqa: F401  (the fixture: the renderer's tables on SQLite)
from tests.unit.renderer.test_reports import docx_text, flat, pdf_text
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps, rendered

GENERATED_ON = date(2025, 1, 20)
OLEH = ev.Actor(id=7, nama="Rina Kabid", role="subkor")
# issued 8 July 2024 01:30 WIB = 7 July 18:30 UTC: the office's day is the 8th
ISSUED_UTC = "2024-07-07T18:30:00+00:00"
SELESAI = {"sha256": "ab" * 32, "nama": "jadwal.pdf", "media_type": "application/pdf", "size": 1000}


def record(nomor: str, indikator: list[str], **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "nomor": nomor, "tahun": 2024, "periode": "TW2", "indikator": indikator, "unit": "BID-PPTK", "dari": {},
        "kepada": {"nama": "Rina", "jabatan": "Kepala Bidang"}, "instruksi": "Revisi jadwal pelatihan",
        "hasil_diharapkan": "Jadwal gelombang IV terbit", "batas_waktu": "2024-09-30", "sumber": "rekap:2024-TW2",
        "issued_at": ISSUED_UTC, "selesai_at": None, "hasil": None, "bukti": [],
    }  # fmt: skip
    return {**base, **kw}


FOLLOW_UPS = [
    record(
        "001/TL/2024",
        ["IK-2.2"],
        selesai_at="2024-09-20T18:00:00+00:00",
        hasil="Jadwal direvisi, 2 gelombang",
        bukti=[SELESAI, {**SELESAI, "sha256": "cd" * 32}],
    ),  # fmt: skip
    record("002/TL/2024", ["IK-4.2"], unit="BID-HI", batas_waktu="2024-12-31"),  # past its due date on 20 Jan 2025
    record("003/TL/2024", ["IK-4.2", "IK-5.1"], unit=None, batas_waktu="2025-02-28"),  # still open
]


@pytest.fixture(autouse=True)
def jakarta(monkeypatch: pytest.MonkeyPatch) -> None:
    """The office's zone these dates are worked out in (WIB, UTC+7), whatever another test configured."""
    monkeypatch.setattr(clock, "_zone", clock.zone_of("Asia/Jakarta"))


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


@pytest.fixture(scope="module")
def pk() -> dict:
    return load_pk()


def lkip(example: dict, pk: dict, follow_ups: list[dict[str, Any]], locale: str = "id") -> dict:
    return build_view_model(example["TAHUNAN"], pk=pk, final=False, generated_on=GENERATED_ON, locale=locale,
                            quarters=quarter_recaps(example), tindak_lanjut=follow_ups)  # fmt: skip


def off_target(example: dict) -> list[str]:
    """The indicators under target in the year as the quality check counts them: in a quarter's recap or the annual
    one (shared.sakip.kualitas.below_target)."""
    return [b["kode"] for b in below_target(example)]


def test_each_follow_up_is_a_row_with_its_office_day_status_result_and_evidence(example, pk):
    vm = lkip(example, pk, FOLLOW_UPS)
    units = {u["kode"]: u["nama"] for u in pk["units"]}
    rows = vm["tindak_lanjut"]
    assert [r["nomor"] for r in rows] == ["001/TL/2024", "002/TL/2024", "003/TL/2024"]
    done, late, open_ = rows
    assert done["tanggal"] == "8 Juli 2024"  # 18:30 UTC on the 7th is the 8th in Jakarta
    assert done["status_kode"] == "selesai" and done["selesai"] == "21 September 2024"  # 18:00 UTC + 7 h
    assert done["status"] == "selesai (21 September 2024)"
    assert done["hasil"] == "Jadwal direvisi, 2 gelombang" and done["bukti_value"] == 2 and done["bukti"] == "2 berkas"
    assert done["unit"] == units["BID-PPTK"] and done["batas_waktu"] == "30 September 2024"
    assert done["instruksi"] == "Revisi jadwal pelatihan" and done["hasil_diharapkan"] == "Jadwal gelombang IV terbit"
    assert late["status_kode"] == "terlambat" and late["unit"] == units["BID-HI"] and late["hasil"] == "–"
    assert open_["status_kode"] == "terbuka" and open_["indikator"] == "IK-4.2, IK-5.1"
    assert open_["unit"] == "Rina, Kepala Bidang"  # no unit named: who received it
    assert open_["bukti_value"] == 0
    assert vm["tindak_lanjut_intro"].startswith(  # whenever issued: not "Sepanjang tahun 2024"
        "Atas informasi kinerja tahun 2024, pimpinan menerbitkan 3 tindak lanjut (disposisi): 1 selesai, 1 masih "
        "berjalan dan 1 melewati batas waktu."
    )


def test_the_status_is_as_of_the_documents_day(example, pk):
    """The same open follow-up is terbuka on a document dated before its due date, terlambat after it."""
    f = [record("002/TL/2024", ["IK-4.2"], batas_waktu="2024-12-31")]
    before = build_view_model(example["TAHUNAN"], pk=pk, final=False, generated_on=date(2024, 12, 31),
                              tindak_lanjut=f)  # fmt: skip
    after = build_view_model(example["TAHUNAN"], pk=pk, final=False, generated_on=date(2025, 1, 1), tindak_lanjut=f)
    assert before["tindak_lanjut"][0]["status_kode"] == "terbuka"
    assert after["tindak_lanjut"][0]["status_kode"] == "terlambat"


def test_an_off_target_indicator_without_a_follow_up_gets_one_sentence(example, pk):
    below = off_target(example)
    annual = [r["kode"] for r in example["TAHUNAN"]["indikator"] if r.get("capaian") and Decimal(r["capaian"]) < 100]
    assert set(annual) < set(below)  # quarters fell short too: the list is not only the annual recap's
    without = lkip(example, pk, [])
    assert [s.split(" ")[0] for s in without["tindak_lanjut_belum"]] == below  # exactly what the check counts
    covered = lkip(example, pk, FOLLOW_UPS)  # 001 names IK-2.2, 002/003 IK-4.2 and IK-5.1
    named = {i for f in FOLLOW_UPS for i in f["indikator"]}
    assert [s.split(" ")[0] for s in covered["tindak_lanjut_belum"]] == [k for k in below if k not in named]
    assert named & set(below) and [k for k in below if k not in named]  # the test removes some and keeps some


def test_each_sentence_names_the_periods_it_fell_short_in_and_the_latest_capaian(example, pk):
    said = dict(s.split(" ", 1) for s in lkip(example, pk, [])["tindak_lanjut_belum"])
    names = {"TW1": "Triwulan I", "TW2": "Triwulan II", "TW3": "Triwulan III", "TW4": "Triwulan IV",
             "TAHUNAN": "capaian tahunan"}  # fmt: skip
    for b in below_target(example):
        words = [names[p] for p in b["periode_semua"]]
        periods = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} dan {words[-1]}"
        latest = fmt_number(b["capaian"], 2, "id")
        assert said[b["kode"]] == f"{b['nama']} di bawah target pada {periods} (capaian terakhir {latest}%): " \
            "belum ada tindak lanjut.", b["kode"]  # fmt: skip
    assert said["IK-3.1"].endswith(" di bawah target pada Triwulan I dan Triwulan II (capaian terakhir 92,73%): "
                                   "belum ada tindak lanjut.")  # fmt: skip
    assert " pada Triwulan I, Triwulan IV dan capaian tahunan (capaian terakhir 97,56%)" in said["IK-2.2"]
    several = [b for b in below_target(example) if len(b["periode_semua"]) > 1]
    assert several and all(" dan " in said[b["kode"]] for b in several)


def test_the_annual_recap_alone_lists_its_own_below_target(example, pk):
    """An LKIP drawn without the quarters' recaps (data from before they were kept) lists the annual's only."""
    vm = build_view_model(example["TAHUNAN"], pk=pk, final=False, generated_on=GENERATED_ON, tindak_lanjut=[])
    annual = [r["kode"] for r in example["TAHUNAN"]["indikator"] if r.get("capaian") and Decimal(r["capaian"]) < 100]
    assert [s.split(" ")[0] for s in vm["tindak_lanjut_belum"]] == annual


def test_no_follow_up_is_said_in_one_sentence_and_takes_no_caption(example, pk):
    vm = lkip(example, pk, [])
    assert vm["tindak_lanjut"] == []
    assert vm["tindak_lanjut_intro"] == "Atas informasi kinerja tahun 2024 belum ada tindak lanjut (disposisi) " \
        "yang tercatat."  # fmt: skip
    assert vm["judul_tabel"]["tindak_lanjut"] == ""
    assert "tindak_lanjut" not in [c["kunci"] for c in vm["daftar_tabel"]]


def test_the_table_is_numbered_in_bab_iii_after_the_analysis(example, pk):
    without, vm = lkip(example, pk, []), lkip(example, pk, FOLLOW_UPS)
    keys, before = [c["kunci"] for c in vm["daftar_tabel"]], [c["kunci"] for c in without["daftar_tabel"]]
    at = keys.index("tindak_lanjut")
    assert keys == [*before[:at], "tindak_lanjut", *before[at:]]  # one table more, the others in their order
    assert keys[keys.index("tindak_lanjut") - 1] == "seri"  # the last table before the analysis per indicator
    seri = next(c["nomor"] for c in vm["daftar_tabel"] if c["kunci"] == "seri")
    mine = next(c for c in vm["daftar_tabel"] if c["kunci"] == "tindak_lanjut")
    assert mine["nomor"] == f"Tabel 3.{int(seri.split('.')[1]) + 1}"
    assert vm["judul_tabel"]["tindak_lanjut"] == f"{mine['nomor']} Tindak Lanjut atas Informasi Kinerja Tahun 2024"


def test_the_analysis_of_an_indicator_names_its_follow_ups(example, pk):
    vm = lkip(example, pk, FOLLOW_UPS)
    plain = {a["kode"]: a["paragraf"] for a in lkip(example, pk, [])["analisis_indikator"]}
    for a in vm["analisis_indikator"]:
        named = [f["nomor"] for f in FOLLOW_UPS if a["kode"] in f["indikator"]]
        assert all(n in a["paragraf"] for n in named)
        assert (a["paragraf"] == plain[a["kode"]]) == (not named)
    ik22 = {a["kode"]: a for a in vm["analisis_indikator"]}["IK-2.2"]["paragraf"]
    assert "001/TL/2024" in ik22 and "selesai: Jadwal direvisi, 2 gelombang" in ik22
    ik42 = {a["kode"]: a for a in vm["analisis_indikator"]}["IK-4.2"]["paragraf"]
    assert "terlambat, batas waktu 31 Desember 2024" in ik42 and "terbuka, batas waktu 28 Februari 2025" in ik42


def test_english_labels(example, pk):
    vm = lkip(example, pk, FOLLOW_UPS, locale="en")
    assert [r["status"].split(" ")[0] for r in vm["tindak_lanjut"]] == ["done", "overdue", "open"]
    assert vm["tindak_lanjut"][0]["tanggal"] == "8 July 2024"


def test_both_formats_print_the_section(example, pk):
    vm = lkip(example, pk, FOLLOW_UPS)
    files = rendered(vm)
    for text in (flat(pdf_text(files["pdf"])), flat(docx_text(files["docx"])).replace("\u2011", "-")):
        assert "Tindak Lanjut dan Pemanfaatan Informasi Kinerja" in text
        assert "IK-4.2, IK-5.1" in text  # 003's indicators, in its row
        assert vm["judul_tabel"]["tindak_lanjut"] in text
        for shown in ("001/TL/2024", "8 Juli 2024", "Jadwal direvisi, 2 gelombang", "2 berkas", "terlambat"):
            assert shown in text, shown
    none = rendered(lkip(example, pk, FOLLOW_UPS[1:]))["docx"]
    text = flat(docx_text(none))
    below = off_target(example)
    assert all(f"{k} " in text and "belum ada tindak lanjut" in text for k in below)


@pytest.mark.parametrize("follow_ups", [FOLLOW_UPS, []], ids=["with", "without"])
def test_the_pdfs_contents_list_the_section_at_its_page(example, pk, follow_ups):
    """The PDF's Daftar Isi names the section (the .docx's, built from its headings, always did) with the page it
    is printed on."""
    pages = [flat(p) for p in pdf_text(rendered(lkip(example, pk, follow_ups))["pdf"]).split("\f")]
    toc = next(p for p in pages if "DAFTAR ISI" in p.upper() and "KATA PENGANTAR" in p.upper())
    found = re.search(r"Tindak Lanjut dan Pemanfaatan Informasi Kinerja[ .]*(\d+)", toc)
    assert found, toc
    at = pages[int(found.group(1)) - 1]
    assert "Tindak Lanjut dan Pemanfaatan Informasi Kinerja Atas informasi kinerja tahun 2024" in at


# --- the renderer's record: DisposisiIssued + DisposisiCompleted ---------------------------------------------


def issued(nomor: str = "001/TL/2024", indikator: tuple[str, ...] = ("IK-2.2",)) -> ev.DisposisiIssued:
    return ev.DisposisiIssued(
        nomor=nomor, dari={"nama": "Kadis"}, kepada={"nama": "Rina"}, instruksi="Revisi jadwal pelatihan",
        batas_waktu="2024-09-30", tahun=2024, periode="TW2", indikator=list(indikator), unit="BID-PPTK",
        hasil_diharapkan="Jadwal baru", sumber="rekap:2024-TW2",
    )  # fmt: skip


def completed(nomor: str = "001/TL/2024", hasil: str = "Jadwal direvisi", at: str = "2024-09-20T03:00:00+00:00"):
    return ev.DisposisiCompleted(nomor=nomor, tahun=2024, selesai_at=at, oleh=OLEH, hasil=hasil,
                                 bukti=[ev.BuktiFile(**SELESAI)], indikator=["IK-2.2"], unit="BID-PPTK")  # fmt: skip


def apply(db: Session, type_: str, payload: Any, at: datetime) -> None:
    env = new_envelope(type_, payload, producer="approval").model_copy(update={"occurred_at": at})
    if type_ == "DisposisiIssued":
        keep_issue(db, env, payload, 2024)
    else:
        keep_completion(db, env, payload)
    db.commit()


AT = datetime(2024, 7, 7, 18, 30, tzinfo=UTC)


def test_a_completion_before_its_issue_is_kept_and_joined(session: Session) -> None:  # noqa: F811
    apply(session, "DisposisiCompleted", completed(), AT + timedelta(days=75))
    assert known_at(session, 2024) == []  # nothing to show until the issue is known
    apply(session, "DisposisiIssued", issued(), AT)
    [f] = known_at(session, 2024)
    assert f["instruksi"] == "Revisi jadwal pelatihan" and f["hasil"] == "Jadwal direvisi" and len(f["bukti"]) == 1
    assert f["issued_at"] == AT.isoformat() and f["selesai_at"] == "2024-09-20T03:00:00+00:00"


def test_redelivery_changes_nothing_and_an_older_completion_does_not_win(session: Session) -> None:  # noqa: F811
    for _ in range(2):
        apply(session, "DisposisiIssued", issued(), AT)
        apply(session, "DisposisiCompleted", completed(hasil="Baru", at="2024-09-21T03:00:00+00:00"), AT)
    apply(session, "DisposisiCompleted", completed(hasil="Lama"), AT)  # older, late
    [f] = known_at(session, 2024)
    assert f["hasil"] == "Baru" and len(f["bukti"]) == 1


def test_a_plain_disposition_is_not_a_follow_up(session: Session) -> None:  # noqa: F811
    apply(session, "DisposisiIssued", issued("009/DISP/2024", ()), AT)
    plain = completed("009/DISP/2024").model_copy(update={"indikator": []})
    apply(session, "DisposisiCompleted", plain, AT)
    assert session.get(TindakLanjutRow, "009/DISP/2024") is None and known_at(session, 2024) == []


def test_known_at_a_moment_leaves_out_what_came_later(session: Session) -> None:  # noqa: F811
    apply(session, "DisposisiIssued", issued(), AT)
    apply(session, "DisposisiIssued", issued("002/TL/2024"), AT + timedelta(days=200))
    apply(session, "DisposisiCompleted", completed(), AT)
    before_done = known_at(session, 2024, datetime(2024, 9, 1, tzinfo=UTC))
    assert [(f["nomor"], f["selesai_at"], f["hasil"]) for f in before_done] == [("001/TL/2024", None, None)]
    later = known_at(session, 2024, AT + timedelta(days=365))
    assert [f["nomor"] for f in later] == ["001/TL/2024", "002/TL/2024"] and later[0]["hasil"] == "Jadwal direvisi"
    assert fmt_date(clock.office_date(datetime.fromisoformat(later[0]["issued_at"])), "id") == "8 Juli 2024"
