"""The `lapkin` command: run the system, run the worked example through it, manage officials."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from lapkin.ops_cli import register as register_ops
from lapkin.settings import load_settings
from lapkin.supervisor import (
    GaveUp,
    NotHealthy,
    PortInUse,
    Supervisor,
    WorkersInvalid,
    parse_workers,
    redis_reachable,
    start_redis,
)
from shared.config import Settings
from shared.private import private_dir, tighten

if TYPE_CHECKING:
    from sqlalchemy import Engine

CANNOT_ACT = 2  # exit status: the command could not check or act (Redis, a database, an unknown name)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """What went wrong as one line on stderr (Indonesian / English) and exit status 2, never a traceback: every
    command runs inside this (`_Commands`)."""
    from redis.exceptions import RedisError
    from sqlalchemy.exc import SQLAlchemyError

    from lapkin.ops import DeadLetterAmbiguous, DeadLetterNotFound
    from services.approval.officials import NotFound
    from services.collector.core.errors import DomainError
    from shared.db import DatabaseMissing, MovedToPostgres, database_said
    from shared.errors import ApiError

    def fail(message: str) -> NoReturn:
        typer.echo(message, err=True)
        raise typer.Exit(CANNOT_ACT)

    try:
        yield
    except NotFound as exc:
        fail(f"Pejabat tidak dikenal / unknown official: {exc}")
    except DeadLetterNotFound as exc:
        fail(f"Surat mati tidak ditemukan / no such dead letter: {exc.args[0]}")
    except DeadLetterAmbiguous as exc:
        fail(
            "ID itu ada di beberapa stream, sebutkan barisnya / that id is on several streams, name the row: "
            f"{exc.args[0]}"
        )
    except MovedToPostgres as exc:
        fail(str(exc))
    except DatabaseMissing as exc:
        fail(f"Basis data tidak ada (periksa LAPKIN_DATA_DIR) / no database there (check LAPKIN_DATA_DIR): {exc}")
    except DomainError as exc:  # the collector's refusals (`lapkin keys revoke` of an unknown key)
        fail("; ".join(f"{p.message_id} / {p.message_en}" for p in exc.problems))
    except ApiError as exc:  # the approval service's refusals (`lapkin officials reset-password` too short)
        fail("; ".join(f"{e.message_id} / {e.message_en}" for e in exc.errors))
    except SQLAlchemyError as exc:
        fail(f"Basis data tidak dapat dipakai / database unavailable: {database_said(exc)}")
    except RedisError as exc:
        fail(f"Redis tidak terjangkau / Redis unreachable ({exc.__class__.__name__}): {settings_redis()}")
    except (PortInUse, WorkersInvalid, GaveUp, NotHealthy) as exc:  # their messages say it all, in both languages
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.__class__.__name__}: {exc}")


def settings_redis() -> str:
    return _settings().redis_url


class _Commands(TyperGroup):
    """The `lapkin` group: every sub-command runs inside `one_line_errors`."""

    def invoke(self, ctx: Any) -> Any:  # typer.core.Context (typer ships its own click)
        with one_line_errors():
            return super().invoke(ctx)


T = TypeVar("T")
app = typer.Typer(help="Lapkin — Laporan Kinerja, end to end.", no_args_is_help=True, cls=_Commands)
officials_app = typer.Typer(help="Officials (pejabat) who approve reports.", no_args_is_help=True)
app.add_typer(officials_app, name="officials")
keys_app = typer.Typer(help="The units' API keys (the collector's database).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
db_app = typer.Typer(help="Database migrations (Alembic), one history per service.", no_args_is_help=True)
app.add_typer(db_app, name="db")
files_app = typer.Typer(help="Documents and evidence files (docs/storage.md).", no_args_is_help=True)
app.add_typer(files_app, name="files")
register_ops(app)


def _settings() -> Settings:
    return load_settings()  # a bad setting: one line naming it (lapkin/settings.py)


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

    def __init__(self, settings: Settings, log_dir: Path | None = None, workers: dict[str, int] | None = None) -> None:
        self.settings = settings
        private_dir(settings.data_dir)  # before anything is written into it: the owner's only (shared/private.py)
        for change in tighten(settings.data_dir):
            typer.echo(f"Hak akses / permissions: {change}")
        self.supervisor = Supervisor(
            settings, _env_for(settings), log_dir=log_dir, workers=workers or {}, log_max_bytes=settings.log_max_bytes
        )
        # the ports first: a second `lapkin up` (or any program on them) stops here, before a Redis or a process
        # is started, instead of restarting children that cannot bind for ever
        self.supervisor.bind()
        self.redis = None
        if not redis_reachable(settings.redis_url):
            typer.echo(f"Redis tidak terjangkau di {settings.redis_url}: menjalankan redis-server sendiri (AOF).")
            try:
                self.redis = start_redis(settings)
            except BaseException:
                self.supervisor.close_sockets()
                raise

    def start(self) -> None:
        try:
            self.supervisor.start()
            self.supervisor.wait_healthy(90, echo=typer.echo)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.supervisor.stop()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.send_signal(signal.SIGTERM)
            self.redis.wait(15)


def public_url_warning(settings: Settings) -> str | None:
    """One line when LAPKIN_PUBLIC_BASE_URL is unset: the QR code printed on every signed final then links to the
    approval service's own (local) address, which nobody outside this machine can open."""
    if settings.public_base_url:
        return None
    return (
        "Peringatan / warning: LAPKIN_PUBLIC_BASE_URL belum diatur / is unset: kode QR pada dokumen final menunjuk ke "
        f"alamat lokal / printed QR codes point to the local address {settings.base_url('approval')}; atur / set "
        "LAPKIN_PUBLIC_BASE_URL=https://<alamat publik layanan approval / its public address>"
    )


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
def up(
    workers: Annotated[
        str | None,
        typer.Option(
            help="processes per service on this machine, e.g. collector=2,renderer=2 (1–16 each; the others run one); "
            "they share the service's port"
        ),
    ] = None,
) -> None:
    """Run the four services in the foreground, supervised; Ctrl-C stops them cleanly."""
    from shared.db import describe_database
    from shared.signing import credential_paths
    from shared.storage import describe_store

    settings = _settings()
    _refuse_to_start(settings)
    counts = parse_workers(workers)
    generated = settings.admin_token is None
    running = Running(settings, log_dir=settings.data_dir / "logs", workers=counts)
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    def _interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # while starting, Ctrl-C (or SIGTERM) interrupts the start itself: everything started so far is stopped at once,
    # never "running" announced afterwards (Running.start stops what it started on any exception)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        running.start()
    except KeyboardInterrupt:
        typer.echo("Dihentikan sebelum siap / stopped before it was ready.")
        raise typer.Exit(130) from None
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    typer.echo("Lapkin berjalan / running:")
    for service in ("collector", "aggregator", "approval", "renderer"):
        n = running.supervisor.processes(service)
        typer.echo(f"  {service:<10} {settings.base_url(service)}  ({n} proses/process{'es' if n > 1 else ''})")
    typer.echo(f"  logs       {(settings.data_dir / 'logs').resolve()}")
    typer.echo(f"  basis data / database {describe_database(settings)}")
    typer.echo(f"  berkas/files {describe_store(settings)}")  # where documents and evidence are kept
    signing = credential_paths(settings)  # where finals are signed from: a machine without it publishes unsigned
    typer.echo(
        f"  tanda tangan / signing: {signing[0].resolve()}"
        if signing is not None
        else "  tanda tangan / signing: TIDAK ADA, dokumen final tidak ditandatangani / none: finals are published "
        "unsigned (docs/reports.md, LAPKIN_SIGNING_P12)"
    )
    if generated:  # never the token itself: the terminal's scrollback and the service manager's journal keep it
        typer.echo(f"  token admin / admin token: {(settings.data_dir / 'admin_token').resolve()}")
    if settings.secret_key is None:  # kept in the data folder: another machine of this office needs the same
        typer.echo(f"  kunci rahasia / secret key: {(settings.data_dir / 'secret_key').resolve()} (mesin kedua perlu "
                   "yang sama / a second machine needs the same one: docs/storage.md)")  # fmt: skip
    warning = public_url_warning(settings)
    if warning:
        typer.echo(warning)
    typer.echo("Tekan Ctrl-C untuk berhenti / press Ctrl-C to stop.")
    try:
        while not stop:
            for line in running.supervisor.poll():
                typer.echo(f"[supervisor] {line}")
            time.sleep(0.5)
    finally:  # Ctrl-C, or a child that will not start again (GaveUp, then exit status 2)
        typer.echo("Menghentikan layanan / stopping…")
        running.stop()


