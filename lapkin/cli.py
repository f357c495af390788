"""The `lapkin` command: run the system, run the worked example through it, manage officials."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from lapkin.ops_cli import register as register_ops
from lapkin.supervisor import Supervisor, redis_reachable, start_redis
from shared.config import Settings

app = typer.Typer(help="Lapkin — Laporan Kinerja, end to end.", no_args_is_help=True)
officials_app = typer.Typer(help="Officials (pejabat) who approve reports.", no_args_is_help=True)
app.add_typer(officials_app, name="officials")
db_app = typer.Typer(help="Database migrations (Alembic), one history per service.", no_args_is_help=True)
app.add_typer(db_app, name="db")
register_ops(app)


def _settings() -> Settings:
    return Settings()


def _env_for(settings: Settings) -> dict[str, str]:
    """What every child process must agree on: the secrets are generated once into the data folder."""
    env = {
        "LAPKIN_DATA_DIR": str(settings.data_dir.resolve()),
        "REDIS_URL": settings.redis_url,
        "LAPKIN_ADMIN_TOKEN": settings.resolved_admin_token(),
        "LAPKIN_SECRET_KEY": settings.resolved_secret_key(),
    }
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    return env


class Running:
    """The services (and a Redis when none was reachable) as supervised child processes."""

    def __init__(self, settings: Settings, log_dir: Path | None = None) -> None:
        self.settings = settings
        self.redis = None
        if not redis_reachable(settings.redis_url):
            typer.echo(f"Redis tidak terjangkau di {settings.redis_url}: menjalankan redis-server sendiri (AOF).")
            self.redis = start_redis(settings)
        self.supervisor = Supervisor(settings, _env_for(settings), log_dir=log_dir)

    def start(self) -> None:
        self.supervisor.start()
        self.supervisor.wait_healthy(90)

    def stop(self) -> None:
        self.supervisor.stop()
        if self.redis is not None:
            self.redis.send_signal(signal.SIGTERM)
            self.redis.wait(15)


def services_healthy(settings: Settings) -> bool:
    import httpx

    try:
        return all(
            httpx.get(f"{settings.base_url(s)}/healthz", timeout=2).status_code == 200
            for s in ("collector", "aggregator", "approval", "renderer")
        )
    except httpx.HTTPError:
        return False


@app.command()
def up() -> None:
    """Run the four services in the foreground, supervised; Ctrl-C stops them cleanly."""
    settings = _settings()
    generated = settings.admin_token is None
    running = Running(settings, log_dir=settings.data_dir / "logs")
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    running.start()
    typer.echo("Lapkin berjalan / running:")
    for service in ("collector", "aggregator", "approval", "renderer"):
        typer.echo(f"  {service:<10} {settings.base_url(service)}")
    typer.echo(f"  logs       {(settings.data_dir / 'logs').resolve()}")
    if generated:
        typer.echo(f"  LAPKIN_ADMIN_TOKEN={settings.resolved_admin_token()}")
    typer.echo("Tekan Ctrl-C untuk berhenti / press Ctrl-C to stop.")
    while not stop:
        for line in running.supervisor.poll():
            typer.echo(f"[supervisor] {line}")
        time.sleep(0.5)
    typer.echo("Menghentikan layanan / stopping…")
    running.stop()


@app.command()
def demo(
    examples: Annotated[Path, typer.Option(help="folder with pk-2024.json and submissions-2024.json")] = Path(__file__)
    .resolve()
    .parent.parent
    / "examples",
) -> None:
    """Run the worked example through the running system (started here if it is not running)."""
    from lapkin.demo import run_demo

    settings = _settings()
    running = None
    if not services_healthy(settings):
        typer.echo("Menjalankan keempat layanan / starting the four services…")
        running = Running(settings, log_dir=settings.data_dir / "logs")
        running.start()
    try:
        code = run_demo(settings, examples, echo=typer.echo)
    finally:
        if running is not None:
            running.stop()
    raise typer.Exit(code)


@officials_app.command("create")
def officials_create(
    username: Annotated[str, typer.Option(prompt=True)],
    nama: Annotated[str, typer.Option(prompt=True)],
    role: Annotated[str, typer.Option(prompt=True, help="sekretaris kabid subkor kasi staf operator")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    nip: Annotated[str, typer.Option()] = "",
    jabatan: Annotated[str, typer.Option()] = "",
    unit: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an official directly in the approval service's database (the first one is made this way)."""
    from services.approval.officials import create_official_cli

    settings = _settings()
    official = create_official_cli(
        settings, username=username, password=password, nama=nama, nip=nip, jabatan=jabatan, role=role, unit=unit
    )
    typer.echo(f"Pejabat dibuat / official created: id={official['id']} {official['username']} ({official['role']})")


ServiceArg = Annotated[
    list[str] | None, typer.Argument(help="collector aggregator approval renderer (default: all four)")
]


def _services(services: list[str] | None) -> list[str]:
    from shared.config import SERVICES

    for service in services or ():
        if service not in SERVICES:
            raise typer.BadParameter(f"{service!r}: one of {', '.join(SERVICES)}")
    return list(services or SERVICES)


@db_app.command("upgrade")
def db_upgrade(services: ServiceArg = None) -> None:
    """Bring each service's database (its schema, on PostgreSQL) to the newest migration. Services do this at
    start-up too; run it by hand before starting new code on a database that matters."""
    from shared.db import make_engine
    from shared.migrate import current, upgrade

    settings = _settings()
    for service in _services(services):
        engine = make_engine(settings, service)
        try:
            before = current(engine, service)
            upgrade(engine, service)
            typer.echo(f"{service:<10} {before or '(kosong/empty)'} -> {current(engine, service)}")
        finally:
            engine.dispose()


@db_app.command("current")
def db_current(services: ServiceArg = None) -> None:
    """Show the migration each service's database is at, and the newest one in the code."""
    from shared.db import make_engine
    from shared.migrate import current, head

    settings = _settings()
    for service in _services(services):
        engine = make_engine(settings, service)
        try:
            rev, newest = current(engine, service), head(service)
            note = "" if rev == newest else f"  (perlu upgrade / needs upgrade to {newest})"
            typer.echo(f"{service:<10} {rev or '(kosong/empty)'}{note}")
        finally:
            engine.dispose()


@db_app.command("revision")
def db_revision(
    service: Annotated[str, typer.Argument(help="collector aggregator approval renderer")],
    message: Annotated[str, typer.Option("-m", "--message", help="what the migration does, e.g. 'add unit email'")],
    empty: Annotated[bool, typer.Option("--empty", help="an empty migration to write by hand (data changes)")] = False,
) -> None:
    """Write services/<service>/migrations/versions/<NNNN>_<message>.py from what the models add to the history
    (autogenerated against a scratch SQLite database at head). Review it, then commit it with the model change."""
    from shared.migrate import revision

    (service,) = _services([service])
    path = revision(service, message, autogenerate=not empty)
    typer.echo(f"Migrasi ditulis / migration written: {path}")


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
    sys.exit(0)
