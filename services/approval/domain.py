"""The draft state machine over a loaded workflow (docs/design.md §2 and §5; docs/contract.md, Approval).

Pure: functions take a `Draft` and return a new one (frozen dataclasses, `to_dict`/`from_dict` for storage) plus a
`Decision` describing the event to publish. Refusals are `DomainError`s carrying rule, messages and HTTP status.

A draft waits (`menunggu`) at a stage of its kind's chain. Stage 0 is the compiler's `submit` (an "approve" there
submits it and records the compiler); later stages are gates. A return (`dikembalikan`) resumes at the stage the
workflow names; when that return is a `koreksi` (back to the Kepala Seksi, who corrects the data with the units),
the draft waits for a new version, or for that role to declare the correction done with an "approve".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from services.approval.workflow import Stage, Workflow
from shared.events.catalogue import Actor
from shared.sakip import PERIODE_QUARTERS, periode_label

MENUNGGU, FINAL, DIKEMBALIKAN, SUPERSEDED = "menunggu", "final", "dikembalikan", "superseded"
STATES = (MENUNGGU, FINAL, DIKEMBALIKAN, SUPERSEDED)
DecisionKind = Literal["approve", "return"]
QUARTERS: dict[str, tuple[int, ...]] = PERIODE_QUARTERS  # the quarters a period's report is made of
KOREKSI_NOTE_MIN = 15  # characters of the note that closes a correction while named units still owe data


class DomainError(Exception):
    rule = "domain_error"
    status = 400

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en


class ReasonRequired(DomainError):
    rule, status = "reason_required", 422


class InvalidDecision(DomainError):
    rule, status = "invalid_decision", 422


class NotYourTurn(DomainError):
    rule, status = "wrong_role", 403


class OwnWork(DomainError):
    rule, status = "own_work", 403


class DraftMovedOn(DomainError):
    rule, status = "draft_moved_on", 409


class OtherUnit(DomainError):
    rule, status = "other_unit", 403


class KoreksiTargetRequired(DomainError):
    """A return for correction names what to correct: the Kepala Seksi cannot correct "something"."""

    rule, status = "koreksi_target_required", 422


class WaitingForReports(DomainError):
    """The workflow's `requires`: a report merges others that are not final yet (SOP step 9)."""

    rule, status = "waiting_for_reports", 409


class KoreksiNoteRequired(DomainError):
    """A correction closed while units named in the return have not sent new data needs an explicit note."""

    rule, status = "koreksi_note_required", 422


def reports_text(waiting_for: Sequence[tuple[str, int]], lang: str) -> str:
    """ "Laporan Semester I 2024 dan Laporan Semester II 2024" / "the Semester I 2024 and Semester II 2024 reports"."""
    labels = [periode_label(p, tahun, lang) for p, tahun in waiting_for]
    if lang == "id":
        names = [f"Laporan {label}" for label in labels]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} dan {names[-1]}"
    joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    return f"the {joined} report{'s' if len(labels) > 1 else ''}"


@dataclass(frozen=True)
class Official:
    id: int | str
    role: str
    unit: str | None = None  # None: acts for the whole office
    nama: str = ""
    nip: str | None = None
    jabatan: str | None = None
    pangkat: str | None = None  # "Pembina Utama Muda": printed under the signatory's name
    golongan: str | None = None  # "IV/c"


class ChainEntry(TypedDict):
    """A decision as recorded: who (role, id, name, NIP, position, and pangkat and golongan when on file) decided
    what at which stage and SOP step, when, with which note. Per stage the last forward one of a version is the
    approval chain (`approval_chain`): who signs the lembar pengesahan."""

    stage: int
    action: str
    step: int
    role: str
    actor_id: int | str
    nama: str
    nip: str | None
    jabatan: str | None
    decided_at: str  # ISO 8601
    note: str | None
    pangkat: NotRequired[str | None]  # absent when none was on file (and in entries recorded before they were)
    golongan: NotRequired[str | None]


class HistoryEntryDoc(ChainEntry):
    """A history entry as the draft's row stores it (JSON): the decision and the version it was taken on."""

    version: int


