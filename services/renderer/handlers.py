"""The renderer's event handlers (SOP steps 3–4, 7, 9): draft documents for a complete recap, final ones
once approved, each in .docx, .pdf and .xlsx from one view-model.

A draft takes seconds and only the newest recap of a period matters: the handler keeps a complete recap as the
period's pending draft (replacing an older one), and one drawer per process draws pending drafts, newest recap
only, once the period's recap has been unchanged for LAPKIN_DRAFT_SETTLE_MS (a commit wakes it; it looks at least
every DRAWER_TICK_S). A burst of recap revisions thus costs one draft, not one each (docs/benchmarks.md). While the
aggregator says reports are still arriving (RekapCompleted.more_expected: it recomputes about once per recap window
during a burst) the recap must stay unchanged for LAPKIN_DRAFT_BURST_SETTLE_MS instead, so a long burst is not drawn
once per window; and a draft that has waited LAPKIN_DRAFT_SETTLE_MAX_MS is drawn however often its recap changes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from opentelemetry.trace import SpanKind
from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from services.renderer import documents
from services.renderer.documents.drawer import PdfDrawer, pdf_drawer
from services.renderer.documents.seal import Seal
from services.renderer.models import FILES, Document, PendingDraft, QuarterRecap, RenPk
from services.renderer.tindaklanjut import keep_completion, keep_issue, known_at
from services.renderer.viewmodel import build_view_model, jenis_of
from services.renderer.viewtypes import ViewModel
from shared import clock
from shared.config import Settings
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, utcnow
from shared.messaging.outbox import ProcessedEvent
from shared.messaging.streams import Handler, consumer_name
from shared.private import write_private
from shared.sakip import JsonObject
from shared.sakip.document import PkDoc, RekapDoc, content_hash, rekap_doc
from shared.service import Runtime
from shared.signing import office_credential
from shared.storage import FileStore, open_store, store_unavailable
from shared.tracing import event_span

log = logging.getLogger("lapkin.renderer")
DRAWER_TICK_S = 1.0  # the drawer looks for pending drafts at least this often (a commit wakes it sooner)
CLAIM_S = timedelta(minutes=5)  # a drawer that crashed mid-draw holds its claim this long
STORE_RETRY_S, STORE_RETRY_MAX_S = 1.0, 30.0  # the file store away: the draft is tried again after 1, 2, 4 … 30 s
PENDING = PendingDraft.__table__  # type: ignore[attr-defined]

FORMATS = ("docx", "pdf", "xlsx")
__all__ = ["DraftDrawer", "draw_pending", "jenis_of", "make_handlers", "render_files", "start"]


def latest_document(session: Session, draft_id: str) -> Document | None:
    query = select(Document).where(Document.draft_id == draft_id).order_by(col(Document.version).desc())
    return session.exec(query.limit(1)).first()


def files(rt: Runtime) -> FileStore:
    """The renderer's file store (shared/storage.py; one per process, made when the app is built). With the local
    store a document's files stay in its own folder (`Document.folder`, data_dir/documents/<tahun>/<periode>/v<N>),
    where operators have always found them; with a shared one they are put there, content-addressed, and the folder
    is only the document's name for them."""
    store = rt.state.get("files")
    if store is None:
        local = rt.settings.documents_dir / "by-sha"  # read only: files kept before a switch are in their folders
        store = rt.state["files"] = open_store(rt.settings, rt.engine, FILES, local)
    return store  # type: ignore[no-any-return]


def _write(target: Path, data: bytes, store: FileStore | None = None) -> str:
    """Keep one file of a document: in the shared store when there is one, else at `target` (its folder)."""
    if store is not None and store.shared:
        return store.put(data)
    write_private(target, data)  # the owner's only (0600), like every file of the data folder (docs/storage.md)
    return hashlib.sha256(data).hexdigest()


def pdf_drawer_of(rt: Runtime) -> PdfDrawer | None:
    """The process's PDF drawing process (documents/drawer.py), unless settings `draw_pdf_apart` is off."""
    return pdf_drawer() if rt.settings.draw_pdf_apart else None