@app.command()
def demo(
    examples: Annotated[Path, typer.Option(help="folder with pk-2024.json and submissions-2024.json")] = Path(__file__)
    .resolve()
    .parent.parent
    / "examples",
    lengkap: Annotated[
        bool,
        typer.Option(
            "--lengkap",
            help="then take TW2–TW4, S1, S2 and the annual LKIP through the whole approval workflow to their signed "
            "finals (takes a few minutes)",
        ),
    ] = False,
) -> None:
    """Run the worked example through the running system (started here if it is not running): the recaps, the
    drafts and Triwulan I approved to its signed final; with --lengkap every period, up to the final LKIP."""
    from lapkin.demo import run_demo

    settings = _settings()
    running = None
    if not services_healthy(settings):
        _refuse_to_start(settings)
        typer.echo("Menjalankan keempat layanan / starting the four services…")
        running = Running(settings, log_dir=settings.data_dir / "logs")
        running.start()
    try:
        code = run_demo(settings, examples, echo=typer.echo, lengkap=lengkap, stops=running is not None)
        warning = public_url_warning(settings)
        if warning:
            typer.echo(warning)
    finally:
        if running is not None:
            running.stop()
    raise typer.Exit(code)


# Asked at the terminal, hidden and typed twice, when neither `--password` nor LAPKIN_OFFICIAL_PASSWORD gives it: a
# password on the command line stays in `ps` and the shell's history, so `--password` is for scripts that have no
# better way; a script can set the variable instead (or pipe the password twice on stdin).
_PASSWORD = typer.Option(
    prompt="Kata sandi / password",
    hide_input=True,
    confirmation_prompt=True,
    envvar="LAPKIN_OFFICIAL_PASSWORD",
    show_envvar=True,
    help="Tanpa opsi ini ditanyakan tersembunyi / prompted, hidden, when omitted (or LAPKIN_OFFICIAL_PASSWORD)",
)


