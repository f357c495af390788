"""A semester or annual report's rows per quarter after a correction of a quarter that was already final (the
outsider's finding: S1 showed TW I = 180 beside a headline of 645 = 195 + 450): they come from the quarter recaps
kept by the renderer, drawn from the same inputs as the report's own recap, not from the quarter's newest drawn
document (a final quarter draws no new one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from services.renderer.handlers import keep_quarter_recap, quarter_recaps
from services.renderer.models import TABLES, Document, QuarterRecap
from services.renderer.viewmodel import build_view_model
from shared.events import catalogue as ev
from shared.events.envelope import utcnow
from tests.unit.renderer.worked_example import load_pk, load_submissions, recaps

UNIT = "UPT-BLK"  # answers for IK-2.1: 180 in TW1, 450 in TW2 in the worked example


def corrected(nilai: str) -> dict[str, dict[str, Any]]:
    """The worked example's recaps after UPT-BLK resubmits TW1 with IK-2.1 = nilai."""
    fix = {"tahun": 2024, "triwulan": 1, "unit": UNIT, "realisasi": [{"indikator": "IK-2.1", "nilai": nilai}]}
    return recaps(load_pk(), [*load_submissions(), fix])


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Document.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        yield s
    engine.dispose()


def completed(periode: str, revision: int, rekap: dict[str, Any], inputs: dict[str, int], status: str):
    return ev.RekapCompleted(tahun=2024, periode=periode, revision=revision, status=status, rekap=rekap, inputs=inputs)


def final_tw1_document(rekap: dict[str, Any]) -> Document:
    return Document(
        id="2024-TW1-v1-final", draft_id="2024-TW1", jenis="triwulan", tahun=2024, periode="TW1", version=1,
        recap_revision=1, content_hash="h", status="final", sha256="{}", folder="/tmp", rekap=json.dumps(rekap),
        created_at=utcnow(),
    )  # fmt: skip


def ik21(vm: dict[str, Any]) -> tuple[list[Any], Any]:
    """IK-2.1's realisasi per quarter and the report's own realisasi of it."""
    trend = {t["kode"]: t for t in vm["trend"]}["IK-2.1"]
    row = {r["kode"]: r for r in vm["rows"]}["IK-2.1"]
    return [p["realisasi_value"] for p in trend["points"]], row["realisasi_value"]


def test_a_correction_of_a_final_quarter_reaches_the_semester_rows_per_quarter(session):
    before, after = recaps(), corrected("195")
    session.add(final_tw1_document(before["TW1"]))  # TW1 v1 signed with 180; no TW1 draft is drawn after
    keep_quarter_recap(session, completed("TW1", 1, before["TW1"], {f"1:{UNIT}": 1}, "complete"))
    keep_quarter_recap(session, completed("TW2", 1, before["TW2"], {f"2:{UNIT}": 1}, "final"))
    keep_quarter_recap(session, completed("TW1", 2, after["TW1"], {f"1:{UNIT}": 2}, "final"))  # the correction
    keep_quarter_recap(session, completed("TW1", 1, before["TW1"], {f"1:{UNIT}": 1}, "complete"))  # replayed late
    session.commit()

    quarters = quarter_recaps(session, 2024, {f"1:{UNIT}": 2, f"2:{UNIT}": 1})
    vm = build_view_model(after["S1"], pk=load_pk(), final=True, generated_on=date(2024, 7, 20), quarters=quarters)
    per_quarter, headline = ik21(vm)
    assert per_quarter == [195, 450] and sum(per_quarter) == headline == 645

    # the S1 drawn before the correction keeps rows from its own inputs: 180 + 450 = 630, as its headline says
    quarters = quarter_recaps(session, 2024, {f"1:{UNIT}": 1, f"2:{UNIT}": 1})
    vm = build_view_model(before["S1"], pk=load_pk(), final=True, generated_on=date(2024, 7, 20), quarters=quarters)
    per_quarter, headline = ik21(vm)
    assert per_quarter == [180, 450] and sum(per_quarter) == headline == 630

    # without inputs (a quarter's trend, or a document drawn before migration 0003): the newest quarter recap
    assert [q["indikator"] for q in quarter_recaps(session, 2024).values()] == [
        after["TW1"]["indikator"],
        before["TW2"]["indikator"],
    ]


def test_only_complete_recaps_of_single_quarters_are_kept(session):
    example = recaps()
    keep_quarter_recap(session, completed("TW3", 1, example["TW3"], {}, "provisional"))
    keep_quarter_recap(session, completed("S1", 1, example["S1"], {}, "complete"))
    session.commit()
    assert session.get(QuarterRecap, (2024, "TW3", 1)) is None and session.get(QuarterRecap, (2024, "S1", 1)) is None


def test_data_from_before_the_quarter_recaps_falls_back_to_the_drawn_document(session):
    example = recaps()
    session.add(final_tw1_document(example["TW1"]))
    session.commit()
    assert quarter_recaps(session, 2024, {f"1:{UNIT}": 1}) == {1: example["TW1"]}
