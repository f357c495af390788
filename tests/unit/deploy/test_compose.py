"""The production compose file names every service and every setting the code reads."""

from pathlib import Path

import yaml

from lapkin.supervisor import process_definitions
from shared.config import Settings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if alias is not None:
        return alias.choices[0]  # type: ignore[union-attr]
    return f"LAPKIN_{field.upper()}"


def test_compose_runs_every_service_of_the_process_definitions():
    services = compose()["services"]
    for name, spec in process_definitions().items():
        assert name in services, f"{name} missing from compose.yaml"
        assert spec["app"] in services[name]["command"]


def test_compose_sets_every_setting_the_code_reads():
    env = compose()["x-lapkin"]["environment"]
    missing = [env_name(f) for f in Settings.model_fields if f != "consumer_name" and env_name(f) not in env]
    assert not missing, f"compose.yaml does not set {missing}"


def test_redis_conf_keeps_every_event():
    conf = (DEPLOY / "redis.conf").read_text()
    assert "appendonly yes" in conf and "maxmemory-policy noeviction" in conf