def render_files(
    folder: Path,
    vm: ViewModel,
    template_dir: Path | None = None,
    stem: str = "laporan",
    seal: Seal | None = None,
    store: FileStore | None = None,
    drawer: PdfDrawer | None = None,
) -> dict[str, str]:
    """Write the three formats (the office's own .docx template from `template_dir` if it has one; a final's PDF
    sealed: QR code and signature, documents/seal.py) to `folder`, or to `store` when it is shared; returns
    {format: sha256} of the bytes written (the signed PDF's)."""
    rendered = documents.render_all(vm, template_dir=template_dir, seal=seal, drawer=drawer)
    return {fmt: _write(folder / f"{stem}.{fmt}", rendered[fmt], store) for fmt in FORMATS}


def quarter_recaps(session: Session, tahun: int, inputs: dict[str, int] | None = None) -> dict[int, RekapDoc]:
    """The recap of each single quarter, for the rows per quarter of a report (a semester or annual recap only
    carries the period's totals): for a quarter the report's recap was computed from (`inputs`, its
    RekapCompleted.inputs such as {"1:BID-A": 2}), the newest recap of that quarter drawn from the very same inputs,
    so the rows add up to the report's own figures; otherwise the newest complete recap of the quarter. Not the
    quarter's drawn document: once a quarter is final no new draft of it is drawn, and a correction made through a
    semester's return would be missing. Data from before migration 0003 has no quarter recaps: the newest drawn
    document of the quarter then."""
    out: dict[int, RekapDoc] = {}
    for q in (1, 2, 3, 4):
        periode = f"TW{q}"
        want = {k: v for k, v in (inputs or {}).items() if k.split(":", 1)[0] == str(q)}
        query = (
            select(QuarterRecap.revision, QuarterRecap.inputs)
            .where(QuarterRecap.tahun == tahun, QuarterRecap.periode == periode)
            .order_by(col(QuarterRecap.revision).desc())
        )  # the bodies only of the one chosen
        rows = list(session.exec(query))
        chosen = next((r for r, i in rows if want and json.loads(i) == want), rows[0][0] if rows else None)
        if chosen is not None and (kept := session.get(QuarterRecap, (tahun, periode, chosen))) is not None:
            out[q] = json.loads(kept.body)
        elif (doc := latest_document(session, f"{tahun}-{periode}")) is not None:
            out[q] = json.loads(doc.rekap)
    return out


def keep_quarter_recap(session: Session, p: ev.RekapCompleted) -> None:
    """Keep a complete or final recap of a single quarter (whatever its draft's state: a final quarter draws no new
    draft, yet a correction through a semester's return gives it a new revision). Every revision is kept, keyed by
    its number: a replay changes nothing, an older one arriving late is only ever chosen for the inputs it was
    computed from."""
    if not p.periode.startswith("TW") or p.status not in ("complete", "final"):
        return
    if session.get(QuarterRecap, (p.tahun, p.periode, p.revision)) is not None:
        return
    session.add(
        QuarterRecap(
            tahun=p.tahun,
            periode=p.periode,
            revision=p.revision,
            body=json.dumps(p.rekap.document()),
            inputs=json.dumps(p.inputs, sort_keys=True),
        )
    )


def load_profil(template_dir: Path) -> JsonObject | None:
    """The office's own Bab I / IV text block (templates/profil.json under the data dir), if it has one: a JSON
    object as the office wrote it (per locale, or flat; viewmodel._profil reads it)."""
    path = template_dir / "profil.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


def _generated_on(value: datetime | None) -> date:
    """The office's calendar day of the event (shared/clock.py): an approval at 23:30 UTC is the next day in WIB."""
    return clock.office_date(value)


@dataclass(frozen=True)
class DraftPlan:
    """What drawing the next version of a draft needs, decided before the (slow) drawing."""

    draft_id: str
    version: int
    digest: str
    folder: Path
    vm: ViewModel


def report_view_model(
    rt: Runtime,
    session: Session,
    rekap: RekapDoc,
    tahun: int,
    inputs: dict[str, int] | None,
    known: datetime | None = None,
    **kw: Any,
) -> ViewModel:
    """The view-model of a report: the recap with the year's PK, the single quarters' recaps and the office profile;
    an LKIP also with the year's follow-ups known at `known` (None: now; tindaklanjut.known_at)."""
    template_dir = rt.settings.data_dir / "templates"
    pk_row = session.get(RenPk, tahun)
    pk: PkDoc | None = json.loads(pk_row.body) if pk_row else None
    annual = jenis_of(str(rekap["periode"])) == "tahunan"
    return build_view_model(
        rekap,
        pk=pk,
        locale=rt.settings.locale,
        quarters=quarter_recaps(session, tahun, inputs),
        profil=load_profil(template_dir),
        tindak_lanjut=known_at(session, tahun, known) if annual else (),
        **kw,
    )


