"""The kernel knows the system only through what the system registers (services/system.py): the services and their
default ports (shared.config), the producers and payload fields of the event index (shared.messaging.index)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from services import system
from shared.config import Settings, registered_services
from shared.messaging import index


@pytest.fixture
def other_fields() -> Iterator[None]:
    index.register_fields(index.IndexFields(filters={"colour": lambda p: [p["colour"]] if p.get("colour") else []}))
    yield
    index.register_fields(system.INDEX_FIELDS)


def test_settings_name_no_service_and_ports_come_from_the_system_or_the_environment(monkeypatch):
    assert not [f for f in Settings.model_fields if f.endswith("_port")]
    assert registered_services() == system.SERVICES
    assert Settings().port("renderer") == system.DEFAULT_PORTS["renderer"]
    monkeypatch.setenv("LAPKIN_RENDERER_PORT", "18004")
    assert Settings().port("renderer") == 18004 and Settings().renderer_port == 18004
    assert Settings(renderer_port=19004).base_url("renderer") == "http://127.0.0.1:19004"  # the argument wins
    with pytest.raises(ValidationError):
        Settings(collector_port="eighty")
    with pytest.raises(ValueError, match="unknown service"):
        Settings().port("nosuch")
    assert "junk" not in Settings(junk=1).model_dump()  # a name the settings do not have is not kept


def test_the_index_reads_the_payload_fields_the_system_registered(other_fields):
    env = {"type": "X", "producer": "p", "payload": {"colour": "red", "unit": "BPS", "tahun": 2024}}
    keys = index.keys_for("t", "t.p", env)
    assert keys["colour"] == ["red"] and "unit" not in keys and "periode" not in keys
    assert index.FILTERS == ("type", "service", "colour", "corr")
    assert index.menu_filters() == ("type", "service", "colour")


def test_the_systems_fields_index_unit_period_and_the_draft_versions():
    payload = {"tahun": 2024, "triwulan": 1, "unit": "BPS", "units": ["SEK"], "draft_id": "d", "version": 2}
    env = {"type": "DraftRendered", "producer": "renderer", "correlation_id": "c", "payload": payload}
    keys = index.keys_for("t", "t.renderer", env)
    assert keys["unit"] == ["BPS", "SEK"] and keys["periode"] == ["2024", "2024-TW1"]
    assert keys["ref"] == ["d"] and keys["draft"] == ["d:2"] and keys["corr"] == ["c"]
    assert index.FILTERS == ("type", "service", "unit", "periode", "corr")
    recap = {"type": "RekapCompleted", "payload": {"tahun": 2024, "periode": "TW1"}}
    assert index.drawn_from(recap) == ("periode", "2024-TW1") and index.drawn_from(env) is None
