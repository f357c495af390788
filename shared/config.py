"""Settings for every service, from the environment (pydantic-settings).

`DATABASE_URL` and `REDIS_URL` are read as they are; everything else is `LAPKIN_*`. The kernel names no service: the
system registers its services and the port each listens on by default (`register_services`, done by
`services/system.py`); `LAPKIN_<SERVICE>_PORT` (or `<service>_port=` in code) moves one.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shared.clock import zone_of
from shared.private import create_private, private_dir

_PORTS: dict[str, int] = {}  # the system's services, each with the port it listens on unless told otherwise
PORT_SETTING = re.compile(r"([a-z][a-z0-9]*)_port")
PORT_ENV = re.compile(r"LAPKIN_([A-Z][A-Z0-9]*)_PORT", re.IGNORECASE)
S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
S3_REGION = re.compile(r"[a-z0-9-]{1,40}")
FILE_STORES = ("local", "database", "s3")
S3_TOKEN = re.compile(r"\S{1,256}")
S3_PREFIX = re.compile(r"[A-Za-z0-9._/-]{1,512}")


def register_services(default_ports: Mapping[str, int]) -> None:
    """The system's services, in order, and the port each listens on unless `<service>_port` is set."""
    _PORTS.clear()
    _PORTS.update(default_ports)


def registered_services() -> tuple[str, ...]:
    return tuple(_PORTS)