@officials_app.command("create")
def officials_create(
    username: Annotated[str, typer.Option(prompt=True)],
    nama: Annotated[str, typer.Option(prompt=True)],
    role: Annotated[
        str, typer.Option(prompt=True, help="kepala_dinas sekretaris kabid subkor kasi staf operator inspektorat")
    ],
    password: Annotated[str, _PASSWORD],
    nip: Annotated[str, typer.Option()] = "",
    jabatan: Annotated[str, typer.Option()] = "",
    unit: Annotated[str | None, typer.Option()] = None,
    pangkat: Annotated[str, typer.Option(help="e.g. Pembina Utama Muda (signature block)")] = "",
    golongan: Annotated[str, typer.Option(help="e.g. IV/c (signature block)")] = "",
) -> None:
    """Create an official directly in the approval service's database (the first one is made this way)."""
    from services.approval.officials import create_official_cli

    settings = _settings()
    official = create_official_cli(
        settings, username=username, password=password, nama=nama, nip=nip, jabatan=jabatan, role=role, unit=unit,
        pangkat=pangkat, golongan=golongan,
    )  # fmt: skip
    typer.echo(f"Pejabat dibuat / official created: id={official['id']} {official['username']} ({official['role']})")


def _revoked(settings: Settings, told: bool) -> None:
    """Whether every service refuses the credentials now, or only within seconds."""
    from shared.revocation import SYNC_INTERVAL_S

    if told:
        typer.echo("Berlaku segera di semua layanan / in effect at once on every service.")
    else:
        typer.echo(
            f"Redis tidak terjangkau: berlaku di semua layanan paling lambat {SYNC_INTERVAL_S:g} detik setelah layanan "
            f"approval berjalan / Redis unreachable: in effect on every service within {SYNC_INTERVAL_S:g} s of "
            "the approval service running."
        )


