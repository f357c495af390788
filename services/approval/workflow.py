"""The SOP as data: load and validate a workflow file (docs/design.md §5, `workflow.yaml` beside this module).

`load_workflow()` reads the bundled SOP PSM/DISNAKER-101; another office passes its own path. A broken file raises
`WorkflowError`, whose message names the line of each problem ("line 12: chains.semester[1].role: unknown role").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from services.approval import yamlfile
from services.approval.yamlfile import Path_
from shared.sakip import PERIODES_OF_KIND

BUNDLED = Path(__file__).with_name("workflow.yaml")
JENIS = ("triwulan", "semester", "tahunan")  # every workflow must define a chain for each kind of report
# the periods each kind of report covers in a year (what `requires` waits for)
PERIODES: dict[str, tuple[str, ...]] = PERIODES_OF_KIND


class WorkflowError(yamlfile.FileError):
    """A workflow file that cannot be used; `problems` holds (line or None, text), the first line in `line`."""

    what = "workflow"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(_Model):
    nama: str
    name_en: str
    decides: bool = True  # False for roles that watch but never act in a chain (operator)


class Keputusan(_Model):
    role: str  # who decides at this step (the diamond's lane)
    tidak: str  # the role a "Tidak" (return) goes back to


class Step(_Model):
    nomor: int
    kegiatan: str
    activity_en: str
    role: str
    inputs: list[str] = []
    outputs: list[str] = []
    waktu: timedelta  # the SOP time standard
    keputusan: Keputusan | None = None

    @field_validator("waktu", mode="before")
    @classmethod
    def _minutes(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be an ISO-8601 duration or a number of minutes")
        if isinstance(v, int | float):
            return timedelta(minutes=v)
        if isinstance(v, str) and not v.strip().upper().startswith("P"):
            raise ValueError("must be an ISO-8601 duration (PT15M, P2D) or a number of minutes")
        return v


class OnReturn(_Model):
    stage: int  # the chain stage (1-based) the draft resumes at
    role: str  # who acts next
    step: int  # the SOP step they act at
    koreksi: bool = False  # the role corrects the data with the units first: new data, new draft version


class Stage(_Model):
    stage: int  # 1-based position in the chain
    step: int
    role: str
    action: Literal["submit", "approve"]
    on_return: OnReturn | None = None


class SopInfo(_Model):
    nomor: str
    judul: str
    instansi: str = ""
    tanggal: str = ""
    kode_disposisi: str = "DISNAKER/PSM"  # the middle of a disposisi number: 001/DISNAKER/PSM/2024


class Workflow(_Model):
    sop: SopInfo
    roles: dict[str, Role]
    # per report kind, the kinds whose every report of the same year must be final before its compiler may submit
    # (SOP step 9 merges two approved semester reports: `tahunan: [semester]`)
    requires: dict[str, list[str]] = {}
    steps: list[Step]
    chains: dict[str, list[Stage]]
    signatory: dict[str, str] = {}  # report kind -> the role whose approval signs it (default: the last approver)

    def step(self, nomor: int) -> Step:
        for s in self.steps:
            if s.nomor == nomor:
                return s
        raise KeyError(nomor)

    def chain(self, jenis: str) -> list[Stage]:
        return self.chains[jenis]

    def prerequisites(self, jenis: str, tahun: int) -> list[tuple[str, int]]:
        """The (periode, tahun) of every report that must be final before a `jenis` draft may be submitted."""
        return [(p, tahun) for kind in self.requires.get(jenis, []) for p in PERIODES.get(kind, ())]

    def disposisi_steps(self, role: str) -> list[Step]:
        """The steps at which this role issues a Disposisi / Lembar Disposisi (its first is the default)."""
        return [s for s in self.steps if s.role == role and any("disposisi" in o.lower() for o in s.outputs)]

    def signatory_role(self, jenis: str) -> str | None:
        """The role that signs a report of this kind: the workflow's `signatory`, else the chain's last approver."""
        if jenis in self.signatory:
            return self.signatory[jenis]
        approvers = [st.role for st in self.chains.get(jenis, []) if st.action == "approve"]
        return approvers[-1] if approvers else None

    def role_name(self, code: str) -> str:
        role = self.roles.get(code)
        return role.nama if role else code


def load_workflow(path: str | Path | None = None) -> Workflow:
    """Load and validate a workflow file; the bundled SOP when `path` is None."""
    text, source = yamlfile.read(path, BUNDLED)
    return parse_workflow(text, source)


def parse_workflow(text: str, source: str = "<string>") -> Workflow:
    return yamlfile.parse(text, Workflow, WorkflowError, _check, source=source, shape="sop, roles, steps and chains")


def _check(wf: Workflow) -> list[tuple[Path_, str]]:
    """The rules pydantic cannot see: references between roles, steps and chains."""
    out: list[tuple[Path_, str]] = []
    roles, numbers = wf.roles, [s.nomor for s in wf.steps]

    def role(path: Path_, code: str, deciding: bool = False) -> None:
        if code not in roles:
            out.append((path, f"unknown role {code!r} (roles: {', '.join(roles)})"))
        elif deciding and not roles[code].decides:
            out.append((path, f"role {code!r} decides nothing (decides: false) and cannot act in a chain"))

    def step(path: Path_, nomor: int) -> None:
        if nomor not in numbers:
            out.append((path, f"step {nomor} is not defined in steps"))

    if not roles:
        out.append((("roles",), "no roles defined"))
    if not wf.steps:
        out.append((("steps",), "no steps defined"))
    for i, s in enumerate(wf.steps):
        if numbers.count(s.nomor) > 1 and numbers.index(s.nomor) != i:
            out.append((("steps", i, "nomor"), f"step {s.nomor} is defined twice"))
        role(("steps", i, "role"), s.role)
        if s.waktu <= timedelta(0):
            out.append((("steps", i, "waktu"), "time standard must be positive"))
        if s.keputusan:
            role(("steps", i, "keputusan", "role"), s.keputusan.role, deciding=True)
            role(("steps", i, "keputusan", "tidak"), s.keputusan.tidak)
    for jenis in JENIS:
        if jenis not in wf.chains:
            out.append((("chains",), f"missing chain for report kind {jenis!r}"))
    for jenis, code in wf.signatory.items():
        where: Path_ = ("signatory", jenis)
        if jenis not in wf.chains:
            out.append((where, f"no chain for report kind {jenis!r} (chains: {', '.join(wf.chains)})"))
        elif code not in roles:
            out.append((where, f"unknown role {code!r} (roles: {', '.join(roles)})"))
        elif not any(st.role == code and st.action == "approve" for st in wf.chains[jenis]):
            approvers = ", ".join(dict.fromkeys(st.role for st in wf.chains[jenis] if st.action == "approve"))
            out.append(
                (
                    where,
                    f"role {code!r} approves no stage of the {jenis!r} chain: a document is signed only by someone "
                    f"who approved it (approvers: {approvers or 'none'})",
                )
            )
    for jenis, chain in wf.chains.items():
        base: Path_ = ("chains", jenis)
        if not chain:
            out.append((base, "empty chain: it needs a submit stage and at least one approve stage"))
            continue
        if chain[0].action != "submit":
            out.append(((*base, 0, "action"), "the first stage must be 'submit' (the compiler's stage)"))
        if not any(st.action == "approve" for st in chain):
            out.append((base, "chain has no 'approve' stage: nobody would review the compiler's work"))
        for i, st in enumerate(chain):
            p: Path_ = (*base, i)
            if st.stage != i + 1:
                out.append(((*p, "stage"), f"stage numbers must run 1, 2, 3...: expected {i + 1}"))
            if i > 0 and st.action == "submit":
                out.append(((*p, "action"), "only the first stage may be 'submit'"))
            role((*p, "role"), st.role, deciding=True)
            step((*p, "step"), st.step)
            ret = st.on_return
            if ret is None:
                if st.action == "approve" and i > 0:
                    out.append((p, "an 'approve' stage needs on_return (where a return goes)"))
                continue
            role((*p, "on_return", "role"), ret.role, deciding=True)
            step((*p, "on_return", "step"), ret.step)
            if not 1 <= ret.stage <= i:
                out.append(((*p, "on_return", "stage"), f"must name an earlier stage (1..{i})"))
            elif not ret.koreksi and chain[ret.stage - 1].role != ret.role:
                out.append(
                    (
                        (*p, "on_return", "role"),
                        f"stage {ret.stage} is acted by {chain[ret.stage - 1].role!r}, not {ret.role!r} "
                        "(set koreksi: true if this role corrects the data before the draft resumes)",
                    )
                )
    for jenis, kinds in wf.requires.items():
        base = ("requires", jenis)
        if jenis not in PERIODES:  # a known kind without its chain is reported as the missing chain
            out.append((base, f"unknown report kind {jenis!r} (kinds: {', '.join(JENIS)})"))
        for i, kind in enumerate(kinds):
            if kind not in PERIODES:
                out.append(((*base, i), f"unknown report kind {kind!r} (kinds: {', '.join(JENIS)})"))
            elif kind == jenis:
                out.append(((*base, i), f"a report kind cannot wait for itself ({kind!r})"))
    cycle = _cycle(wf.requires)
    if cycle:
        out.append((("requires",), f"reports wait for each other in a circle: {' -> '.join(cycle)}"))
    return out


def _cycle(requires: dict[str, list[str]]) -> list[str]:
    """A circle of report kinds waiting for each other (a draft of them could never be submitted), or []."""

    def visit(kind: str, path: list[str]) -> list[str]:
        if kind in path:
            return [*path[path.index(kind) :], kind]
        for nxt in requires.get(kind, []):
            if nxt != kind and (found := visit(nxt, [*path, kind])):
                return found
        return []

    for kind in requires:
        if found := visit(kind, []):
            return found
    return []
