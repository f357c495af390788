"""The self-assessment of the SAKIP evaluation (services/approval/evaluasi.py) on a real database (PostgreSQL with
LAPKIN_TEST_DATABASE_URL, else SQLite): who may answer what, the data's pre-filled answers, closing (the score and
grade computed here by hand from the worksheet's weights), the events in the outbox, and nothing changing after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from services.approval import evaluasi
from services.approval.lke import Lke, load_lke
from services.approval.models import EvaluasiJawaban, EvaluasiRow, Official
from shared.db import make_engine
from shared.errors import ApiError
from shared.messaging.outbox import OutboxMessage
from shared.migrate import upgrade
from shared.service import Runtime
from tests.integration.conftest import make_settings

ROLES = ("kepala_dinas", "sekretaris", "subkor", "staf", "kabid", "kasi", "operator", "inspektorat")


@pytest.fixture
def rt(tmp_path: Path, database_url: str | None) -> Iterator[Runtime]:
    settings = make_settings(tmp_path, database_url)
    engine = make_engine(settings, "approval")
    upgrade(engine, "approval")
    yield Runtime("approval", settings, engine)
    with Session(engine) as db:  # the module's database is shared by its tests: each starts from no evaluation
        for model in (EvaluasiJawaban, EvaluasiRow, OutboxMessage, Official):
            for row in db.exec(select(model)):
                db.delete(row)
        db.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def lke() -> Lke:
    return load_lke()


@pytest.fixture
def db(rt: Runtime) -> Iterator[Session]:
    with Session(rt.engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def people(db: Session) -> dict[str, Official]:
    out = {}
    for role in ROLES:
        o = Official(username=f"{role}.t", password_hash="x", nama=f"Pejabat {role}", role=role)
        db.add(o)
        db.commit()
        db.refresh(o)
        out[role] = o
    return out


def letters(lke: Lke, kode: str) -> list[str]:
    return [j.kode for j in lke.skala[lke.kriteria(kode).skala].jawaban]


def value(lke: Lke, kode: str, letter: str) -> Decimal:
    return next(j.nilai for j in lke.skala[lke.kriteria(kode).skala].jawaban if j.kode == letter)


def by_hand(lke: Lke, answers: dict[str, str]) -> tuple[Decimal, str, dict[str, Decimal]]:
    """Σ over sub-components of bobot × the mean value of its criteria (unanswered 0), each rounded half up to 2
    places before it is added (issue #17: every shown sum adds up); the grade: the first band whose bound the total
    exceeds, else the lowest."""
    total = Decimal(0)
    per: dict[str, Decimal] = {}
    for k in lke.komponen:
        per[k.kode] = Decimal(0)
        for s in k.sub:
            vals = [value(lke, c.kode, answers[c.kode]) if c.kode in answers else Decimal(0) for c in s.kriteria]
            per[k.kode] += (s.bobot * sum(vals) / len(vals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += per[k.kode]
    shown = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    bands = sorted(lke.predikat, key=lambda p: p.lebih_dari, reverse=True)
    grade = next((p.kode for p in bands if shown > p.lebih_dari), bands[-1].kode)
    return shown, grade, per


def outbox(db: Session, type_: str) -> list[dict[str, Any]]:
    rows = db.exec(select(OutboxMessage).where(OutboxMessage.type == type_).order_by(col(OutboxMessage.id)))
    return [json.loads(r.body)["payload"] for r in rows]


def first(lke: Lke, n: int = 1) -> list[str]:
    return [c.kode for _, _, c in lke.semua_kriteria()][:n]


def test_the_office_answers_with_a_letter_note_and_links_and_the_change_is_an_event(rt, db, lke, people):
    kode = first(lke)[0]
    letter = letters(lke, kode)[1]
    bukti = [{"judul": "Renstra 2019–2023", "tautan": "https://jdih.tangerangkota.go.id/renstra.pdf"},
             {"judul": "LKIP 2024", "tautan": "/draf/2024-TAHUNAN"}]  # fmt: skip
    evaluasi.answer(
        db, rt, lke, people["staf"], 2024, kode, {"jawaban": letter.lower(), "catatan": " ada ", "bukti": bukti}
    )
    row = db.get(EvaluasiJawaban, (2024, kode))
    assert (row.jawaban, row.catatan, json.loads(row.bukti)) == (letter, "ada", bukti)
    assert db.get(EvaluasiRow, 2024).state == "terbuka"
    [event] = outbox(db, "EvaluasiAnswered")
    assert (event["kriteria"], event["bagian"], event["nilai"], event["bukti"]) == (kode, "jawaban", letter, bukti)
    assert event["oleh"]["role"] == "staf" and event["lembar"] == lke.kode
    # the same answer again changes nothing: no event
    evaluasi.answer(db, rt, lke, people["subkor"], 2024, kode, {"jawaban": letter, "catatan": "ada", "bukti": bukti})
    assert len(outbox(db, "EvaluasiAnswered")) == 1


@pytest.mark.parametrize("role", ["kepala_dinas", "sekretaris", "subkor", "staf"])
def test_each_office_role_answers(rt, db, lke, people, role):
    kode = first(lke)[0]
    evaluasi.answer(db, rt, lke, people[role], 2024, kode, {"jawaban": letters(lke, kode)[0]})
    assert db.get(EvaluasiJawaban, (2024, kode)).updated_by == people[role].id


@pytest.mark.parametrize("role", ["kabid", "kasi", "operator"])
def test_other_roles_only_read(rt, db, lke, people, role):
    kode = first(lke)[0]
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people[role], 2024, kode, {"jawaban": letters(lke, kode)[0]})
    assert err.value.status == 403 and err.value.errors[0].rule == "wrong_role"
    with pytest.raises(ApiError) as err:
        evaluasi.close(db, rt, lke, people[role], 2024, {})
    assert err.value.status == 403
    db.rollback()
    assert db.get(EvaluasiRow, 2024) is None and outbox(db, "EvaluasiAnswered") == []


def test_the_office_never_sets_the_final_answer_and_the_inspektorat_never_the_offices(rt, db, lke, people):
    kode = first(lke)[0]
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["sekretaris"], 2024, kode, {"jawaban_akhir": letters(lke, kode)[0]})
    assert (err.value.status, err.value.errors[0].field) == (403, "jawaban_akhir")
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["inspektorat"], 2024, kode, {"jawaban": letters(lke, kode)[0]})
    assert (err.value.status, err.value.errors[0].field) == (403, "jawaban")
    with pytest.raises(ApiError) as err:
        evaluasi.close(db, rt, lke, people["kepala_dinas"], 2024, {})
    assert err.value.status == 403 and "Inspektorat" in err.value.errors[0].message_id


def test_a_letter_off_the_scale_is_refused_naming_the_field_and_the_rule(rt, db, lke, people):
    kode = first(lke)[0]
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["staf"], 2024, kode, {"jawaban": "Z"})
    e = err.value.errors[0]
    assert (err.value.status, e.field, e.rule) == (422, "jawaban", "not_on_scale")
    assert all(x in e.message_id for x in letters(lke, kode)) and "jawaban" in e.message_en
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["inspektorat"], 2024, kode, {"jawaban_akhir": "Z"})
    assert (err.value.errors[0].field, err.value.errors[0].rule) == ("jawaban_akhir", "not_on_scale")
    db.rollback()
    assert db.get(EvaluasiJawaban, (2024, kode)) is None and db.get(EvaluasiRow, 2024) is None


@pytest.mark.parametrize(
    ("bukti", "field", "rule"),
    [
        ([{"judul": "x", "tautan": "javascript:alert(1)"}], "bukti[0].tautan", "invalid_link"),
        ([{"judul": "x", "tautan": "//evil.example/a"}], "bukti[0].tautan", "invalid_link"),
        ([{"judul": "x", "tautan": "ftp://host/a"}], "bukti[0].tautan", "invalid_link"),
        ([{"judul": "", "tautan": "https://a.example"}], "bukti[0].judul", "required"),
        ([{"judul": "x" * 201, "tautan": "https://a.example"}], "bukti[0].judul", "too_long"),
        ([{"judul": "x", "tautan": "https://a.example"}] * 11, "bukti", "too_many"),
        ("https://a.example", "bukti", "not_a_list"),
    ],
)
def test_evidence_links_are_bounded_and_only_http_or_the_apps_own(rt, db, lke, people, bukti, field, rule):
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["staf"], 2024, first(lke)[0], {"bukti": bukti})
    assert err.value.status == 422
    assert (err.value.errors[0].field, err.value.errors[0].rule) == (field, rule)


def test_an_unknown_criterion_or_year(rt, db, lke, people):
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["staf"], 2024, "9.z.9", {"jawaban": "A"})
    assert (err.value.status, err.value.errors[0].field) == (404, "kriteria")
    with pytest.raises(ApiError) as err:
        evaluasi.answer(db, rt, lke, people["staf"], 1999, first(lke)[0], {"jawaban": "A"})
    assert (err.value.status, err.value.errors[0].field) == (422, "tahun")


def measured(lke: Lke) -> tuple[str, str]:
    """The first measured criterion and its check's key."""
    return next((c.kode, c.terukur) for _, _, c in lke.semua_kriteria() if c.terukur)


def test_a_measured_criterion_takes_the_answer_its_coverage_earns(lke):
    kode, kunci = measured(lke)
    scale = lke.skala[lke.kriteria(kode).skala]
    for cakupan in ("0", "44.44", "100"):
        kurang = [{"kode": "IK-1.1", "nama": "x", "alasan_id": "a", "alasan_en": "a", "tautan": "/rekap"}]
        cek = {"kunci": kunci, "judul_id": "uji", "judul_en": "test", "ada": 4, "dari": 9, "cakupan": cakupan,
               "kurang": kurang}  # fmt: skip
        earned = max((j for j in scale.jawaban if j.cakupan_min <= Decimal(cakupan)), key=lambda j: j.cakupan_min)
        data = evaluasi.prefill(lke, {kunci: cek})[kode]
        assert (data["jawaban"], data["cakupan"], data["ada"], data["dari"]) == (earned.kode, cakupan, 4, 9)
        assert data["kurang"][0]["tautan"] == "/rekap"
    assert evaluasi.prefill(lke, {kunci: {**cek, "cakupan": None, "dari": 0}})[kode]["jawaban"] is None
    assert kode not in evaluasi.prefill(lke, {})


def test_the_worksheet_shows_the_data_the_office_override_and_the_value(rt, db, lke, people):
    kode, kunci = measured(lke)
    scale = letters(lke, kode)
    checks = {kunci: {"kunci": kunci, "judul_id": "uji", "judul_en": "test", "ada": 9, "dari": 9, "cakupan": "100",
                      "kurang": []}}  # fmt: skip
    sheet = evaluasi.worksheet(db, lke, 2024, checks)
    crit = next(c for k in sheet["komponen"] for s in k["sub"] for c in s["kriteria"] if c["kode"] == kode)
    assert (crit["nilai"], crit["sumber"], crit["data"]["jawaban"]) == (scale[0], "data", scale[0])
    assert sheet["state"] == "belum_dibuka"
    evaluasi.answer(db, rt, lke, people["staf"], 2024, kode, {"jawaban": scale[-1]})  # the office overrides
    sheet = evaluasi.worksheet(db, lke, 2024, checks)
    crit = next(c for k in sheet["komponen"] for s in k["sub"] for c in s["kriteria"] if c["kode"] == kode)
    assert (crit["nilai"], crit["sumber"], crit["data"]["jawaban"], crit["jawaban"]) == (
        scale[-1], "kantor", scale[0], scale[-1])  # fmt: skip


def test_closing_scores_final_else_office_else_data_answers_and_keeps_them(rt, db, lke, people):
    codes = [c.kode for _, _, c in lke.semua_kriteria()]
    kode_m, kunci = measured(lke)
    checks = {kunci: {"kunci": kunci, "judul_id": "uji", "judul_en": "test", "ada": 4, "dari": 9, "cakupan": "44.44",
                      "kurang": []}}  # fmt: skip
    expected: dict[str, str] = {}
    for i, kode in enumerate(
        codes
    ):  # the office answers two of every three criteria, the measured one left to the data
        if kode == kode_m or i % 3 == 2:
            continue
        letter = letters(lke, kode)[i % 2]
        evaluasi.answer(db, rt, lke, people["subkor"], 2024, kode, {"jawaban": letter})
        expected[kode] = letter
    data = evaluasi.prefill(lke, checks)  # every criterion the same check measures takes its answer
    assert data[kode_m]["jawaban"]
    for kode, d in data.items():
        expected.setdefault(kode, d["jawaban"] or "")
    final = codes[:3]  # the inspektorat comments and sets the final answer of the first three
    for kode in final:
        last = letters(lke, kode)[-1]
        evaluasi.answer(
            db, rt, lke, people["inspektorat"], 2024, kode, {"komentar": "Bukti kurang.", "jawaban_akhir": last}
        )
        expected[kode] = last
    nilai, grade, per = by_hand(lke, {k: v for k, v in expected.items() if v})
    row = evaluasi.close(db, rt, lke, people["inspektorat"], 2024, checks)
    assert (Decimal(row.nilai), row.predikat, row.state) == (nilai, grade, "ditutup")
    kept = json.loads(row.rincian)
    assert {k: Decimal(v) for k, v in kept.items()} == {
        k: v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for k, v in per.items()
    }
    [closed] = outbox(db, "EvaluasiClosed")
    assert (Decimal(closed["nilai"]), closed["predikat"], closed["oleh"]["role"]) == (nilai, grade, "inspektorat")
    answered = outbox(db, "EvaluasiAnswered")
    assert sum(e["bagian"] == "jawaban_akhir" for e in answered) == 3
    assert sum(e["bagian"] == "komentar" for e in answered) == 3
    # the trend keeps it; nothing changes after
    [year] = evaluasi.years(db)
    assert (year["tahun"], Decimal(year["nilai"]), year["predikat"]) == (2024, nilai, grade)
    for who, body in ((people["staf"], {"jawaban": letters(lke, codes[0])[0]}),
                      (people["inspektorat"], {"komentar": "lagi"})):  # fmt: skip
        with pytest.raises(ApiError) as err:
            evaluasi.answer(db, rt, lke, who, 2024, codes[0], body)
        assert err.value.status == 409 and "ditutup" in err.value.errors[0].message_id
        db.rollback()
    with pytest.raises(ApiError) as err:
        evaluasi.close(db, rt, lke, people["inspektorat"], 2024, checks)
    assert err.value.status == 409
    db.rollback()
    assert len(outbox(db, "EvaluasiClosed")) == 1
    assert evaluasi.worksheet(db, lke, 2024, {})["nilai"] == row.nilai  # the kept score, whatever the data says now