@officials_app.command("list")
def officials_list() -> None:
    """Every official: id, username, name, role, unit, active or not."""
    from services.approval.officials import listing, with_session

    rows = with_session(_settings(), listing)
    if not rows:
        typer.echo("Belum ada pejabat / no officials yet.")
    for o in rows:
        status = "aktif/active" if o["active"] else "nonaktif/inactive"
        typer.echo(f"{o['id']:>4}  {o['username']:<20} {o['role']:<11} {o['unit'] or '-':<12} {status:<18} {o['nama']}")


@officials_app.command("deactivate")
def officials_deactivate(username: Annotated[str, typer.Argument()]) -> None:
    """Deactivate an official: no more logins, and every token and web session ends on every service."""
    from services.approval.officials import deactivate, publish_generations, with_session

    settings = _settings()
    official = with_session(settings, lambda s: deactivate(s, username))
    told = publish_generations(settings, [official])
    typer.echo(f"Pejabat dinonaktifkan / official deactivated: {official.username}")
    _revoked(settings, told)


@officials_app.command("reset-password")
def officials_reset_password(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str, _PASSWORD],
) -> None:
    """Set a new password; every token and web session of the official ends on every service."""
    from services.approval.officials import publish_generations, reset_password, with_session

    settings = _settings()
    official = with_session(settings, lambda s: reset_password(s, username, password))
    told = publish_generations(settings, [official])
    typer.echo(f"Kata sandi diganti / password reset: {official.username}")
    _revoked(settings, told)


@officials_app.command("unlock")
def officials_unlock(username: Annotated[str, typer.Argument()]) -> None:
    """Forget an official's failed logins: the growing delay between attempts starts again from none."""
    from services.approval.officials import by_username, unlock, with_session

    settings = _settings()
    with_session(settings, lambda s: by_username(s, username))
    unlock(settings, username)
    typer.echo(f"Percobaan gagal dilupakan / failed logins forgotten: {username}")