def verification_url(settings: Settings, path: str) -> str:
    """The public address of a verification page (`/verifikasi/...`, served by the approval service):
    `public_base_url`, else the approval service's own address."""
    return (settings.public_base_url or settings.base_url("approval")).rstrip("/") + path


def final_seal(rt: Runtime, document_id: str, approved_at: datetime | None, city: str | None = None) -> Seal:
    """A final's seal: the link to its public verification page and the office's credential (None when no
    certificate is configured: the final stays unsigned and says so; one configured but unreadable raises, so the
    approval is retried rather than published unsigned). Signed at the approval's moment, in the office's zone."""
    moment = clock.to_office(approved_at or utcnow())
    url = verification_url(rt.settings, f"/verifikasi/dokumen/{quote(document_id, safe='')}")
    return Seal(url=url, credential=office_credential(rt.settings), signing_time=moment, location=city)


def make_handlers(rt: Runtime) -> dict[str, Handler]:
    root = rt.settings.documents_dir
    template_dir = rt.settings.data_dir / "templates"

    def on_pk_published(session: Session, env: Envelope, p: ev.PerjanjianKinerjaPublished) -> None:
        row = session.get(RenPk, p.tahun)
        if row is not None and row.version >= p.version:
            return
        row = row or RenPk(tahun=p.tahun, version=p.version, body="")
        row.version, row.body = p.version, json.dumps(p.pk.document())
        session.add(row)

    def on_rekap_completed(session: Session, env: Envelope, p: ev.RekapCompleted) -> None:
        """A draft only for a complete recap; a semester or the year only once its quarters are final. The drawer
        draws it (module docstring). Every complete recap of a single quarter is kept for the semester and annual
        reports' rows per quarter (keep_quarter_recap)."""
        keep_quarter_recap(session, p)
        if p.status != "complete" or p.rekap.quarters_final is False:
            return
        draft_id = f"{p.tahun}-{p.periode}"
        pending = session.get(PendingDraft, draft_id)
        if pending is not None and pending.revision >= p.revision:
            return  # a newer recap of the period is already waiting to be drawn
        drawn = latest_document(session, draft_id)
        if drawn is not None and drawn.recap_revision >= p.revision:
            return  # drawn from this or a newer recap already (a replayed or re-published older one arriving late)
        now = utcnow()
        pending = pending or PendingDraft(draft_id=draft_id, revision=p.revision, event="", waiting_since=now)
        pending.revision, pending.event, pending.marked_at = p.revision, env.model_dump_json(), now
        pending.more_expected = p.more_expected
        pending.failures = 0
        session.add(pending)

    def on_draft_approved(session: Session, env: Envelope, p: ev.DraftApproved) -> None:
        """The final approval: publish the signed documents, immutable, with their SHA-256."""
        if not p.final:
            return
        draft = session.get(Document, f"{p.draft_id}-v{p.version}")
        final_id = f"{p.draft_id}-v{p.version}-final"
        if draft is None or session.get(Document, final_id) is not None:
            return
        vm = report_view_model(
            rt,
            session,
            json.loads(draft.rekap),
            draft.tahun,
            json.loads(draft.inputs) if draft.inputs else None,
            known=env.occurred_at,  # the follow-ups known at the approval
            final=True,
            generated_on=_generated_on(env.occurred_at),
            version=draft.version,
            approvals=p.chain,
        )
        folder = Path(draft.folder) / "final"
        seal = final_seal(rt, final_id, env.occurred_at)
        hashes = render_files(folder, vm, template_dir, seal=seal, store=files(rt), drawer=pdf_drawer_of(rt))
        session.add(
            Document(
                id=final_id,
                draft_id=draft.draft_id,
                jenis=draft.jenis,
                tahun=draft.tahun,
                periode=draft.periode,
                version=draft.version,
                recap_revision=draft.recap_revision,
                content_hash=draft.content_hash,
                status="final",
                sha256=json.dumps(hashes),
                folder=str(folder),
                rekap=draft.rekap,
                inputs=draft.inputs,
                approvals=json.dumps(p.chain),
            )
        )
        rt.emit(
            session,
            "DocumentPublished",
            ev.DocumentPublished(
                document_id=final_id,
                draft_id=draft.draft_id,
                jenis=draft.jenis,
                tahun=draft.tahun,
                periode=draft.periode,
                version=draft.version,
                recap_revision=draft.recap_revision,
                files=hashes,
            ),
            causation=env,
        )

    def on_disposisi_issued(session: Session, env: Envelope, p: ev.DisposisiIssued) -> None:
        """A Lembar Disposisi (.pdf and .docx) for every disposition, stored as a document of jenis disposisi;
        the same disposition again (same number and content) renders nothing new. A follow-up (one naming
        indicators) is also kept for the LKIP (tindaklanjut.keep_issue)."""
        keep_issue(session, env, p, p.tahun or clock.office_date(env.occurred_at).year)
        payload = p.model_dump(mode="json")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in p.nomor)  # ids and folders: no "/"
        draft_id = f"disposisi-{safe}"
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        last = latest_document(session, draft_id)
        if last is not None and last.content_hash == digest:
            return
        version = (last.version + 1) if last else 1
        tahun = p.tahun or clock.office_date(env.occurred_at).year
        pk_row = session.get(RenPk, tahun) or session.exec(select(RenPk).order_by(col(RenPk.tahun).desc())).first()
        pk = json.loads(pk_row.body) if pk_row else {}
        issued = _generated_on(env.occurred_at)
        data = {**payload, "tanggal": issued, "instansi": pk.get("instansi", {}).get("nama", "")}
        profil = load_profil(template_dir)
        if profil:
            data["profil"] = profil.get(rt.settings.locale) or profil.get("id") or profil
        rendered = documents.render_disposisi(data, locale=rt.settings.locale, template_dir=template_dir)
        folder = root / "disposisi" / str(tahun) / safe / f"v{version}"
        store = files(rt)
        hashes = {fmt: _write(folder / f"disposisi.{fmt}", body, store) for fmt, body in sorted(rendered.items())}
        session.add(
            Document(
                id=f"{draft_id}-v{version}",
                draft_id=draft_id,
                jenis="disposisi",
                tahun=tahun,
                periode=p.periode or "",
                version=version,
                recap_revision=0,
                content_hash=digest,
                status="final",
                sha256=json.dumps(hashes),
                folder=str(folder),
                rekap=json.dumps(payload),
            )
        )

    def on_disposisi_completed(session: Session, env: Envelope, p: ev.DisposisiCompleted) -> None:
        """What came of a follow-up, for the LKIP (tindaklanjut.keep_completion); a plain disposition's is ignored."""
        keep_completion(session, env, p)

    return {
        "PerjanjianKinerjaPublished": on_pk_published,
        "RekapCompleted": on_rekap_completed,
        "DraftApproved": on_draft_approved,
        "DisposisiIssued": on_disposisi_issued,
        "DisposisiCompleted": on_disposisi_completed,
    }


