"""What every presenter needs: who reads (their language, the workflow's role and step names, the time of the
request) and the small formatting rules the cards share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from services.approval import domain
from services.approval.models import Official
from services.approval.web.i18n import fmt_duration, t
from services.approval.workflow import Step, Workflow
from shared.clock import as_utc
from shared.formatting import MISSING


def role_label(wf: Workflow, code: str | None, lang: str) -> str:
    """A role by its name in the reader's language (its code when the workflow has no such role)."""
    if not code:
        return MISSING
    role = wf.roles.get(code)
    if role is None:
        return code
    return role.nama if lang == "id" else role.name_en


@dataclass(frozen=True)
class Reader:
    """Who a page is for: the language, the workflow it names roles and steps by, and the time it is built at."""

    wf: Workflow
    lang: str
    now: datetime

    def role(self, code: str | None) -> str:
        return role_label(self.wf, code, self.lang)

    def t(self, key: str) -> str:
        return t(key, self.lang)


def reader(wf: Workflow, lang: str, now: datetime | None = None) -> Reader:
    return Reader(wf, lang, now or datetime.now(UTC))


def as_actor(official: Official) -> domain.Official:
    """The logged-in official as the domain's actor."""
    assert official.id is not None
    return domain.Official(
        id=official.id,
        role=official.role,
        unit=official.unit,
        nama=official.nama,
        nip=official.nip,
        jabatan=official.jabatan,
        pangkat=official.pangkat or None,
        golongan=official.golongan or None,
    )


def step_label(step: Step | None, lang: str) -> str:
    return f"{step.nomor}. {step.kegiatan if lang == 'id' else step.activity_en}" if step else MISSING


class Clock(TypedDict):
    """How long a step has run against its SOP time standard, as a card shows it."""

    step_label: str
    waited: str
    standard: str | None
    late: bool


def clock(wf: Workflow, step_no: int | None, started: datetime, now: datetime, lang: str) -> Clock:
    """How long a step has run against its SOP time standard."""
    try:
        step = wf.step(step_no) if step_no else None
    except KeyError:
        step = None
    waited = now - as_utc(started)
    return {
        "step_label": step_label(step, lang),
        "waited": fmt_duration(waited, lang),
        "standard": fmt_duration(step.waktu, lang) if step else None,
        "late": bool(step and waited > step.waktu),
    }
