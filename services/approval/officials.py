"""Officials: creation (API and CLI), login with a lock-out after repeated failures, tokens every service accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.approval.models import Official
from shared.config import Settings
from shared.db import make_engine
from shared.errors import ApiError, ErrorItem, api_error
from shared.migrate import upgrade
from shared.security import hash_password, issue_token, verify_password

ROLES = ("sekretaris", "kabid", "subkor", "kasi", "staf", "operator")
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def public(o: Official) -> dict[str, Any]:
    return {
        "id": o.id,
        "username": o.username,
        "nama": o.nama,
        "nip": o.nip,
        "jabatan": o.jabatan,
        "role": o.role,
        "unit": o.unit,
    }


def validate_new(data: dict[str, Any]) -> list[ErrorItem]:
    errors = []
    for key in ("username", "password", "nama", "role"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.append(ErrorItem(key, "required", f"{key}: wajib diisi", f"{key}: is required"))
    if isinstance(data.get("role"), str) and data["role"] and data["role"] not in ROLES:
        errors.append(
            ErrorItem("role", "not_allowed", f"role: pilihan {', '.join(ROLES)}", f"role: one of {', '.join(ROLES)}")
        )
    if isinstance(data.get("password"), str) and 0 < len(data["password"]) < 8:
        errors.append(
            ErrorItem("password", "too_short", "password: minimal 8 karakter", "password: at least 8 characters")
        )
    return errors


def create_official(session: Session, data: dict[str, Any]) -> Official:
    errors = validate_new(data)
    if errors:
        raise ApiError(422, errors)
    official = Official(
        username=data["username"].strip(),
        password_hash=hash_password(data["password"]),
        nama=data["nama"],
        nip=data.get("nip") or "",
        jabatan=data.get("jabatan") or "",
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


def create_official_cli(settings: Settings, **data: Any) -> dict[str, Any]:
    engine = make_engine(settings, "approval")
    try:
        upgrade(engine, "approval")
        with Session(engine) as session:
            return public(create_official(session, data))
    finally:
        engine.dispose()


BAD_LOGIN = api_error(
    401, "password", "bad_credentials", "Nama pengguna atau kata sandi salah.", "Wrong username or password."
)


def login(session: Session, settings: Settings, username: str, password: str) -> tuple[Official, str]:
    """A token on success; five failures lock the account for 15 minutes (and say so)."""
    official = session.exec(select(Official).where(Official.username == username)).first()
    now = datetime.now(UTC)
    if official is None or not official.active:
        verify_password(password, _DUMMY_HASH)  # same cost whether or not the user exists
        raise BAD_LOGIN
    locked = official.locked_until
    if locked is not None and locked.replace(tzinfo=locked.tzinfo or UTC) > now:
        raise api_error(
            429,
            "username",
            "locked_out",
            f"Akun dikunci sementara karena {MAX_FAILED_LOGINS} kali gagal masuk; coba lagi nanti.",
            f"Account locked after {MAX_FAILED_LOGINS} failed logins; try again later.",
        )
    if not verify_password(password, official.password_hash):
        official.failed_logins += 1
        if official.failed_logins >= MAX_FAILED_LOGINS:
            official.locked_until, official.failed_logins = now + timedelta(minutes=LOCK_MINUTES), 0
        session.add(official)
        session.commit()
        raise BAD_LOGIN
    official.failed_logins, official.locked_until = 0, None
    session.add(official)
    session.commit()
    assert official.id is not None
    token = issue_token(
        settings.resolved_secret_key(),
        official_id=official.id,
        username=official.username,
        role=official.role,
        unit=official.unit,
        ttl_s=settings.token_ttl_s,
    )
    return official, token


_DUMMY_HASH = hash_password("lapkin-dummy-password")
