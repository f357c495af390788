"""The system the four services make together: which services there are, the port each listens on by default, and
which producer's stream each reads.

The kernel (`shared/`) names no service; what it needs to know of the system is registered from here when any service
is imported (`services/__init__.py` imports this module): the services and their default ports
(`shared.config.register_services`), the producing services the event index covers
(`shared.messaging.index.register_producers`); the operators' tools get the streams and consumer groups (`Ops`).
"""

from __future__ import annotations

from redis import Redis

from shared.config import Settings, register_services
from shared.messaging import index
from shared.messaging import ops as messaging_ops

DEFAULT_PORTS = {"collector": 8001, "aggregator": 8002, "approval": 8003, "renderer": 8004}
SERVICES = tuple(DEFAULT_PORTS)
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

register_services(DEFAULT_PORTS)
index.register_producers(PRODUCERS)


def expected_groups(producer: str) -> list[str]:
    return messaging_ops.expected_groups(READERS, producer)


class Ops(messaging_ops.Ops):
    """The operators' view of this system's streams (`shared.messaging.ops.Ops` with its producers and readers)."""

    def __init__(self, settings: Settings, client: Redis | None = None) -> None:
        super().__init__(settings, client, producers=PRODUCERS, readers=READERS)
