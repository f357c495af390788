"""`lapkin status` knows which consumer groups the running system keeps on each stream (services/system.py READERS):
the same as each service's own `consumes`, so a service that starts reading another stream is not missed."""

from __future__ import annotations

from lapkin.ops import READERS, expected_groups
from services.system import PRODUCERS
from shared.messaging.asyncapi import reads
from shared.messaging.index import INDEXER_GROUP


def test_readers_are_the_services_own_consumes():
    found = {p: sorted(s for s in PRODUCERS if p in reads(s)[0]) for p in PRODUCERS}
    assert {p: sorted(readers) for p, readers in READERS.items()} == found
    assert all(INDEXER_GROUP in expected_groups(p) for p in PRODUCERS)
