"""The operators' tools bound to this system: `shared.messaging.ops` with the producers and readers of
services/system.py (kept apart from system.py, which every import of a service loads: this one loads Redis and the
database)."""

from __future__ import annotations

from redis import Redis

from services.system import PRODUCERS, READERS
from shared.config import Settings
from shared.messaging import ops as messaging_ops


def expected_groups(producer: str) -> list[str]:
    return messaging_ops.expected_groups(READERS, producer)


class Ops(messaging_ops.Ops):
    """The operators' view of this system's streams (`shared.messaging.ops.Ops` with its producers and readers)."""

    def __init__(self, settings: Settings, client: Redis | None = None) -> None:
        super().__init__(settings, client, producers=PRODUCERS, readers=READERS)