class _ServicePorts(PydanticBaseSettingsSource):
    """`LAPKIN_<SERVICE>_PORT` of any service, as `<service>_port`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {f"{m.group(1).lower()}_port": v for k, v in os.environ.items() if (m := PORT_ENV.fullmatch(k))}


class Settings(BaseSettings):
    # extra="allow" keeps `<service>_port` (an int, checked below); what the kernel does not know is not read
    model_config = SettingsConfigDict(env_prefix="LAPKIN_", extra="allow")

    # None: the embedded default, one SQLite file per service under data_dir.
    # PostgreSQL: one database, one schema per service (the service owns its tables).
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", validation_alias=AliasChoices("REDIS_URL"))
    data_dir: Path = Path("data")
    admin_token: str | None = None
    secret_key: str | None = None
    stream_prefix: str = "lapkin"  # tests use a random prefix so runs never collide on a shared Redis
    host: str = "127.0.0.1"
    # where one service reaches another (e.g. a web page fetching a document): `{service}` stands
    # for the other service's name, e.g. "{service}" under compose, where that is its host name; unset: `host`
    service_host: str | None = None
    reclaim_idle_ms: int = 60_000  # above the slowest legitimate handler (a render)
    max_deliveries: int = 5  # then the event goes to <stream>.dlq
    # a consumer reads up to this many waiting entries at once and applies them in one transaction, one XACK
    # (docs/reliability.md, "Batches"); 1 reads one entry at a time
    consumer_batch: int = Field(default=50, ge=1, le=1000)
    # while reports keep arriving, a year's recaps are recomputed at most about once in this window (the reports in
    # between are only recorded); one after a quiet window is recapped at once (docs/reliability.md, "Batches")
    recap_window_ms: int = Field(default=1000, ge=0)
    # a period's draft is drawn once its newest recap has been unchanged this long: a burst of recap revisions is one
    # draft, a single late change reaches its draft this much later (docs/reliability.md, "Batches")
    draft_settle_ms: int = Field(default=300, ge=0)
    # ... and a recap computed while reports were still arriving waits this long instead: a burst is
    # drawn once after it, not once per recap window (keep it above recap_window_ms)
    draft_burst_settle_ms: int = Field(default=3000, ge=0)
    # a pending draft is drawn at the latest this long after it first waited, however often its recap changes: a
    # long burst still shows the officials a draft now and then (docs/reliability.md, "Batches")
    draft_settle_max_ms: int = Field(default=20000, ge=0)
    # a report's PDF is drawn in a process of its own, on the other core while the .docx and the .xlsx are made
    # (docs/reports.md, "Drawing"); off: every format in the drawing service's own process, one after the other
    draw_pdf_apart: bool = True
    relay_interval_s: float = 0.2
    # published outbox rows are kept this long (then deleted): what a Redis that lost its data gets re-published
    outbox_retention_days: float = Field(default=7.0, gt=0)
    redis_check_interval_s: float = Field(default=1.0, gt=0)  # how often a service looks for lost streams/groups
    token_ttl_s: int = 8 * 3600
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024  # one uploaded file (Excel, evidence); multipart bodies get this limit
    max_bukti_per_submission: int = 20  # evidence files attached to one quarterly submission
    max_bulk_rows: int = 500  # rows of one bulk submission
    # submissions per API key (token bucket in Redis, shared by every process of the service): refilled at this many a
    # minute, holding at most `rate_limit_burst` (0: a minute's worth); 429 with Retry-After beyond. 0 turns it off.
    rate_limit_per_minute: int = Field(default=120, ge=0)
    rate_limit_burst: int = Field(default=60, ge=0)
    # passwords (argon2, 64 MiB per hash): hashes at once per process, and how long a login waits for a slot
    # before its 503 with Retry-After
    password_hash_concurrency: int = Field(default=4, ge=1)
    password_hash_wait_s: float = Field(default=2.0, ge=0)
    # argon2id's cost per hash: 64 MiB, 3 passes, 4 lanes (≈ 0,24 s of CPU) by default. Lower only where a login's CPU
    # matters more than its cost to a guesser (a 1-core VM; the test suite, tests/conftest.py); never below OWASP's
    # floor for argon2id (19 MiB, 2 passes, 1 lane). A hash made with other values logs in and is renewed then.
    password_hash_memory_kib: int = Field(default=65536, ge=19456, le=1048576)
    password_hash_time_cost: int = Field(default=3, ge=2, le=20)
    password_hash_parallelism: int = Field(default=4, ge=1, le=16)
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
    # the SAKIP evaluation worksheet (LKE) as data; None: the bundled PermenPANRB 88/2021 one (docs/evaluation.md)
    evaluasi_file: Path | None = None
    consumer_name: str | None = None  # defaults to <service>-<hostname>-<pid>
    # reminders (SubmissionOverdue): N days before a quarter's deadline, and at it, to units that still owe data;
    # a reminder point passed more than `reminder_catch_up_days` ago (the service was down) is not sent any more
    reminder_days_before: int = 3
    reminder_catch_up_days: int = 7
    reminder_interval_s: float = 60.0  # how often reminders are looked for; 0 turns them off
    # `lapkin up`'s log files (<data_dir>/logs/<service>.log): one past this size is copied to <name>.log.1 (the older
    # ones moved up to .5, the oldest dropped) and emptied, so a long-running install keeps at most six; 0: never
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    # the office's certificate for the final PDFs' PAdES signature (shared/signing.py): a PKCS#12 file and its password
    # (given, or in a file); unset: <data_dir>/signing/kantor.p12 and kantor.pass when `lapkin demo` made them, else
    # finals are not signed. `signing_trust`: extra trust anchors for /verifikasi (PEM/DER, e.g. the BSrE root CA).
    signing_p12: Path | None = None
    signing_password: SecretStr | None = None  # never logged (SecretStr prints as **********)
    signing_password_file: Path | None = None
    signing_trust: Path | None = None
    # where the public verification page is reached from outside (the QR code on the Lembar Pengesahan links there);
    # unset: the address of the service that serves that page
    public_base_url: str | None = None
    # where documents and evidence files are kept (shared/storage.py, docs/storage.md): "local" (the data folder, only
    # this machine's processes see them), "database" (the service's own table; DATABASE_URL must be PostgreSQL) or
    # "s3" (a bucket of an S3-compatible store: the s3_* settings below, all but region and prefix required then)
    file_store: Literal["local", "database", "s3"] = "local"
    s3_endpoint_url: str | None = Field(default=None, validate_default=True)  # e.g. http://minio:9000
    s3_bucket: str | None = Field(default=None, validate_default=True)
    s3_region: str = "us-east-1"  # what the signature names; MinIO and most others accept us-east-1
    s3_access_key: str | None = Field(default=None, validate_default=True)
    s3_secret_key: SecretStr | None = Field(default=None, validate_default=True)  # never logged, never in a message
    s3_prefix: str = ""  # keys under this "folder" of the bucket (e.g. "lapkin/"), for a bucket shared with others
    # how long an S3 call waits to connect, and for the next bytes of an answer: a hung store costs each file request
    # at most about this before its 503
    s3_connect_timeout_s: float = Field(default=3.0, gt=0, le=120)
    s3_read_timeout_s: float = Field(default=15.0, gt=0, le=600)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _ServicePorts(settings_cls), dotenv_settings, file_secret_settings

    @model_validator(mode="before")
    @classmethod
    def _ports(cls, data: Any) -> Any:
        """`<service>_port` is an int; any other name the settings do not have is dropped (as it always was)."""
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields) | {"DATABASE_URL", "REDIS_URL"}
        out = {k: v for k, v in data.items() if k in known or k.lower() in known}
        out.update({k: int(v) for k, v in data.items() if PORT_SETTING.fullmatch(k)})
        return out

    @field_validator(
        "signing_p12",
        "signing_password",
        "signing_password_file",
        "signing_trust",
        "public_base_url",
        "s3_endpoint_url",
        "s3_bucket",
        "s3_access_key",
        "s3_secret_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """An empty value (`LAPKIN_SIGNING_P12=""`, as deploy/compose.yaml lists them) is no value."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("s3_endpoint_url", "s3_bucket", "s3_access_key", "s3_secret_key")
    @classmethod
    def _s3_needs(cls, value: Any, info: ValidationInfo) -> Any:
        """With LAPKIN_FILE_STORE=s3 the bucket must be named in full (declared after file_store, so it is known)."""
        if value is None and info.data.get("file_store") == "s3":
            raise ValueError("wajib untuk LAPKIN_FILE_STORE=s3 / required with LAPKIN_FILE_STORE=s3")
        if value is None:
            return value
        if info.field_name == "s3_endpoint_url":
            return _endpoint(value)
        if info.field_name == "s3_bucket" and not S3_BUCKET.fullmatch(value):
            raise ValueError(
                "nama bucket S3: 3-63 huruf kecil, angka, titik, tanda hubung / "
                "an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens"
            )
        if info.field_name == "s3_access_key" and not S3_TOKEN.fullmatch(value):
            raise ValueError("tanpa spasi / without spaces")
        return value  # the secret key is checked by nothing that could repeat it

    @field_validator("file_store", mode="before")
    @classmethod
    def _file_store(cls, value: Any) -> Any:
        """`local`, `database` or `s3`, in any case (`S3`); anything else named in both languages."""
        if isinstance(value, str) and value.strip().lower() in FILE_STORES:
            return value.strip().lower()
        raise ValueError(
            "salah satu dari local, database, s3 (docs/storage.md) / one of local, database, s3 (docs/storage.md)"
        )

    @field_validator("s3_region")
    @classmethod
    def _s3_region(cls, value: str) -> str:
        if not S3_REGION.fullmatch(value):
            raise ValueError("wilayah S3 seperti us-east-1 / an S3 region such as us-east-1")
        return value

    @field_validator("s3_prefix")
    @classmethod
    def _s3_prefix(cls, value: str) -> str:
        """Empty, or a "folder" ending in "/": letters, digits and - _ . / only, so a key needs no encoding to sign."""
        value = value.strip()
        if value and not value.endswith("/"):
            value += "/"
        if value and (not S3_PREFIX.fullmatch(value) or value.startswith("/") or ".." in value or "//" in value):
            raise ValueError(
                "awalan kunci: huruf, angka, - _ . / (tanpa / di awal, tanpa ..) / "
                "a key prefix: letters, digits, - _ . / (no leading /, no ..)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return zone_of(value).key

    def port(self, service: str) -> int:
        """The port `service` listens on: `<service>_port` when set, else the one the system registered."""
        given = (self.model_extra or {}).get(f"{service}_port")
        if given is not None:
            return int(given)
        if service not in _PORTS:
            raise ValueError(f"unknown service {service!r}; one of {', '.join(_PORTS)}")
        return _PORTS[service]

    def base_url(self, service: str) -> str:
        host = self.service_host.replace("{service}", service) if self.service_host else self.host
        return f"http://{host}:{self.port(service)}"

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


def _endpoint(value: str) -> str:
    """http(s)://host[:port] of an S3-compatible store, without a trailing slash (the bucket is put after it)."""
    if "@" in value:  # user info, whatever it holds ("/" in a secret makes urlsplit see a path, so look for "@")
        raise ValueError(
            "tanpa kredensial di alamat, pakai LAPKIN_S3_ACCESS_KEY dan LAPKIN_S3_SECRET_KEY / no credentials in the "
            "address, use LAPKIN_S3_ACCESS_KEY and LAPKIN_S3_SECRET_KEY"
        )
    url = urlsplit(value.strip())
    try:
        url.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        url = url._replace(netloc="")
    if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/") or url.query:
        raise ValueError(
            "alamat seperti http://minio:9000 (tanpa jalur) / an address such as http://minio:9000 (no path)"
        )
    return f"{url.scheme}://{url.netloc}"


def _file_secret(path: Path) -> str:
    """A secret generated once into the data folder, so every service of one install shares it: the folder and the
    file readable by their owner only (shared/private.py)."""
    if not path.exists():
        private_dir(path.parent)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        create_private(tmp, secrets.token_urlsafe(32).encode())
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
