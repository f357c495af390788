"""SOP compliance (docs/design.md §5): per step, the time standard against the measured durations — median, worst and
the share within standard — computed from what was recorded, for one year.

How long a step took:
- a draft's steps: each transition in `DraftHistory` (submit, approve, return, koreksi_selesai) ends the step it was
  taken at, and that step's clock started at the draft's previous transition (its rendering, the decision before, or
  `siap`: the reports it waited for under the workflow's `requires` became final);
  a correction after a return (the Kepala Seksi's, or the staf's) ends when a new version supersedes the draft;
- a disposisi starts its SOP step (`langkah`) when issued and ends when the recipient marks it done; one with a due
  date (`batas_waktu`) is within standard when done by that day, as its own page says (`disposisi.late`, one rule);
- a socialisation (steps 5 and 8) starts when circulated and ends with the last recipient's read receipt.
Steps still running are not measured (the inbox shows them as due or late).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from sqlmodel import Session, col, select

from services.approval import disposisi
from services.approval.models import (
    DisposisiRow,
    DraftHistory,
    DraftRow,
    SosialisasiPenerima,
    SosialisasiRow,
)
from services.approval.workflow import Workflow
from shared.clock import as_utc

ENDS_A_STEP = ("submit", "approve", "return", "koreksi_selesai")
# `sosialisasi` / `dibaca` entries are not transitions; `siap`: the reports a draft waited for (the workflow's
# `requires`) became final, its submit step starts then
TRANSITIONS = (*ENDS_A_STEP, "rendered", "superseded", "siap")


@dataclass(frozen=True)
class Transition:
    action: str
    step: int | None
    at: datetime


def draft_samples(transitions: Sequence[Transition]) -> list[tuple[int, timedelta]]:
    """One draft's history (all versions, in order) → (step, duration) for every step that ended."""
    out: list[tuple[int, timedelta]] = []
    prev: Transition | None = None
    for t in transitions:
        if t.action not in TRANSITIONS:
            continue
        if prev is not None and t.step is not None:
            ended = t.action in ENDS_A_STEP or (t.action == "superseded" and prev.action == "return")
            if ended:
                out.append((t.step, as_utc(t.at) - as_utc(prev.at)))
        prev = t
    return out


Sample = tuple[int, timedelta] | tuple[int, timedelta, bool]  # (step, duration[, within standard as judged])


def span_samples(spans: Iterable[tuple[int | None, datetime, datetime | None]]) -> list[tuple[int, timedelta]]:
    """(step, started, ended) of dispositions and socialisations → the finished ones' durations."""
    return [(step, as_utc(end) - as_utc(start)) for step, start, end in spans if step is not None and end is not None]


def _standard(wf: Workflow, step: int) -> timedelta:
    """The step's time standard (an unknown step: no standard to miss)."""
    try:
        return wf.step(step).waktu
    except KeyError:
        return timedelta.max


def disposisi_samples(wf: Workflow, rows: Iterable[DisposisiRow]) -> list[Sample]:
    """The finished dispositions: (step, duration, within) — within as `disposisi.late` judges it (a due date when
    the issuer set one, else the step's time standard)."""
    return [
        (row.langkah, as_utc(row.selesai_at) - as_utc(row.issued_at), not disposisi.is_late(wf, row, row.selesai_at))
        for row in rows
        if row.langkah is not None and row.selesai_at is not None
    ]


class StepMeasure(TypedDict):
    """One SOP step measured: its standard (`waktu`), how many (`n`), the median and the worst duration, whether
    the worst was late, how many within standard and their share (0..1)."""

    nomor: int
    kegiatan: str
    activity_en: str
    role: str
    waktu: timedelta
    n: int
    median: timedelta | None
    worst: timedelta | None
    worst_late: bool
    within: int
    share: float | None


def measure(wf: Workflow, samples: Iterable[Sample]) -> list[StepMeasure]:
    """Per SOP step: time standard, number measured, median, worst and the share within standard (0..1). A sample
    within standard by its own rule (a disposition's due date) says so; the others are measured against the step's
    standard."""
    by_step: dict[int, list[tuple[timedelta, bool]]] = {}
    for sample in samples:
        step, duration = sample[0], sample[1]
        within = sample[2] if len(sample) == 3 else duration <= _standard(wf, step)
        by_step.setdefault(step, []).append((duration, within))
    rows: list[StepMeasure] = []
    for s in wf.steps:
        measured = sorted(by_step.get(s.nomor, []), key=lambda m: m[0])
        durations = [d for d, _ in measured]
        ok = sum(1 for _, w in measured if w)
        n = len(durations)
        rows.append(
            {
                "nomor": s.nomor,
                "kegiatan": s.kegiatan,
                "activity_en": s.activity_en,
                "role": s.role,
                "waktu": s.waktu,
                "n": n,
                "median": timedelta(seconds=statistics.median(d.total_seconds() for d in durations)) if n else None,
                "worst": durations[-1] if n else None,
                "worst_late": bool(n) and not measured[-1][1],  # the longest was outside its standard
                "within": ok,
                "share": (ok / n) if n else None,
            }
        )
    return rows


def samples_for_year(session: Session, tahun: int, wf: Workflow) -> list[Sample]:
    draft_ids = list(session.exec(select(DraftRow.id).where(DraftRow.tahun == tahun)))
    samples: list[Sample] = []
    if draft_ids:
        rows = session.exec(
            select(DraftHistory).where(col(DraftHistory.draft_id).in_(draft_ids)).order_by(col(DraftHistory.id))
        )
        per_draft: dict[str, list[Transition]] = {}
        for h in rows:
            per_draft.setdefault(h.draft_id, []).append(Transition(h.action, h.step, h.at))
        for transitions in per_draft.values():
            samples.extend(draft_samples(transitions))
    samples.extend(disposisi_samples(wf, session.exec(select(DisposisiRow).where(DisposisiRow.tahun == tahun))))
    spans: list[tuple[int | None, datetime, datetime | None]] = []
    for sos in session.exec(select(SosialisasiRow).where(SosialisasiRow.tahun == tahun)):
        reads = [r.read_at for r in session.exec(
            select(SosialisasiPenerima).where(SosialisasiPenerima.sosialisasi_id == sos.id)
        )]  # fmt: skip
        done = bool(reads) and all(r is not None for r in reads)
        spans.append((sos.langkah, sos.sent_at, max(as_utc(r) for r in reads if r) if done else None))
    samples.extend(span_samples(spans))
    return samples


def report(session: Session, wf: Workflow, tahun: int) -> list[StepMeasure]:
    return measure(wf, samples_for_year(session, tahun, wf))