@keys_app.command("list")
def keys_list(
    unit: Annotated[str | None, typer.Option(help="only this unit's keys")] = None,
    active: Annotated[bool, typer.Option("--active", help="only the keys not revoked")] = False,
) -> None:
    """The units' API keys: id, unit, first characters, made, revoked (the keys themselves are never stored)."""
    from services.collector import keys

    rows = _on_collector(_settings(), lambda s: [keys.public(k) for k in keys.listing(s, unit, revoked=not active)])
    if not rows:
        typer.echo("Tidak ada kunci API / no API keys.")
    for k in rows:
        revoked = f"dicabut/revoked {k['revoked_at'][:19]}" if k["revoked_at"] else "aktif/active"
        typer.echo(f"{k['id']:>4}  {k['unit']:<14} {k['hint'] or '-':<10} {k['created_at'][:19]}  {revoked}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="the id `lapkin keys list` shows")]) -> None:
    """Revoke an API key: every collector process refuses it (401) from its next request."""
    from services.collector import keys

    settings = _settings()
    row = _on_collector(settings, lambda s: keys.public(keys.revoke(s, key_id)))
    told = keys.new_epoch_sync(settings)
    typer.echo(f"Kunci API dicabut / API key revoked: {row['id']} ({row['unit']}, {row['hint']})")
    if not told:
        typer.echo(
            f"Redis tidak terjangkau: proses collector yang mengingat kunci ini menolaknya paling lambat "
            f"{keys.TTL_S:g} detik lagi / Redis unreachable: a collector process that remembered the key refuses it "
            f"within {keys.TTL_S:g} s."
        )


def _on_collector(settings: Settings, work: Callable[[Any], T]) -> T:
    from sqlmodel import Session

    from shared.db import make_existing_engine
    from shared.migrate import upgrade

    engine = make_existing_engine(settings, "collector")
    try:
        upgrade(engine, "collector")
        with Session(engine, expire_on_commit=False) as session:
            return work(session)
    finally:
        engine.dispose()


ServiceArg = Annotated[
    list[str] | None, typer.Argument(help="collector aggregator approval renderer (default: all four)")
]


def _services(services: list[str] | None) -> list[str]:
    from services.system import SERVICES

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
    """Show the migration each service's database is at, and the newest one in the code (creates nothing: a
    missing SQLite database is an error naming it)."""
    from shared.db import describe_database, make_existing_engine
    from shared.migrate import current, head

    settings = _settings()
    typer.echo(f"basis data / database: {describe_database(settings)}")
    for service in _services(services):
        engine = make_existing_engine(settings, service)
        try:
            rev, newest = current(engine, service), head(service)
            note = "  (terbaru / up to date)" if rev == newest else f"  (perlu upgrade / needs upgrade to {newest})"
            typer.echo(f"{service:<10} {rev or '(kosong/empty)'}{note}")
        finally:
            engine.dispose()


@db_app.command("copy")
def db_copy(
    to: Annotated[
        str, typer.Option("--to", help="the PostgreSQL database, e.g. postgresql://postgres@127.0.0.1/lapkin")
    ],
    services: ServiceArg = None,
) -> None:
    """Copy this install's SQLite rows (LAPKIN_DATA_DIR) into an empty PostgreSQL database, in one transaction,
    with the services stopped; the SQLite files are only read. Then start the services with DATABASE_URL set to it
    (docs/storage.md)."""
    from lapkin.dbcopy import CopyRefused, copy_databases, shown, target_url
    from services.system import SERVICES
    from shared.db import moved_among
    from shared.formatting import fmt_number

    settings = _settings()
    chosen = _services(services)
    try:
        typer.echo(f"Menyalin / copying {settings.data_dir.resolve()} -> {shown(target_url(to))}")
        copied = copy_databases(settings, to, chosen, lambda line: typer.echo(line, err=True))
    except CopyRefused as exc:
        typer.echo(f"Tidak disalin / not copied: {exc}", err=True)
        raise typer.Exit(CANNOT_ACT) from None
    except KeyboardInterrupt:
        typer.echo("Dihentikan: tidak ada yang disimpan di tujuan (satu transaksi); jalankan lagi / interrupted: "
                   "nothing was kept in the target (one transaction); run it again", err=True)  # fmt: skip
        raise typer.Exit(130) from None
    for row in copied:
        if row.rows:
            typer.echo(f"{row.service:<10} {row.table:<28} {fmt_number(row.rows, 0):>10} baris/rows")
    total, empty = sum(row.rows for row in copied), sum(1 for row in copied if not row.rows)
    typer.echo(
        f"Selesai / done: {fmt_number(total, 0)} baris/rows, {len(copied)} tabel/tables ({empty} kosong/empty), "
        f"{len(chosen)} layanan/services. Berkas SQLite tidak diubah, tetapi tidak akan dipakai lagi / the SQLite "
        "files are unchanged, and no longer used."
    )
    moved = moved_among(settings, SERVICES)[0]  # this copy's and any earlier one's
    rest = [s for s in SERVICES if s not in moved]
    if rest:
        typer.echo(f"Berikutnya / next: salin juga / copy the others too: lapkin db copy {' '.join(rest)} --to <URL>")
    else:
        typer.echo("Berikutnya / next: DATABASE_URL=<URL --to itu / that --to URL> lalu/then `lapkin up`")


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


FILE_SERVICES = ("collector", "approval", "renderer")  # the services that keep files


@files_app.command("migrate")
def files_migrate(services: ServiceArg = None) -> None:
    """Copy the files this machine's data folder holds (documents, evidence) into the shared store LAPKIN_FILE_STORE
    names: `database` (DATABASE_URL must be PostgreSQL) or `s3` (the LAPKIN_S3_* bucket), so every replica serves
    them. Copies, never deletes; checks each file's SHA-256, and a copy the store holds damaged is replaced from a good
    local one; run it again at will. Run it on each machine that wrote files."""
    from lapkin.files import migrate

    done = _with_shared_store(services, partial(migrate, say=_say_progress))
    for copied in done:
        typer.echo(copied.line())
    if any(c.problems for c in done):
        raise typer.Exit(1)


@files_app.command("check")
def files_check(services: ServiceArg = None) -> None:
    """Read every file the services' rows name back from the shared store and check its SHA-256: names each damaged
    or missing one (exit status 1 when any; repair with `lapkin files migrate` where a good copy is, or a backup)."""
    from lapkin.files import check

    done = _with_shared_store(services, partial(check, say=_say_progress))
    for checked in done:
        typer.echo(checked.line())
    if any(c.damaged or c.missing for c in done):
        raise typer.Exit(1)


def _say_progress(line: str) -> None:
    """How far a long copy or check is: on stderr, so the summary on stdout stays what scripts read."""
    typer.echo(line, err=True)


def _refuse_to_start(settings: Settings) -> None:
    """What would only make the services exit and be restarted, one after another, said in one line before any
    starts (exit 2): moved SQLite files, the database store on SQLite, a DATABASE_URL that does not open, an office
    certificate that does not (every final would fail to be signed, and wait in the dead-letter queue)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    from services.system import SERVICES
    from shared.db import database_said, on_postgresql, probe_database, refuse_moved
    from shared.signing import SigningConfigError, office_credential

    if not on_postgresql(settings):  # SQLite files whose rows `lapkin db copy` moved: MovedToPostgres, one line
        for service in SERVICES:
            refuse_moved(settings, service)
    _refuse_a_database_store_on_sqlite(settings)
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        try:
            if not on_postgresql(settings):
                raise ArgumentError("not PostgreSQL or SQLite")
            probe_database(settings, "collector", timeout_s=5)
        except (ArgumentError, NoSuchModuleError) as exc:
            typer.echo(f"DATABASE_URL tidak sah (PostgreSQL atau SQLite) / DATABASE_URL is not usable (PostgreSQL or "
                       f"SQLite): {exc}", err=True)  # fmt: skip
            raise typer.Exit(CANNOT_ACT) from None
        except SQLAlchemyError as exc:
            typer.echo(f"Basis data tidak dapat dipakai / database unavailable (DATABASE_URL): {database_said(exc)}",
                       err=True)  # fmt: skip
            raise typer.Exit(CANNOT_ACT) from None
    try:
        office_credential(settings)
    except SigningConfigError as exc:
        typer.echo(f"Sertifikat tanda tangan kantor tidak dapat dipakai / the office's signing certificate cannot be "
                   f"used: {exc} (LAPKIN_SIGNING_P12, docs/reports.md)", err=True)  # fmt: skip
        raise typer.Exit(CANNOT_ACT) from None


def _refuse_a_database_store_on_sqlite(settings: Settings) -> None:
    """LAPKIN_FILE_STORE=database keeps the files in the services' PostgreSQL: said in one line, exit 2, before
    anything starts (the services themselves refuse to start with it, one restart after another)."""
    from shared.db import on_postgresql

    if settings.file_store == "database" and not on_postgresql(settings):
        typer.echo("Penyimpanan basis data memerlukan DATABASE_URL PostgreSQL / the database store needs DATABASE_URL "
                   "to be PostgreSQL (LAPKIN_FILE_STORE=database; docs/storage.md)", err=True)  # fmt: skip
        raise typer.Exit(CANNOT_ACT)


def _with_shared_store(services: list[str] | None, act: Callable[[Settings, dict[str, Engine]], list[T]]) -> list[T]:
    """`act` on the chosen file-keeping services' (migrated) databases and the shared store; one line and exit 2
    when there is no shared store or it cannot be used."""
    from shared.db import make_existing_engine
    from shared.migrate import upgrade
    from shared.s3 import S3Error

    settings = _settings()
    if settings.file_store == "local":
        typer.echo("LAPKIN_FILE_STORE=local: setel database atau s3 dulu, penyimpanan bersama yang dipakai perintah "
                   "ini / set it to database or s3 first, the shared store this command works on (docs/storage.md)",
                   err=True)  # fmt: skip
        raise typer.Exit(CANNOT_ACT)
    _refuse_a_database_store_on_sqlite(settings)
    named = _services(services)
    said_none = [s for s in named if s not in FILE_SERVICES]
    if said_none:
        typer.echo(f"{', '.join(said_none)}: tidak menyimpan berkas / keeps no files", err=True)
    chosen = [s for s in named if s in FILE_SERVICES]
    engines = {s: make_existing_engine(settings, s) for s in chosen}
    try:
        for service, engine in engines.items():
            upgrade(engine, service)  # the file table comes with the migrations
        return act(settings, engines)
    except S3Error as exc:
        typer.echo(f"Penyimpanan S3 tidak dapat dipakai / the S3 store cannot be used: {exc}", err=True)
        raise typer.Exit(CANNOT_ACT) from None
    finally:
        for engine in engines.values():
            engine.dispose()


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
    sys.exit(0)
