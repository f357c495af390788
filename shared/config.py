"""Settings for every service, from the environment (pydantic-settings).

`DATABASE_URL` and `REDIS_URL` are read as they are; everything else is `LAPKIN_*`.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clock import zone_of

SERVICES = ("collector", "aggregator", "approval", "renderer")
DEFAULT_PORTS = {"collector": 8001, "aggregator": 8002, "approval": 8003, "renderer": 8004}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPKIN_", extra="ignore")

    # None: the embedded default, one SQLite file per service under data_dir.
    # PostgreSQL: one database, one schema per service (the service owns its tables).
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", validation_alias=AliasChoices("REDIS_URL"))
    data_dir: Path = Path("data")
    admin_token: str | None = None
    secret_key: str | None = None
    stream_prefix: str = "lapkin"  # tests use a random prefix so runs never collide on a shared Redis
    host: str = "127.0.0.1"
    collector_port: int = DEFAULT_PORTS["collector"]
    aggregator_port: int = DEFAULT_PORTS["aggregator"]
    approval_port: int = DEFAULT_PORTS["approval"]
    renderer_port: int = DEFAULT_PORTS["renderer"]
    reclaim_idle_ms: int = 60_000  # above the slowest legitimate handler (a render)
    max_deliveries: int = 5  # then the event goes to <stream>.dlq
    relay_interval_s: float = 0.2
    # published outbox rows are kept this long (then deleted): what a Redis that lost its data gets re-published
    outbox_retention_days: float = Field(default=7.0, gt=0)
    redis_check_interval_s: float = Field(default=1.0, gt=0)  # how often a service looks for lost streams/groups
    token_ttl_s: int = 8 * 3600
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024  # one uploaded file (Excel, evidence); multipart bodies get this limit
    max_bukti_per_submission: int = 20  # evidence files attached to one quarterly submission
    max_bulk_rows: int = 500  # rows of one POST /laporan-triwulan/bulk
    # submissions per API key (token bucket in Redis, shared by every collector process): refilled at this many a
    # minute, holding at most `rate_limit_burst` (0: a minute's worth); 429 with Retry-After beyond. 0 turns it off.
    rate_limit_per_minute: int = Field(default=120, ge=0)
    rate_limit_burst: int = Field(default=60, ge=0)
    # passwords (argon2, 64 MiB per hash): hashes at once per process, and how long a login waits for a slot
    # before its 503 with Retry-After
    password_hash_concurrency: int = Field(default=4, ge=1)
    password_hash_wait_s: float = Field(default=2.0, ge=0)
    # logins per client address (token bucket in Redis, like the submissions'): 429 with Retry-After beyond; 0: off
    login_rate_per_minute: int = Field(default=30, ge=0)
    login_rate_burst: int = Field(default=30, ge=0)
    # an uploaded .xlsx whose zip members unpack beyond this is refused before it is parsed (the template with 2,000
    # rows unpacks to ~2 MiB); at most `xlsx_parse_concurrency` are parsed at once per process, a parse waiting
    # longer than `xlsx_parse_wait_s` for its turn gets 503 with Retry-After
    max_xlsx_unpacked_bytes: int = Field(default=4 * 1024 * 1024, ge=1)
    xlsx_parse_concurrency: int = Field(default=2, ge=1)
    xlsx_parse_wait_s: float = Field(default=10.0, ge=0)
    locale: str = "id"  # documents and UI: "id" or "en"
    # the office's clock (shared/clock.py): every date a person reads, on pages and documents. WIB by default;
    # a WITA office sets Asia/Makassar, a WIT office Asia/Jayapura. An unknown zone stops the service at start.
    timezone: str = "Asia/Jakarta"
    workflow_file: Path | None = None  # the SOP as data; None: the bundled PSM/DISNAKER-101
    consumer_name: str | None = None  # defaults to <service>-<hostname>-<pid>
    # reminders (SubmissionOverdue): N days before a quarter's deadline, and at it, to units that still owe data;
    # a reminder point passed more than `reminder_catch_up_days` ago (the service was down) is not sent any more
    reminder_days_before: int = 3
    reminder_catch_up_days: int = 7
    reminder_interval_s: float = 60.0  # how often the collector checks; 0 turns reminders off

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return zone_of(value).key

    def port(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def base_url(self, service: str) -> str:
        return f"http://{self.host}:{self.port(service)}"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    def stream(self, service: str) -> str:
        """One stream per producing service."""
        return f"{self.stream_prefix}.{service}"

    def retry_stream(self, group: str) -> str:
        """Where an operator's replay of a dead letter goes: read by consumer group `group` only (one per consuming
        service, next to the streams it reads), so a replay reaches the group that failed and no other."""
        return f"{self.stream_prefix}.retry.{group}"

    def resolved_secret_key(self) -> str:
        return self.secret_key or _file_secret(self.data_dir / "secret_key")

    def resolved_admin_token(self) -> str:
        return self.admin_token or _file_secret(self.data_dir / "admin_token")


def _file_secret(path: Path) -> str:
    """A secret generated once into the data folder, so every service of one install shares it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        tmp.write_text(secrets.token_urlsafe(32))
        try:
            os.link(tmp, path)  # atomic and never overwrites: concurrent first starts agree on one secret
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
