"""The operators' tools as the CLI uses them: `shared.messaging.ops` bound to this system (services/operations.py)."""

from __future__ import annotations

from services.operations import Ops, expected_groups
from services.system import PRODUCERS, READERS
from shared.messaging.ops import (
    DeadLetterAmbiguous,
    DeadLetterNotFound,
    decode,
    entry_time,
    group_of,
    row_id,
    wait_seconds,
)

__all__ = [
    "PRODUCERS",
    "READERS",
    "DeadLetterAmbiguous",
    "DeadLetterNotFound",
    "Ops",
    "decode",
    "entry_time",
    "expected_groups",
    "group_of",
    "row_id",
    "wait_seconds",
]
