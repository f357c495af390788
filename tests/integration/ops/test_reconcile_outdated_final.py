"""`lapkin reconcile` names a final document drawn from an older recap revision than the newest one its period had
when the final was published, with other figures (the outside tester's case: version 1 from revision 8 approved while
the agency's accepted correction, revision 9, waited to be drawn; "no gaps" was the answer). On the aggregator's
and the renderer's real databases: such a final is a gap, which a repair leaves alone (a signed final is not
re-sent); a final whose newer revisions only renumber their inputs, or came after it (a correction through a
semester's return), is none."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from lapkin.reconcile import Reconciler
from services.aggregator.main import create_app as aggregator_app
from services.aggregator.models import RekapRevision
from services.renderer.main import create_app as renderer_app
from services.renderer.models import Document
from shared.config import Settings
from shared.sakip.document import content_hash
from tests.support.databases import fresh_database_url

T0 = datetime(2025, 4, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    with fresh_database_url("lapkin_rc") as url:
        made = Settings(data_dir=tmp_path, database_url=url, admin_token=f"adm-{secrets.token_urlsafe(12)}",
                        secret_key=secrets.token_urlsafe(16))  # fmt: skip
        aggregator_app(made)  # their schemas, migrated
        renderer_app(made)
        yield made


def recap(iku: str) -> dict[str, object]:
    return {"tahun": 2025, "periode": "TW1", "capaian_instansi": iku, "indikator": [{"kode": "IKU-1", "capaian": iku}]}


def revision(s: Session, periode: str, number: int, iku: str, at: datetime, status: str = "complete") -> None:
    s.add(RekapRevision(tahun=2025, periode=periode, revision=number, status=status, body=json.dumps(recap(iku)),
                        inputs=json.dumps({"1:BID-A": number}), created_at=at))  # fmt: skip


def final(s: Session, periode: str, recap_revision: int, iku: str, at: datetime) -> None:
    s.add(Document(id=f"2025-{periode}-v1-final", draft_id=f"2025-{periode}", jenis="triwulan", tahun=2025,
                   periode=periode, version=1, recap_revision=recap_revision, content_hash=content_hash(recap(iku)),
                   status="final", sha256="{}", folder="/x", rekap=json.dumps(recap(iku)), created_at=at))  # fmt: skip


def test_a_final_drawn_from_a_recap_an_accepted_correction_had_replaced_is_a_gap(settings: Settings) -> None:
    rec = Reconciler(settings, grace_s=0)
    try:
        with Session(rec.engine("aggregator")) as s:
            revision(s, "TW1", 8, "7.25", T0)
            revision(s, "TW1", 9, "7.10", T0 + timedelta(minutes=1))  # the correction, never drawn
            revision(s, "TW1", 10, "7.10", T0 + timedelta(minutes=5), status="final")  # the approval's flag
            revision(s, "TW2", 3, "8.00", T0)
            revision(s, "TW2", 4, "8.00", T0 + timedelta(minutes=1))  # only an input renumbered
            revision(s, "TW2", 5, "9.00", T0 + timedelta(days=30))  # after the final: a semester's correction
            s.commit()
        with Session(rec.engine("renderer")) as s:
            final(s, "TW1", 8, "7.25", T0 + timedelta(minutes=6))
            final(s, "TW2", 3, "8.00", T0 + timedelta(minutes=6))
            s.commit()
        gaps = rec.outdated_finals()
        assert [(g.check, g.key, g.want, g.have) for g in gaps] == [
            ("aggregator-renderer", "2025-TW1", "revisi 10", "final v1 dari/from revisi 8")
        ]
        assert gaps[0].event == "" and rec.repair(gaps) == []  # nothing re-sent: the officials decide
    finally:
        rec.close()
