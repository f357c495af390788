"""Officials: creation (API and CLI), tokens every service accepts, and taking them back: deactivation and a
password reset end every token and web session at once (`shared/revocation.py`). Logging in: `login.py`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.approval import login
from services.approval.answers import Pejabat, PejabatListed
from services.approval.models import Official, WebSessionRow
from shared import revocation
from shared.config import Settings
from shared.db import make_engine, make_existing_engine
from shared.errors import ApiError, ErrorItem, api_error
from shared.migrate import upgrade
from shared.sakip import JsonObject
from shared.security import configure_hashing_from, hash_password, issue_token
from shared.service import Runtime

log = logging.getLogger("lapkin.officials")
T = TypeVar("T")

ROLES = ("kepala_dinas", "sekretaris", "kabid", "subkor", "kasi", "staf", "operator", "inspektorat")


def public(o: Official) -> Pejabat:
    return {
        "id": o.id,
        "username": o.username,
        "nama": o.nama,
        "nip": o.nip,
        "jabatan": o.jabatan,
        "pangkat": o.pangkat,
        "golongan": o.golongan,
        "role": o.role,
        "unit": o.unit,
    }


def validate_new(data: JsonObject) -> list[ErrorItem]:
    errors = []
    for key in ("username", "password", "nama", "role"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.append(ErrorItem(key, "required", f"{key}: wajib diisi", f"{key}: is required"))
    if isinstance(data.get("role"), str) and data["role"] and data["role"] not in ROLES:
        errors.append(
            ErrorItem("role", "not_allowed", f"role: pilihan {', '.join(ROLES)}", f"role: one of {', '.join(ROLES)}")
        )
    # optional text (the OpenAPI's PejabatBaru): never a number or a list
    for key in ("nip", "jabatan", "unit", "pangkat", "golongan"):
        if data.get(key) is not None and not isinstance(data[key], str):
            errors.append(ErrorItem(key, "not_a_string", f"{key}: harus teks", f"{key}: must be text"))
    if isinstance(data.get("password"), str) and 0 < len(data["password"]) < 8:
        errors.append(
            ErrorItem("password", "too_short", "password: minimal 8 karakter", "password: at least 8 characters")
        )
    return errors


def create_official(session: Session, data: JsonObject) -> Official:
    errors = validate_new(data)
    if errors:
        raise ApiError(422, errors)
    official = Official(
        username=data["username"].strip(),
        password_hash=hash_password(data["password"]),
        nama=data["nama"],
        nip=data.get("nip") or "",
        jabatan=data.get("jabatan") or "",
        pangkat=(data.get("pangkat") or "").strip(),
        golongan=(data.get("golongan") or "").strip(),
        role=data["role"],
        unit=data.get("unit"),
    )
    session.add(official)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise api_error(
            409, "username", "username_taken", "Nama pengguna sudah dipakai.", "This username is taken."
        ) from exc
    session.refresh(official)
    return official


def create_official_cli(settings: Settings, **data: Any) -> Pejabat:
    return with_session(settings, lambda session: public(create_official(session, data)), create=True)


def issue_for(settings: Settings, official: Official) -> str:
    """A token for a logged-in official, of the official's current credential generation."""
    assert official.id is not None
    return issue_token(
        settings.resolved_secret_key(),
        official_id=official.id,
        username=official.username,
        role=official.role,
        unit=official.unit,
        ttl_s=settings.token_ttl_s,
        generation=official.token_generation,
    )


# ---- taking credentials back (the CLI: lapkin officials list|deactivate|reset-password|unlock) -------------------


class NotFound(Exception):
    pass


def by_username(session: Session, username: str) -> Official:
    official = session.exec(select(Official).where(Official.username == username)).first()
    if official is None:
        raise NotFound(username)
    return official


def end_sessions(session: Session, official: Official) -> None:
    """Raise the credential generation (every token issued so far dies) and delete the web sessions."""
    official.token_generation += 1
    session.add(official)
    for row in session.exec(select(WebSessionRow).where(WebSessionRow.official_id == official.id)):
        session.delete(row)


def deactivate(session: Session, username: str) -> Official:
    official = by_username(session, username)
    official.active = False
    end_sessions(session, official)
    session.commit()
    return official


def reset_password(session: Session, username: str, password: str) -> Official:
    if len(password) < 8:
        raise ApiError(422, [ErrorItem("password", "too_short", "password: minimal 8 karakter",
                                       "password: at least 8 characters")])  # fmt: skip
    official = by_username(session, username)
    official.password_hash = hash_password(password)
    end_sessions(session, official)
    session.commit()
    return official


def listing(session: Session) -> list[PejabatListed]:
    rows = session.exec(select(Official).order_by(col(Official.username)))
    return [{**public(o), "active": o.active} for o in rows]


def publish_generations(settings: Settings, officials: list[Official]) -> bool:
    """Tell every service at once (Redis); False when Redis did not answer (the approval service copies the
    database's generations there every few seconds while it runs)."""
    client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        revocation.publish(client, settings.stream_prefix, [(int(o.id or 0), o.token_generation) for o in officials])
        return True
    except RedisError:
        return False
    finally:
        client.close()


def unlock(settings: Settings, username: str) -> None:
    """Forget the username's failed logins from every client (their growing delays); raises RedisError when Redis is
    away."""
    client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=login.user_keys(settings.stream_prefix, username), count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def with_session(settings: Settings, work: Callable[[Session], T], *, create: bool = False) -> T:
    """`work` on the approval database, migrated first (the CLI's way in). Only with `create` (`officials create`)
    is a missing SQLite database made; otherwise it is DatabaseMissing (a wrong LAPKIN_DATA_DIR)."""
    configure_hashing_from(settings)  # a password set here costs what the service's login costs
    engine = make_engine(settings, "approval") if create else make_existing_engine(settings, "approval")
    try:
        upgrade(engine, "approval")
        with Session(engine, expire_on_commit=False) as session:
            return work(session)
    finally:
        engine.dispose()


async def sync_generations(rt: Runtime) -> None:
    """Copy every raised generation from the database to Redis, every few seconds (shared/revocation.py)."""
    while True:
        try:
            rows = await asyncio.to_thread(_raised, rt)
            await revocation.publish_async(rt.redis, rt.settings.stream_prefix, rows)
        except Exception as exc:  # the database or Redis away: the next round tries again
            log.warning("token generations not copied to Redis: %s", exc.__class__.__name__)
        await asyncio.sleep(revocation.SYNC_INTERVAL_S)


def _raised(rt: Runtime) -> list[tuple[int, int]]:
    with Session(rt.read_engine or rt.engine) as session:
        rows = session.exec(select(Official.id, Official.token_generation).where(Official.token_generation > 0))
        return [(int(i or 0), int(g)) for i, g in rows]


async def start(rt: Runtime) -> None:
    await asyncio.to_thread(login.dummy_hash)  # made now: the first unknown username costs what the others do
    rt.background.append(asyncio.create_task(sync_generations(rt), name="token-generations"))
