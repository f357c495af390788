"""The system the four services make together: which services there are and which producer's stream each reads.

The kernel (`shared/`) names no service; what it needs to know of the system is passed in from here: the producing
services the event index covers (`shared.messaging.index.register_producers`, at import) and the streams and
consumer groups the operators' tools look at (`Ops`).
"""

from __future__ import annotations

from redis import Redis

from shared.config import Settings
from shared.messaging import index
from shared.messaging import ops as messaging_ops

SERVICES = ("collector", "aggregator", "approval", "renderer")
PRODUCERS = SERVICES  # every service writes its own stream

# the consumer groups the running system keeps on each producer's stream: every service that reads it (its
# `consumes`, checked against the services themselves by tests/unit/test_ops_groups.py) and the approval service's
# event indexer, which reads them all
READERS = {
    "collector": ("aggregator", "approval", "renderer"),
    "aggregator": ("approval", "renderer"),
    "approval": ("aggregator", "collector", "renderer"),
    "renderer": ("approval",),
}

index.register_producers(PRODUCERS)


def expected_groups(producer: str) -> list[str]:
    return messaging_ops.expected_groups(READERS, producer)


class Ops(messaging_ops.Ops):
    """The operators' view of this system's streams (`shared.messaging.ops.Ops` with its producers and readers)."""

    def __init__(self, settings: Settings, client: Redis | None = None) -> None:
        super().__init__(settings, client, producers=PRODUCERS, readers=READERS)
