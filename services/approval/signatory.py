"""Who signs a final report (SOP "Disahkan oleh …"): the workflow file's `signatory` role for its kind, and of the
officials who approved this version in the system, the one who approved in that role. The DraftApproved event's
`chain` carries it (`signatory: true`, with nama, NIP, jabatan and `tanggal`, the day in the office's zone), so the
renderer prints the signature block from what was approved, never from a profile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NotRequired

from services.approval.domain import ChainEntry
from services.approval.workflow import Workflow
from shared import clock


class SignedEntry(ChainEntry):
    """A chain entry as DraftApproved carries it: with the role's name, the day in the office's zone (`tanggal`)
    and, on the signatory's entry, `signatory: true`."""

    role_nama: str
    tanggal: NotRequired[str]
    signatory: NotRequired[bool]


def signed_chain(wf: Workflow, jenis: str, chain: Iterable[ChainEntry]) -> list[SignedEntry]:
    """The approval chain with every entry's role name and office-zone day, the signatory marked."""
    out: list[SignedEntry] = []
    for entry in chain:
        e = SignedEntry(**entry, role_nama=wf.role_name(str(entry.get("role") or "")))
        decided = e.get("decided_at")
        if isinstance(decided, str) and decided:
            e["tanggal"] = clock.office_date(datetime.fromisoformat(decided)).isoformat()
        out.append(e)
    role = wf.signatory_role(jenis)
    signer = next((e for e in reversed(out) if e.get("role") == role and e.get("action") == "approve"), None)
    if signer is not None:
        signer["signatory"] = True
    return out


def signatory_of(chain: list[SignedEntry]) -> SignedEntry | None:
    return next((e for e in chain if e.get("signatory")), None)