class DraftDrawer:
    """Draws the pending drafts (module docstring): claims one (a lease, so replicas share the work), draws it with
    no transaction open, records the new version and emits DraftRendered; counts a failed render and gives the
    event up after max_deliveries. A render that failed because the file store (or the database) is away is not a
    failure of the draft: it stays pending, uncounted, and is tried again after a back-off (`store_away`), however
    long the outage lasts; a draft given up while a newer recap waits would let the officials approve the old one.
    One runs per process (`start`); a test calls `draw_pending`. `clock`: monotonic seconds (the back-off's)."""

    def __init__(self, rt: Runtime, clock: Callable[[], float] = time.monotonic) -> None:
        self.rt = rt
        self.root = rt.settings.documents_dir
        self.template_dir = rt.settings.data_dir / "templates"
        self.name = consumer_name(rt.settings, rt.service)
        self.clock = clock
        self.outages: dict[str, tuple[int, float]] = {}  # draft id -> (attempts the store was away, next try at)

    def pending_drafts(self, settle: timedelta = timedelta(0)) -> list[str]:
        """The pending drafts whose recap has been unchanged for `settle` (marked_at is set by each new one) — for
        `draft_burst_settle_ms` when the aggregator said more reports were arriving (a burst is drawn once, after it)
        — or that have waited `draft_settle_max_ms` since they first did, however often their recap changed."""
        query = select(PendingDraft.draft_id).order_by(col(PendingDraft.marked_at))
        if settle > timedelta(0):
            now, s = utcnow(), self.rt.settings
            burst = max(settle, timedelta(milliseconds=s.draft_burst_settle_ms))
            since = func.coalesce(col(PendingDraft.waiting_since), col(PendingDraft.marked_at))
            settled = or_(
                and_(col(PendingDraft.more_expected).is_(False), col(PendingDraft.marked_at) <= now - settle),
                col(PendingDraft.marked_at) <= now - burst,
            )
            if s.draft_settle_max_ms > 0:  # never before a burst's own settle time
                longest = max(burst, timedelta(milliseconds=s.draft_settle_max_ms))
                settled = or_(settled, since <= now - longest)
            query = query.where(settled)
        with Session(self.rt.read_engine or self.rt.engine) as session:
            return list(session.exec(query))

    def settling(self) -> bool:
        """Whether a pending draft waits for its recap to settle (the drawer then looks again after the settle
        time rather than DRAWER_TICK_S)."""
        with Session(self.rt.read_engine or self.rt.engine) as session:
            return session.exec(select(PendingDraft.draft_id).limit(1)).first() is not None

    def claim(self, draft_id: str) -> bool:
        """Take the pending draft for this drawer, unless another drawer (a replica) holds it (lease: CLAIM_S)."""
        now = utcnow()
        taken = (
            update(PENDING)
            .where(PENDING.c.draft_id == draft_id)
            .where(
                or_(
                    PENDING.c.claimed_at.is_(None),
                    PENDING.c.claimed_at < now - CLAIM_S,
                    PENDING.c.claimed_by == self.name,
                )
            )
            .values(claimed_by=self.name, claimed_at=now)
        )
        with Session(self.rt.engine) as session:
            won = session.connection().execute(taken).rowcount == 1
            session.commit()
        return won

    def release_claims(self) -> int:
        """Give back this drawer's claims (a clean stop, perhaps in the middle of a draw) and those of drawers that
        ran on this machine under a process that is gone (a crash): the next drawer takes them now, not after
        CLAIM_S (a restarted renderer left a period's draft out of date for five minutes). A replica elsewhere that
        crashed still holds its claim until CLAIM_S. Drawing a claim twice is harmless: a version is recorded once."""
        with Session(self.rt.engine) as session:
            held = session.exec(select(PendingDraft.claimed_by).where(col(PendingDraft.claimed_by).is_not(None)))
            here = f"{self.rt.service}-{socket.gethostname()}"  # the default names (`consumer_name`) of this machine
            gone = [name for name in set(held) if name and (name == self.name or _local_process_gone(name, here))]
            if not gone:
                return 0
            freed = session.connection().execute(
                update(PENDING).where(PENDING.c.claimed_by.in_(gone)).values(claimed_by=None, claimed_at=None)
            )
            session.commit()
        return int(freed.rowcount or 0)

    def plan_draft(self, session: Session, env: Envelope, p: ev.RekapCompleted) -> DraftPlan | None:
        """The next version of the period's draft and its view-model; None when the newest one already shows this
        content, or the period is final."""
        draft_id = f"{p.tahun}-{p.periode}"
        rekap = rekap_doc(p.rekap)
        digest = content_hash(rekap)
        last = latest_document(session, draft_id)
        if last is not None and (last.content_hash == digest or last.status == "final"):
            return None
        version = (last.version + 1) if last else 1
        vm = report_view_model(
            self.rt,
            session,
            rekap,
            p.tahun,
            p.inputs,
            final=False,
            generated_on=_generated_on(env.occurred_at),
            version=version,
        )
        return DraftPlan(draft_id, version, digest, self.root / str(p.tahun) / p.periode / f"v{version}", vm)

    def record_draft(
        self, session: Session, env: Envelope, p: ev.RekapCompleted, plan: DraftPlan, hashes: dict[str, str]
    ) -> None:
        doc = Document(
            id=f"{plan.draft_id}-v{plan.version}",
            draft_id=plan.draft_id,
            jenis=jenis_of(p.periode),
            tahun=p.tahun,
            periode=p.periode,
            version=plan.version,
            recap_revision=p.revision,
            content_hash=plan.digest,
            status="draft",
            sha256=json.dumps(hashes),
            folder=str(plan.folder),
            rekap=json.dumps(p.rekap.document()),
            inputs=json.dumps(p.inputs, sort_keys=True),
        )
        session.add(doc)
        self.rt.emit(
            session,
            "DraftRendered",
            ev.DraftRendered(
                draft_id=plan.draft_id,
                document_id=doc.id,
                jenis=doc.jenis,
                tahun=p.tahun,
                periode=p.periode,
                version=plan.version,
                recap_revision=p.revision,
                files=hashes,
            ),
            causation=env,
        )

    def render_pending(self, draft_id: str) -> None:
        """Draw one pending draft: claim it, read, draw with no transaction open (a render takes seconds; on SQLite a
        write transaction would hold the one writer's turn all that time), then record it and drop the pending row
        unless a newer recap replaced it meanwhile (then it is drawn next)."""
        if not self.claim(draft_id):
            return
        with Session(self.rt.read_engine or self.rt.engine) as session:
            pending = session.get(PendingDraft, draft_id)
            if pending is None:
                return
            env = Envelope.model_validate_json(pending.event)
            p = ev.parse_payload(env)  # a pending row kept before an upgrade holds a v1 event
            assert isinstance(p, ev.RekapCompleted)
            plan = self.plan_draft(session, env, p)
        # drawn later than the event was handled: a span of its own in the recap's trace (the stored envelope's
        # traceparent), so DraftRendered continues the trace from the agency's report
        with event_span(
            self.rt.tracer, f"render draft {draft_id}", env, {"lapkin.draft_id": draft_id}, SpanKind.INTERNAL
        ):
            store = files(self.rt)
            hashes = (
                render_files(plan.folder, plan.vm, self.template_dir, store=store, drawer=pdf_drawer_of(self.rt))
                if plan is not None
                else {}
            )
            with Session(self.rt.engine) as session:
                still = session.get(PendingDraft, draft_id)
                if still is not None and still.revision == p.revision:
                    session.delete(still)
                elif still is not None:  # a newer recap came while drawing: it waits anew from now
                    still.claimed_by, still.claimed_at, still.waiting_since = None, None, utcnow()
                    session.add(still)
                last = latest_document(session, draft_id)
                if plan is not None and (last.version if last else 0) < plan.version:
                    self.record_draft(session, env, p, plan, hashes)
                session.commit()
        self.rt.committed()

    def render_failed(self, draft_id: str) -> Envelope | None:
        """Count a failed render; at max_deliveries give the event up (returned, to be dead-lettered) and forget
        it was handled."""
        with Session(self.rt.engine) as session:
            pending = session.get(PendingDraft, draft_id)
            if pending is None:
                return None
            pending.failures += 1
            pending.claimed_by, pending.claimed_at = None, None
            if pending.failures < self.rt.settings.max_deliveries:
                session.add(pending)
                session.commit()
                return None
            env = Envelope.model_validate_json(pending.event)
            session.delete(pending)
            claimed = session.get(ProcessedEvent, (self.rt.service, env.event_id))
            if claimed is not None:  # as if never handled: a replay of the dead letter is applied again
                session.delete(claimed)
            session.commit()
            return env

    def draw_pending(self, settle: timedelta = timedelta(0)) -> list[Envelope]:
        """Every pending draft whose recap has settled, oldest first; returns the events given up after
        max_deliveries failed renders (to be dead-lettered)."""
        given_up = []
        for draft_id in self.pending_drafts(settle):
            outage = self.outages.get(draft_id)
            if outage is not None and self.clock() < outage[1]:
                continue  # the store was away a moment ago: not yet
            try:
                self.render_pending(draft_id)
                self.outages.pop(draft_id, None)
            except Exception as exc:
                if _unavailable(exc):
                    self.store_away(draft_id, exc)
                    continue
                self.outages.pop(draft_id, None)
                log.exception("drawing the pending draft %s failed", draft_id)
                env = self.render_failed(draft_id)
                if env is not None:
                    given_up.append(env)
        return given_up

    def store_away(self, draft_id: str, exc: BaseException) -> None:
        """The file store (or the database) could not be used: the draft stays pending and its failures are not
        counted; it is tried again after STORE_RETRY_S, doubling up to STORE_RETRY_MAX_S. One log line per attempt
        (no traceback: an outage, not a bug). The claim is given back, so a replica may draw it meanwhile."""
        attempts = self.outages.get(draft_id, (0, 0.0))[0] + 1
        delay = min(STORE_RETRY_MAX_S, STORE_RETRY_S * 2 ** min(attempts - 1, 16))
        self.outages[draft_id] = (attempts, self.clock() + delay)
        log.warning(
            "the file store is unavailable; the pending draft %s stays pending, attempt %d, next in %.0f s: %s: %s",
            draft_id, attempts, delay, type(exc).__name__, exc,
        )  # fmt: skip
        try:
            with Session(self.rt.engine) as session:
                session.connection().execute(
                    update(PENDING)
                    .where(PENDING.c.draft_id == draft_id, PENDING.c.claimed_by == self.name)
                    .values(claimed_by=None, claimed_at=None)
                )
                session.commit()
        except Exception as again:  # the database is away too: the claim runs out after CLAIM_S, or is ours anyway
            log.warning("giving back the claim on %s failed: %s: %s", draft_id, type(again).__name__, again)

    async def run(self, wake: asyncio.Event) -> None:
        """One per process (so a draft is never drawn twice at once here): the pending drafts, whenever a commit
        wakes it and every DRAWER_TICK_S. One that keeps failing goes to the dead letters of the aggregator's
        stream, as its RekapCompleted would from a handler (`lapkin ops` can replay it). Its claims are given back
        when it stops, and a crashed predecessor's on this machine when it starts (`release_claims`)."""
        try:
            await asyncio.to_thread(self.release_claims)
        except Exception:
            log.exception("releasing the claims of stopped drawers failed")
        settle = timedelta(milliseconds=self.rt.settings.draft_settle_ms)
        try:
            while True:
                wake.clear()
                tick = DRAWER_TICK_S
                try:
                    for env in await asyncio.to_thread(self.draw_pending, settle):
                        await dead_letter(self.rt, env)
                    if settle > timedelta(0) and await asyncio.to_thread(self.settling):  # look again soon
                        tick = min(DRAWER_TICK_S, settle.total_seconds())
                except Exception:  # the database is away: the drafts stay pending, the next round tries again
                    log.exception("drawing pending drafts failed")
                try:  # a commit (a newer recap) wakes it sooner; it draws only what has settled
                    await asyncio.wait_for(wake.wait(), tick)
                except TimeoutError:
                    pass
        finally:
            try:  # at stop: synchronous (one UPDATE), as the stop may cancel this task again while it awaits
                self.release_claims()
            except Exception:
                log.exception("releasing this drawer's claims at stop failed")


