"""`lapkin events|status|trace|dlq|reconcile`: the operators' view from a terminal (shared/messaging/ops.py, bound
to the system by services/system.py)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from lapkin.ops import DeadLetterNotFound, Ops, entry_time
from lapkin.settings import load_settings
from shared import clock
from shared.config import Settings
from shared.messaging.entries import EventRow

events_app = typer.Typer(help="Log peristiwa / the event log.", no_args_is_help=True)
dlq_app = typer.Typer(help="Surat mati / dead letters: list, show, replay, drop.", no_args_is_help=True)


def _settings() -> Settings:
    return load_settings()  # a bad setting: one line naming it (lapkin/settings.py)


def _ops() -> Ops:
    settings = _settings()
    clock.configure(settings)  # the times it prints: the office's zone, as the web pages show them
    return Ops(settings)


def _line(env: EventRow) -> str:
    payload = env.get("payload") or {}
    about = " ".join(
        f"{k}={payload[k]}"
        for k in ("tahun", "periode", "triwulan", "unit", "revision", "status", "version", "draft_id")
        if k in payload
    )
    at = clock.to_office(entry_time(env["id"]))  # the office's zone, named, as the web pages show it
    when = f"{at.strftime('%Y-%m-%d %H:%M:%S')} {clock.zone_label(when=at)}"
    return f"{when}  {env.get('producer', '?'):<10} {env.get('type', '?'):<26} {about}  [{env.get('correlation_id')}]"


@events_app.command("tail")
def events_tail(
    type_: Annotated[str | None, typer.Option("--type", help="only this event type")] = None,
    service: Annotated[str | None, typer.Option(help="only this producing service")] = None,
    count: Annotated[int, typer.Option("-n", help="how many")] = 20,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep printing new events")] = False,
) -> None:
    """The newest events of every stream, oldest of them first."""
    ops = _ops()
    for env in reversed(ops.events(count=count, type_=type_, service=service)):
        typer.echo(_line(env))
    if follow:
        for env in ops.follow(type_=type_):
            typer.echo(_line(env))


def status() -> None:
    """Streams, consumer groups (pending, oldest pending, lag), dead letters, the epoch and the newest
    reconciliation; a line starting with `PERHATIAN/ATTENTION` for each thing to look at (a consumer group missing,
    dead letters, the Redis epoch missing, reconciliation gaps).

    Exit status: 0 nothing to look at; 1 at least one PERHATIAN/ATTENTION line; 2 could not check (Redis
    unreachable)."""
    ops = _ops()
    rows = ops.status()
    attention = []
    for row in rows:
        if row.get("retry_for"):
            typer.echo(f"{row['stream']}: {row['length']} kirim ulang / replays for group {row['retry_for']}")
        else:
            typer.echo(f"{row['stream']}: {row['length']} peristiwa, {row['dlq']} di DLQ")
        for g in row["groups"]:
            oldest = "-" if g["oldest_pending_s"] is None else f"{g['oldest_pending_s']:.1f} s"
            typer.echo(f"  grup {g['group']:<11} pending {g['pending']:<5} tertua {oldest:<9} lag {g['lag']}")
        for group in row["missing"]:
            typer.echo(f"  grup {group:<11} HILANG / MISSING")
            attention.append(f"grup konsumen hilang / consumer group missing: stream {row['stream']} group {group}")
    dead = sum(row["dlq"] for row in rows)
    if dead:
        attention.append(f"{dead} surat mati / dead letters (lapkin dlq list)")
    if ops.epoch() is None:
        attention.append("epoch Redis hilang / Redis epoch missing: data lost, not yet restored")
    found = ops.reconciliation()
    if found is None:
        typer.echo("rekonsiliasi / reconciliation: belum pernah / never run (lapkin reconcile)")
    else:
        gaps = sum(found["gaps"].values())
        typer.echo(f"rekonsiliasi / reconciliation {found['at']}: {gaps} celah / gaps")
        if gaps:
            attention.append("celah rekonsiliasi / reconciliation gaps (lapkin reconcile --repair)")
    attention += _file_store(ops.s)
    for line in attention:
        typer.echo(f"PERHATIAN/ATTENTION: {line}")
    if attention:
        raise typer.Exit(1)


def _file_store(settings: Settings) -> list[str]:
    """The file store's line of `lapkin status`: which one, and (database, s3) whether it answers a cheap look with a
    short timeout; a PERHATIAN/ATTENTION line when it does not (the services answer file requests 503 meanwhile)."""
    from shared.storage import describe_store, probe_store

    said = describe_store(settings)
    if settings.file_store == "local":
        typer.echo(f"penyimpanan berkas / file store: {said}")
        return []
    wrong = probe_store(settings)
    if wrong is None:
        typer.echo(f"penyimpanan berkas / file store: {said}: terjangkau / reachable")
        return []
    typer.echo(f"penyimpanan berkas / file store: {said}: TIDAK TERJANGKAU / UNREACHABLE")
    return [f"penyimpanan berkas tidak dapat dipakai / the file store cannot be used: {wrong}"]


def reconcile(
    repair: Annotated[bool, typer.Option("--repair", help="re-emit each gap's event from its owner's data")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="the result as JSON")] = False,
    grace: Annotated[float, typer.Option(help="seconds a change may still be on its way")] = 60.0,
    wait: Annotated[float, typer.Option(help="with --repair: seconds to wait for the gaps to close")] = 60.0,
) -> None:
    """Every service against the one before it (collector → aggregator → renderer → approval), from their own
    databases: lists the gaps, and says how many recent differences (changed within --grace) were not judged yet.

    Exit status: 0 no gaps; 1 gaps found (left after --repair); 2 could not check (a database missing or unreachable,
    with the reason as one line on stderr). Never creates a database or a folder."""
    from lapkin.reconcile import reconcile as run
    from lapkin.reconcile import record

    settings = _settings()
    outcome = run(settings, repair=repair, grace_s=grace, wait_s=wait)
    try:
        record(settings, outcome)
    except Exception as exc:  # Redis away: the check itself still stands
        typer.echo(f"(hasil tidak disimpan di Redis / result not stored in Redis: {exc})", err=True)
    gaps = outcome["items"]
    if as_json:
        typer.echo(json.dumps(outcome, ensure_ascii=False))
    else:
        from lapkin.reconcile import Gap

        for item in gaps:
            typer.echo(Gap(**item).line())
        if "repaired" in outcome:
            typer.echo(f"dikirim ulang / re-emitted: {outcome['repaired']} peristiwa / events")
        typer.echo(f"{len(gaps)} celah / gaps" if gaps else "tidak ada celah / no gaps")
        if outcome["recent"]:
            typer.echo(
                f"{outcome['recent']} perubahan terbaru belum dinilai (masih dalam {grace:g} detik) / recent changes "
                f"not judged yet (still within the {grace:g} s grace period): run again later"
            )
    if gaps:
        raise typer.Exit(1)


def trace(ident: Annotated[str, typer.Argument(help="submission id, correlation id, event id or draft id")]) -> None:
    """The whole path of a submission or a report: submitted → recap → draft → decisions → final document."""
    path = _ops().trace(ident)
    if not path:
        typer.echo("Tidak ditemukan / not found.")
        raise typer.Exit(1)
    for env in path:
        typer.echo(_line(env))


def _row(row: str, entry_id: str | None) -> tuple[str, str]:
    """(dead-letter stream, entry id) from a row id (`collector:1733…-0`, as `lapkin dlq list` prints it), a bare
    entry id, or the older form: the dead-letter stream and the entry id."""
    if entry_id is not None:
        return row, entry_id
    return _ops().find_row(row)


ROW_HELP = "row id as `lapkin dlq list` prints it (collector:1733472000000-0), or a dead-letter stream"
ENTRY_HELP = "the entry id, when the first argument is a dead-letter stream"


@dlq_app.command("list")
def dlq_list() -> None:
    """One line per dead letter: row id, the consumer group (the service) that failed it, event type, event id and
    reason. One poison event read by three groups is three dead letters, one per group; says so when there is none."""
    rows = _ops().dlq()
    if not rows:
        typer.echo("Tidak ada dead letter: setiap event sudah diproses. / No dead letters: every event was processed.")
        return
    for row in rows:
        env = row.get("envelope")
        env = env if isinstance(env, dict) else {}  # a malformed event's dead letter keeps it as text
        typer.echo(
            f"{row['row']}  grup/group={row.get('group') or '?'}  {env.get('type', '?')}  "
            f"event={env.get('event_id', '?')}  {row.get('dead_reason')}"
            + (f"  last_error={row['last_error']}" if row.get("last_error") else "")
        )


@dlq_app.command("show")
def dlq_show(
    row: Annotated[str, typer.Argument(help=ROW_HELP)],
    entry_id: Annotated[str | None, typer.Argument(help=ENTRY_HELP)] = None,
) -> None:
    """The dead letter whole, as JSON: the event as it was published, the group that failed it, the reason and how
    many times it was delivered."""
    dlq, entry = _row(row, entry_id)
    found = _ops().dlq_entry(dlq, entry)
    if found is None:
        raise DeadLetterNotFound(f"{dlq} {entry}")
    typer.echo(json.dumps(found, indent=2, ensure_ascii=False))


@dlq_app.command("replay")
def dlq_replay(
    row: Annotated[str, typer.Argument(help=ROW_HELP)],
    entry_id: Annotated[str | None, typer.Argument(help=ENTRY_HELP)] = None,
) -> None:
    """Redeliver the event to the consumer group that failed it, and to no other (its retry stream), with the same
    event_id; the dead letter is removed. Replaying the same row twice: the second finds no such dead letter."""
    dlq, entry = _row(row, entry_id)
    typer.echo(json.dumps(_ops().replay(dlq, entry)))


@dlq_app.command("drop")
def dlq_drop(
    row: Annotated[str, typer.Argument(help=ROW_HELP)],
    entry_id: Annotated[str | None, typer.Argument(help=ENTRY_HELP)] = None,
) -> None:
    """Remove this dead letter only (other groups' dead letters of the same event stay)."""
    dlq, entry = _row(row, entry_id)
    typer.echo(json.dumps(_ops().drop(dlq, entry)))


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
    app.add_typer(dlq_app, name="dlq")
    app.command("status")(status)
    app.command("reconcile")(reconcile)
    app.command("trace")(trace)