class DraftDoc(TypedDict):
    """A draft as its row stores it (DraftRow.data, JSON)."""

    id: str
    jenis: str
    periode: str
    version: int
    stage: int
    state: str
    compiler_id: int | str | None
    koreksi_role: str | None
    tahun: int | None
    history: list[HistoryEntryDoc]
    koreksi_units: list[str]


class Rank(TypedDict, total=False):
    pangkat: str
    golongan: str


def _rank(who: HistoryEntry) -> Rank:
    """An official's pangkat and golongan, the ones on file only (an entry without them keeps its old form)."""
    out: Rank = {}
    if who.pangkat:
        out["pangkat"] = who.pangkat
    if who.golongan:
        out["golongan"] = who.golongan
    return out


class ReturnedTo(TypedDict):
    """Where a return sends the draft: the role, its SOP step and the (0-based) stage."""

    role: str
    step: int
    stage: int


@dataclass(frozen=True)
class HistoryEntry:
    action: str  # submit | approve | return | koreksi_selesai
    version: int
    stage: int  # 0-based stage index acted at
    step: int  # SOP step
    role: str
    actor_id: int | str
    nama: str
    nip: str | None
    jabatan: str | None
    decided_at: datetime
    note: str | None = None
    pangkat: str | None = None
    golongan: str | None = None

    def to_dict(self) -> HistoryEntryDoc:
        doc: HistoryEntryDoc = {
            "action": self.action, "version": self.version, "stage": self.stage, "step": self.step,
            "role": self.role, "actor_id": self.actor_id, "nama": self.nama, "nip": self.nip,
            "jabatan": self.jabatan, "decided_at": self.decided_at.isoformat(), "note": self.note,
        }  # fmt: skip
        return {**doc, **_rank(self)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HistoryEntry:
        """A stored entry (`HistoryEntryDoc`, read back from JSON)."""
        return cls(**{**d, "decided_at": datetime.fromisoformat(d["decided_at"])})


@dataclass(frozen=True)
class Draft:
    id: str
    jenis: str  # triwulan | semester | tahunan (a chain of the workflow)
    periode: str  # TW1..TW4, S1, S2, TAHUNAN
    version: int
    stage: int = 0  # 0-based index into the chain
    state: str = MENUNGGU
    compiler_id: int | str | None = None  # who did the submit stage
    koreksi_role: str | None = None  # set while a koreksi return waits for that role / a new version
    tahun: int | None = None
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)
    koreksi_units: tuple[str, ...] = ()  # the units a koreksi return named (a unit-bound corrector acts for these)

    def to_dict(self) -> DraftDoc:
        return {
            "id": self.id, "jenis": self.jenis, "periode": self.periode, "version": self.version,
            "stage": self.stage, "state": self.state, "compiler_id": self.compiler_id,
            "koreksi_role": self.koreksi_role, "tahun": self.tahun, "history": [h.to_dict() for h in self.history],
            "koreksi_units": list(self.koreksi_units),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Draft:
        """A stored draft (`DraftDoc`, read back from JSON; a row written before `koreksi_units` has none)."""
        hist = tuple(HistoryEntry.from_dict(h) for h in d.get("history", ()))
        return cls(**{**d, "history": hist, "koreksi_units": tuple(d.get("koreksi_units") or ())})


@dataclass(frozen=True)
class Decision:
    draft: Draft  # the new state
    action: str  # submit | approve | return | koreksi_selesai
    event: str | None  # DraftSubmittedForReview | DraftApproved | KoreksiRequested | None (nothing to publish)
    step: int  # SOP step the decision was taken at
    actor: Actor  # id, nama, nip, jabatan, role
    note: str | None
    final: bool = False
    chain: tuple[ChainEntry, ...] = ()  # on final: submit + approvals, in chain order
    koreksi: bool = False  # a return that needs new data from the units
    returned_to: ReturnedTo | None = None  # of a return
    units: tuple[str, ...] = ()  # a koreksi return: the units to reopen
    indikator: tuple[str, ...] = ()  # a koreksi return: the indicators to correct
    tanpa_data: tuple[str, ...] = ()  # a correction closed although these named units sent no new data


def new_draft(
    workflow: Workflow, *, id: str, jenis: str, periode: str, version: int, tahun: int | None = None
) -> Draft:
    if jenis not in workflow.chains:
        raise InvalidDecision(f"jenis laporan tidak dikenal: {jenis}", f"unknown report kind: {jenis}")
    return Draft(id=id, jenis=jenis, periode=periode, version=version, tahun=tahun)


def current_stage(workflow: Workflow, draft: Draft) -> Stage | None:
    if draft.state in (FINAL, SUPERSEDED):
        return None
    return workflow.chain(draft.jenis)[draft.stage]


def acting_role(workflow: Workflow, draft: Draft) -> str | None:
    """The role whose turn it is, or None when nobody can act (final, superseded)."""
    stage = current_stage(workflow, draft)
    if stage is None:
        return None
    return draft.koreksi_role or stage.role


def current_step(workflow: Workflow, draft: Draft) -> int | None:
    stage = current_stage(workflow, draft)
    if stage is None:
        return None
    if draft.koreksi_role:
        prev = workflow.chain(draft.jenis)[_returned_from(draft)]
        return prev.on_return.step if prev.on_return else stage.step
    return stage.step


def may_act(workflow: Workflow, draft: Draft, official: Official, waiting_for: Sequence[tuple[str, int]] = ()) -> bool:
    """May this official decide on the draft now (approve; return too where `may_return` says so)? A submit stage
    waiting for other reports to be final (`waiting_for`, the workflow's `requires`) cannot be acted on."""
    try:
        stage = _check_turn(workflow, draft, official)
    except DomainError:
        return False
    return not (waiting_for and stage.action == "submit" and not draft.koreksi_role)


def may_return(workflow: Workflow, draft: Draft, official: Official) -> bool:
    stage = current_stage(workflow, draft)
    return may_act(workflow, draft, official) and not draft.koreksi_role and bool(stage and stage.on_return)


def waits_for(workflow: Workflow, draft: Draft) -> bool:
    """Is the draft at its compiler's submit stage, where the workflow's `requires` holds it back?"""
    stage = current_stage(workflow, draft)
    return bool(stage and stage.action == "submit" and not draft.koreksi_role and workflow.requires.get(draft.jenis))


def decide(
    workflow: Workflow,
    draft: Draft,
    official: Official,
    decision: str,
    note: str | None,
    *,
    version: int | None = None,
    now: datetime,
    units: tuple[str, ...] | list[str] = (),
    indikator: tuple[str, ...] | list[str] = (),
    waiting_for: Sequence[tuple[str, int]] = (),
    owing: Sequence[str] = (),
    unit_names: Mapping[str, str] | None = None,
) -> Decision:
    """Approve (or submit, or mark a koreksi done) or return. A return with `koreksi` names the units and
    indicators to reopen; a unit-bound official (`unit` set) may only name their own unit, and names it by
    default. `waiting_for`: the (periode, tahun) of reports the workflow's `requires` still waits for (a submit is
    refused until they are final). `owing`: the units the koreksi named that have sent no new data yet (closing the
    correction then needs a note of at least KOREKSI_NOTE_MIN characters, recorded with those units). `unit_names`:
    unit code → name, for the refusal's message (the history keeps the codes)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if version is not None and version != draft.version:
        raise DraftMovedOn(
            f"versi {version} sudah tidak berlaku; draf kini versi {draft.version}",
            f"version {version} is no longer current; the draft is at version {draft.version}",
        )
    stage = _check_turn(workflow, draft, official)
    if decision not in ("approve", "return"):
        raise InvalidDecision("keputusan harus 'approve' atau 'return'", "decision must be 'approve' or 'return'")
    note = note.strip() if note and note.strip() else None
    if decision == "return" and note is None:
        raise ReasonRequired("pengembalian wajib disertai alasan", "a return needs a reason (note)")
    chain = workflow.chain(draft.jenis)
    actor = Actor(id=official.id, nama=official.nama, nip=official.nip, jabatan=official.jabatan, role=official.role)

    def entry(action: str, step: int) -> HistoryEntry:
        return HistoryEntry(
            action, draft.version, draft.stage, step, official.role, official.id,
            official.nama, official.nip, official.jabatan, now, note, official.pangkat, official.golongan,
        )  # fmt: skip

    if draft.koreksi_role:  # the corrector declares the correction done: back to the resume stage
        if decision == "return":
            raise InvalidDecision(
                "draf ini sedang menunggu koreksi data; hanya dapat dinyatakan selesai dikoreksi",
                "this draft is waiting for a data correction; it can only be marked corrected",
            )
        owed = tuple(dict.fromkeys(owing))
        if owed and (note is None or len(note) < KOREKSI_NOTE_MIN):
            names = ", ".join((unit_names or {}).get(u) or u for u in owed)
            raise KoreksiNoteRequired(
                f"Unit {names} belum mengirim data baru. Menutup koreksi tanpa data baru wajib disertai catatan "
                f"(minimal {KOREKSI_NOTE_MIN} karakter).",
                f"Unit(s) {names} have not sent new data. Closing the correction without new data needs a note "
                f"(at least {KOREKSI_NOTE_MIN} characters).",
            )
        step = current_step(workflow, draft) or stage.step
        new = replace(
            draft,
            state=MENUNGGU,
            koreksi_role=None,
            koreksi_units=(),
            history=(*draft.history, entry("koreksi_selesai", step)),
        )
        return Decision(new, "koreksi_selesai", None, step, actor, note, tanpa_data=owed)

    if decision == "return":
        ret = stage.on_return
        if ret is None:
            raise InvalidDecision("tahap ini tidak dapat dikembalikan", "this stage has no return path")
        named = tuple(dict.fromkeys(u.strip() for u in units if u and u.strip()))
        inds = tuple(dict.fromkeys(i.strip() for i in indikator if i and i.strip()))
        if official.unit:
            others = [u for u in named if u != official.unit]
            if others:
                raise OtherUnit(
                    f"Anda hanya dapat mengembalikan bagian unit {official.unit}, bukan {', '.join(others)}",
                    f"you may only return the part of unit {official.unit}, not {', '.join(others)}",
                )
            named = named or (official.unit,)
        if not ret.koreksi:
            named, inds = (), ()
        elif not named and not inds:
            raise KoreksiTargetRequired(
                "Pengembalian untuk koreksi wajib menyebut unit atau indikator yang harus diperbaiki.",
                "A return for correction must name the units or indicators to correct.",
            )
        new = replace(
            draft,
            stage=ret.stage - 1,
            state=DIKEMBALIKAN,
            koreksi_role=ret.role if ret.koreksi else None,
            koreksi_units=named,
            history=(*draft.history, entry("return", stage.step)),
        )
        to = ReturnedTo(role=ret.role, step=ret.step, stage=ret.stage - 1)
        return Decision(
            new, "return", "KoreksiRequested", stage.step, actor, note,
            koreksi=ret.koreksi, returned_to=to, units=named, indikator=inds,
        )  # fmt: skip

    if stage.action == "submit":
        if waiting_for:
            raise WaitingForReports(
                f"Draf ini belum dapat diajukan: menunggu {reports_text(waiting_for, 'id')} disetujui (final).",
                f"This draft cannot be submitted yet: it waits for {reports_text(waiting_for, 'en')} to be approved "
                "(final).",
            )
        new = replace(
            draft,
            stage=draft.stage + 1,
            state=MENUNGGU,
            compiler_id=official.id,
            history=(*draft.history, entry("submit", stage.step)),
        )
        if new.stage >= len(chain):  # a chain of one stage cannot pass validation; stay safe anyway
            new = replace(new, stage=draft.stage, state=FINAL)
        return Decision(new, "submit", "DraftSubmittedForReview", stage.step, actor, note, final=new.state == FINAL)

    history = (*draft.history, entry("approve", stage.step))
    if draft.stage + 1 >= len(chain):
        new = replace(draft, state=FINAL, history=history)
        return Decision(new, "approve", "DraftApproved", stage.step, actor, note, final=True, chain=approval_chain(new))
    new = replace(draft, stage=draft.stage + 1, state=MENUNGGU, history=history)
    return Decision(new, "approve", "DraftApproved", stage.step, actor, note)


def approval_chain(draft: Draft) -> tuple[ChainEntry, ...]:
    """Per stage, the last forward decision (submit/approve) of this version: who signs the lembar pengesahan."""
    last: dict[int, HistoryEntry] = {}
    for h in draft.history:
        if h.version == draft.version and h.action in ("submit", "approve"):
            last[h.stage] = h
    return tuple(
        ChainEntry(
            stage=h.stage,
            action=h.action,
            step=h.step,
            role=h.role,
            actor_id=h.actor_id,
            nama=h.nama,
            nip=h.nip,
            jabatan=h.jabatan,
            decided_at=h.decided_at.isoformat(),
            note=h.note,
            **_rank(h),
        )  # fmt: skip
        for _, h in sorted(last.items())
    )


def supersede(draft: Draft, new_version: int, *, new_id: str | None = None) -> tuple[Draft, Draft]:
    """A new version arrived: the old one becomes `superseded`, the new one starts its chain at stage 0."""
    if draft.state == FINAL:
        raise DraftMovedOn("draf sudah final dan tidak dapat diganti", "the draft is final and cannot be superseded")
    if draft.state == SUPERSEDED or new_version <= draft.version:
        raise DraftMovedOn(
            f"versi {new_version} bukan versi terbaru (kini {draft.version})",
            f"version {new_version} is not newer than the current version {draft.version}",
        )
    old = replace(draft, state=SUPERSEDED, koreksi_role=None, koreksi_units=())
    new = Draft(id=new_id or draft.id, jenis=draft.jenis, periode=draft.periode, version=new_version, tahun=draft.tahun)
    return old, new


def _check_turn(workflow: Workflow, draft: Draft, official: Official) -> Stage:
    if draft.state in (FINAL, SUPERSEDED):
        what = ("sudah final", "is final") if draft.state == FINAL else ("sudah diganti versi baru", "superseded")
        raise DraftMovedOn(f"draf {what[0]}", f"the draft {what[1]}")
    stage = workflow.chain(draft.jenis)[draft.stage]
    role = draft.koreksi_role or stage.role
    if official.role in workflow.roles and not workflow.roles[official.role].decides:  # e.g. the inspektorat reads
        raise NotYourTurn(
            f"{workflow.role_name(official.role)} hanya membaca draf; peran ini tidak memutuskan draf.",
            f"The {official.role!r} role only reads drafts; it never decides one.",
        )
    if official.role != role:
        raise NotYourTurn(
            f"giliran {workflow.role_name(role)}, bukan {workflow.role_name(official.role)}",
            f"it is the turn of role {role!r}, not {official.role!r}",
        )
    if draft.koreksi_role and official.unit and draft.koreksi_units and official.unit not in draft.koreksi_units:
        raise OtherUnit(
            f"koreksi ini untuk unit {', '.join(draft.koreksi_units)}, bukan {official.unit}",
            f"this correction is for unit(s) {', '.join(draft.koreksi_units)}, not {official.unit}",
        )
    if stage.action == "approve" and not draft.koreksi_role and _is_compiler(draft, official):
        raise OwnWork(
            "tidak dapat memutuskan draf yang Anda susun sendiri", "you cannot decide on a draft you compiled"
        )
    return stage


def _is_compiler(draft: Draft, official: Official) -> bool:
    if draft.compiler_id is not None and str(draft.compiler_id) == str(official.id):
        return True
    return any(
        h.action == "submit" and h.version == draft.version and str(h.actor_id) == str(official.id)
        for h in draft.history
    )


def _returned_from(draft: Draft) -> int:
    """Stage index of the last return (the gate whose on_return started the current koreksi)."""
    for h in reversed(draft.history):
        if h.action == "return":
            return h.stage
    return draft.stage