def _local_process_gone(name: str, here: str) -> bool:
    """Whether a drawer name of the default form `<here>-<pid>` (`consumer_name`: service-host-pid) is of a process
    on this machine that no longer runs. Names of other machines, or set by LAPKIN_CONSUMER_NAME, are never judged
    gone here (their claims run out after CLAIM_S)."""
    prefix, _, pid = name.rpartition("-")
    if prefix != here or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's): not gone
        return False
    return False


def _unavailable(exc: BaseException) -> bool:
    """The error, or one it was raised from, says the file store or the database is away (store_unavailable)."""
    seen: BaseException | None = exc
    for _ in range(5):  # a short chain: the store's own error wrapped once or twice at most
        if seen is None:
            return False
        if store_unavailable(seen):
            return True
        seen = seen.__cause__
    return False


def draw_pending(rt: Runtime) -> list[Envelope]:
    """Draw every pending draft now (`DraftDrawer.draw_pending`): what a test calls to have the drafts drawn."""
    return DraftDrawer(rt).draw_pending()


async def dead_letter(rt: Runtime, env: Envelope) -> None:
    stream = rt.settings.stream("aggregator")
    await rt.broker.publish(
        {
            "envelope": json.loads(env.model_dump_json()),
            "dead_reason": "pending draft failed to render",
            "original_stream": stream,
            "original_entry_id": None,
            "delivery_count": rt.settings.max_deliveries,
            "consumer": rt.service,
            "failed_at": utcnow().isoformat(),
        },
        stream=f"{stream}.dlq",
    )


async def start(rt: Runtime) -> None:
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wake_up() -> None:  # commits happen in worker threads
        if not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    rt.after_commit.append(wake_up)
    rt.background.append(asyncio.create_task(DraftDrawer(rt).run(wake), name="drawer"))
