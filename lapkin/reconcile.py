"""`lapkin reconcile`: does every service hold what the one before it published? Compared from each service's own
database (opened as `lapkin db` and `lapkin officials` open them), never from Redis, which may have lost events:

- collector → aggregator: the collector's newest revision of every unit's quarter, and its newest PK version, against
  the aggregator's inputs and PK;
- aggregator → renderer: the newest recap of every period that is complete (a draft is due) against the renderer's
  newest document of the period (the same content, or final);
- renderer → approval: the renderer's newest draft version against the version approval shows;
- a final document drawn from an older recap than the period's newest when it was approved, showing other figures
  (`outdated_finals`: approved before the approval service refused that). Not repairable by re-sending (the final is
  signed): listed for the officials to decide (docs/operations.md).

What changed less than `grace_s` ago is on its way, not a gap. `repair` re-emits each gap's event from the owning
service's own data into that service's outbox (a new event id; consumers keep only what is newer than they hold, so
it is harmless), and its relay publishes it. The newest result is left in Redis (`reconcile_key`) for every
service's /metrics (`lapkin_reconcile_gaps`) and `lapkin status`."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from shared.clock import as_utc
from shared.config import Settings
from shared.db import make_existing_engine
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from shared.messaging.outbox import add_to_outbox
from shared.observability import reconcile_key
from shared.sakip import PerjanjianKinerja, Rekap
from shared.sakip.document import content_hash, draws_new_version

CHECKS = ("collector-aggregator", "aggregator-renderer", "renderer-approval")


@dataclass(frozen=True)
class Gap:
    check: str  # one of CHECKS
    key: str  # what is compared: "2024 TW1 BPS", "2024 PK", "2024-TW1"
    want: str  # what the owning service holds
    have: str  # what the next one holds
    owner: str  # the service whose event is missing downstream
    event: str  # the event type a repair re-emits ("": none would mend it, see `outdated_finals`)

    def line(self) -> str:
        return f"{self.check:<21} {self.key:<22} {self.owner} punya/has {self.want}; hilir/downstream {self.have}"


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


class Reconciler:
    def __init__(self, settings: Settings, grace_s: float = 60.0) -> None:
        self.settings = settings
        self.grace = timedelta(seconds=grace_s)
        self.engines: dict[str, Engine] = {}
        self.recent = 0  # differences of the newest check still inside the grace period: not judged yet

    def engine(self, service: str) -> Engine:
        if service not in self.engines:
            self.engines[service] = make_existing_engine(self.settings, service)
        return self.engines[service]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()

    def settled(self, when: datetime | None) -> bool:
        """Changed longer than the grace period ago (so its event should have arrived); asked only about a
        difference, so each one still inside the grace period is counted in `recent`."""
        when = _aware(when)
        if when is None or when <= datetime.now(UTC) - self.grace:
            return True
        self.recent += 1
        return False

    # ---- checks ---------------------------------------------------------------------------------------------

    def check(self) -> list[Gap]:
        self.recent = 0
        return (
            self.collector_aggregator() + self.aggregator_renderer() + self.outdated_finals() + self.renderer_approval()
        )

    def collector_aggregator(self) -> list[Gap]:
        from services.aggregator.models import AggInput, AggPk
        from services.collector.models import PkVersion, UnitQuarter

        with Session(self.engine("collector")) as s:
            quarters = list(s.exec(select(UnitQuarter).where(col(UnitQuarter.revision) > 0)))
            newest_pk = select(PkVersion.tahun, func.max(PkVersion.version)).group_by(col(PkVersion.tahun))
            pks = {tahun: version for tahun, version in s.exec(newest_pk).all()}
            pk_at = {(p.tahun, p.version): p.created_at for p in s.exec(select(PkVersion))}
        with Session(self.engine("aggregator")) as s:
            held: dict[tuple[int, int, str], int] = {
                (i.tahun, i.triwulan, i.unit): i.revision for i in s.exec(select(AggInput))
            }
            agg_pk = {p.tahun: p.version for p in s.exec(select(AggPk))}
        gaps = []
        for tahun, version in sorted(pks.items()):
            if agg_pk.get(tahun, 0) < version and self.settled(pk_at.get((tahun, version))):
                have = f"v{agg_pk[tahun]}" if tahun in agg_pk else "-"
                gaps.append(
                    Gap(CHECKS[0], f"{tahun} PK", f"v{version}", have, "collector", "PerjanjianKinerjaPublished")
                )
        for q in sorted(quarters, key=lambda q: (q.tahun, q.triwulan, q.unit)):
            got = held.get((q.tahun, q.triwulan, q.unit))
            if (got or 0) < q.revision and self.settled(q.last_received_at):
                gaps.append(
                    Gap(CHECKS[0], f"{q.tahun} TW{q.triwulan} {q.unit}", f"revisi {q.revision}",
                        f"revisi {got}" if got else "-", "collector", "TriwulanSubmitted")
                )  # fmt: skip
        return gaps

    def aggregator_renderer(self) -> list[Gap]:
        from services.aggregator.models import RekapRevision
        from services.renderer.models import Document, PendingDraft

        with Session(self.engine("aggregator")) as s:
            newest = s.exec(
                select(RekapRevision.tahun, RekapRevision.periode, func.max(RekapRevision.revision)).group_by(
                    col(RekapRevision.tahun), col(RekapRevision.periode)
                )
            ).all()
            recaps = [s.get(RekapRevision, (t, p, r)) for t, p, r in sorted(newest)]
        with Session(self.engine("renderer")) as s:
            docs: dict[str, Document] = {}
            for d in s.exec(select(Document).where(Document.jenis != "disposisi").order_by(col(Document.version))):
                docs[d.draft_id] = d  # the newest version last (a final one sorts after its draft)
            pending = {p.draft_id: p.revision for p in s.exec(select(PendingDraft))}
        gaps = []
        for rec in recaps:
            if rec is None or rec.status != "complete":
                continue
            body = json.loads(rec.body)
            if body.get("quarters_final") is False:
                continue  # a semester or the year is drafted only once its quarters are final
            draft_id = f"{rec.tahun}-{rec.periode}"
            doc = docs.get(draft_id)
            if doc is not None and (doc.status == "final" or doc.content_hash == content_hash(body)):
                continue
            if not self.settled(rec.created_at):
                continue
            have = f"revisi {doc.recap_revision} (v{doc.version})" if doc else "-"
            if draft_id in pending:
                have += f", menunggu/pending revisi {pending[draft_id]}"
            gaps.append(Gap(CHECKS[1], draft_id, f"revisi {rec.revision}", have, "aggregator", "RekapCompleted"))
        return gaps

    def outdated_finals(self) -> list[Gap]:
        """Final documents drawn from an older recap revision than the newest one of their period the aggregator
        had made by the time the final was published, with other content: the officials approved a version an
        accepted correction had replaced (the tester's case, before services/approval/handlers.newer_recap refused
        such an approval). A revision made after the final (a correction through a semester's return) is by design
        not in the quarter's final, so it is not a gap. Nothing to re-send (event ""): the officials decide."""
        from services.aggregator.models import RekapRevision
        from services.renderer.models import Document

        with Session(self.engine("renderer")) as s:
            finals = list(s.exec(select(Document).where(Document.status == "final", Document.jenis != "disposisi")))
        gaps = []
        with Session(self.engine("aggregator")) as s:
            for doc in sorted(finals, key=lambda d: d.draft_id):
                newer = s.exec(
                    select(RekapRevision)
                    .where(
                        RekapRevision.tahun == doc.tahun,
                        RekapRevision.periode == doc.periode,
                        RekapRevision.revision > doc.recap_revision,
                        col(RekapRevision.status).in_(("complete", "final")),
                    )
                    .order_by(col(RekapRevision.revision).desc())
                )
                published = _aware(doc.created_at)
                rec = next((r for r in newer if published is None or (_aware(r.created_at) or published) <= published),
                           None)  # fmt: skip
                if rec is not None and draws_new_version(
                    json.loads(rec.body),
                    revision=rec.revision,
                    status=rec.status,
                    drawn_revision=doc.recap_revision,
                    drawn_hash=doc.content_hash,
                ):
                    have = f"final v{doc.version} dari/from revisi {doc.recap_revision}"
                    gaps.append(Gap(CHECKS[1], doc.draft_id, f"revisi {rec.revision}", have, "aggregator", ""))
        return gaps

    def renderer_approval(self) -> list[Gap]:
        from services.approval.models import DraftRow
        from services.renderer.models import Document

        with Session(self.engine("renderer")) as s:
            drafts: dict[str, Document] = {}
            query = select(Document).where(Document.status == "draft", Document.jenis != "disposisi")
            for d in s.exec(query.order_by(col(Document.version))):
                drafts[d.draft_id] = d
        with Session(self.engine("approval")) as s:
            rows = {r.id: r for r in s.exec(select(DraftRow))}
        gaps = []
        for draft_id, doc in sorted(drafts.items()):
            row = rows.get(draft_id)
            if row is not None and (row.version >= doc.version or row.state == "final"):
                continue
            if self.settled(doc.created_at):
                have = f"v{row.version}" if row else "-"
                gaps.append(Gap(CHECKS[2], draft_id, f"v{doc.version}", have, "renderer", "DraftRendered"))
        return gaps

    # ---- repair ---------------------------------------------------------------------------------------------

    def repair(self, gaps: list[Gap]) -> list[str]:
        """Re-emit each gap's event into its owner's outbox; returns the event ids."""
        correlation = f"reconcile:{uuid.uuid4()}"
        done = []
        for gap in gaps:
            if not gap.event:  # nothing to re-send (outdated_finals)
                continue
            with Session(self.engine(gap.owner)) as s:
                payload = self._payload(s, gap)
                if payload is None:
                    continue
                env = new_envelope(gap.event, payload, producer=gap.owner, correlation_id=correlation)
                add_to_outbox(s, self.settings.stream(gap.owner), env)
                s.commit()
                done.append(env.event_id)
        return done

    def _payload(self, s: Session, gap: Gap) -> BaseModel | None:
        if gap.event == "TriwulanSubmitted":
            from services.collector.handlers import resend_quarter

            year, tw, unit = gap.key.split(" ", 2)
            return resend_quarter(s, int(year), int(tw.removeprefix("TW")), unit)
        if gap.event == "PerjanjianKinerjaPublished":
            from services.collector.models import PkVersion

            tahun = int(gap.key.split(" ")[0])
            pk = s.exec(
                select(PkVersion).where(PkVersion.tahun == tahun).order_by(col(PkVersion.version).desc())
            ).first()
            return (
                ev.PerjanjianKinerjaPublished(
                    tahun=tahun, version=pk.version, pk=PerjanjianKinerja.read(json.loads(pk.body))
                )
                if pk
                else None
            )
        if gap.event == "RekapCompleted":
            from services.aggregator.models import RekapRevision

            year, periode = gap.key.split("-", 1)
            rec = s.exec(
                select(RekapRevision)
                .where(RekapRevision.tahun == int(year), RekapRevision.periode == periode)
                .order_by(col(RekapRevision.revision).desc())
            ).first()
            if rec is None:
                return None
            rekap = Rekap.from_document({**json.loads(rec.body), "revision": rec.revision})
            fields = {"tahun": rec.tahun, "periode": rec.periode, "revision": rec.revision, "status": rec.status}
            return ev.RekapCompleted.model_validate({**fields, "rekap": rekap, "inputs": json.loads(rec.inputs)})
        from services.renderer.models import Document

        doc = s.exec(
            select(Document)
            .where(Document.draft_id == gap.key, Document.status == "draft")
            .order_by(col(Document.version).desc())
        ).first()
        if doc is None:
            return None
        return ev.DraftRendered(draft_id=doc.draft_id, document_id=doc.id, jenis=doc.jenis, tahun=doc.tahun,
                                periode=doc.periode, version=doc.version, recap_revision=doc.recap_revision,
                                files=json.loads(doc.sha256))  # fmt: skip


def result(gaps: list[Gap], repaired: list[str] | None = None, recent: int = 0) -> dict[str, Any]:
    """`recent`: differences changed within the grace period, not judged (not gaps, not yet known to be fine)."""
    counts = dict.fromkeys(CHECKS, 0)
    for gap in gaps:
        counts[gap.check] += 1
    now = datetime.now(UTC)
    out: dict[str, Any] = {"at": now.isoformat(), "at_unix": now.timestamp(), "gaps": counts,
                           "items": [asdict(g) for g in gaps], "recent": recent}  # fmt: skip
    if repaired is not None:
        out["repaired"] = len(repaired)
    return out


def record(settings: Settings, outcome: dict[str, Any]) -> None:
    """Leave the result where /metrics and `lapkin status` read it (the first 100 gaps)."""
    from redis import Redis

    client = Redis.from_url(settings.redis_url, socket_timeout=5)
    try:
        client.set(reconcile_key(settings.stream_prefix), json.dumps({**outcome, "items": outcome["items"][:100]}))
    finally:
        client.close()


def reconcile(
    settings: Settings, *, repair: bool = False, grace_s: float = 60.0, wait_s: float = 60.0
) -> dict[str, Any]:
    """Check; with `repair`, re-emit the gaps and check again until none is left or `wait_s` passed."""
    rec = Reconciler(settings, grace_s)
    try:
        gaps = rec.check()
        repaired: list[str] | None = None
        if repair and gaps:
            sent = {(g.check, g.key, g.want) for g in gaps}
            repaired = rec.repair(gaps)
            rec.grace = timedelta(0)  # what is left now was re-sent, or follows from what was: wait for it
            deadline = time.monotonic() + wait_s
            while True:
                time.sleep(1.0)
                gaps = rec.check()
                if all(not g.event for g in gaps) or time.monotonic() >= deadline:
                    break
                new = [g for g in gaps if (g.check, g.key, g.want) not in sent]
                if new:  # downstream of a repaired one (a new recap, a new draft): re-sent once too
                    sent |= {(g.check, g.key, g.want) for g in new}
                    repaired += rec.repair(new)
        return result(gaps, repaired, rec.recent)
    finally:
        rec.close()
