"""`lapkin officials create` and `reset-password` without `--password` (outsider finding 10): a password typed on the
command line stays in `ps` and the shell's history, so the command asks for it at the terminal, hidden and twice, and
a script can give it in LAPKIN_OFFICIAL_PASSWORD instead; `--password` still works for scripts."""

from __future__ import annotations

from sqlmodel import Session, select
from typer.testing import CliRunner

from lapkin.cli import app
from services.approval.models import Official
from shared.config import Settings
from shared.db import make_existing_engine
from shared.security import verify_password


def _run(settings: Settings, data: str, *args: str, input: str | None = None, **env: str):
    base = {"LAPKIN_DATA_DIR": data, "DATABASE_URL": None, "REDIS_URL": settings.redis_url,
            "LAPKIN_STREAM_PREFIX": settings.stream_prefix, "LAPKIN_ADMIN_TOKEN": "adm", "LAPKIN_SECRET_KEY": "secret",
            "LAPKIN_OFFICIAL_PASSWORD": None}  # fmt: skip
    return CliRunner().invoke(app, list(args), input=input, env={**base, **env})


def _hashes(data) -> dict[str, str]:
    engine = make_existing_engine(Settings(DATABASE_URL=None, data_dir=data), "approval")  # type: ignore[call-arg]
    try:
        with Session(engine) as db:
            return {o.username: o.password_hash for o in db.exec(select(Official))}
    finally:
        engine.dispose()


def test_password_is_prompted_hidden_and_confirmed(tmp_path, settings):
    data = tmp_path / "office"
    who = ["officials", "create", "--username", "kadis", "--nama", "Ir. Wahyu", "--role", "kepala_dinas"]
    # typed twice differently: asked again, and the second pair, which matches, is the one kept
    made = _run(settings, str(data), *who, input="rahasia-satu\nrahasia-dua\nrahasia-sekali\nrahasia-sekali\n")
    assert made.exit_code == 0, made.output
    assert "Kata sandi / password" in made.output and "Repeat for confirmation" in made.output
    assert "rahasia" not in made.output  # hidden: never echoed
    assert verify_password("rahasia-sekali", _hashes(data)["kadis"])

    reset = _run(settings, str(data), "officials", "reset-password", "kadis", input="sandi-baru-9\nsandi-baru-9\n")
    assert reset.exit_code == 0, reset.output
    assert "sandi-baru" not in reset.output
    assert verify_password("sandi-baru-9", _hashes(data)["kadis"])


def test_password_from_the_environment_or_the_option(tmp_path, settings):
    data = tmp_path / "office"
    env = _run(settings, str(data), "officials", "create", "--username", "staf", "--nama", "Rina", "--role", "staf",
               LAPKIN_OFFICIAL_PASSWORD="dari-lingkungan")  # fmt: skip
    assert env.exit_code == 0, env.output
    assert "Kata sandi" not in env.output  # not asked
    opt = _run(settings, str(data), "officials", "create", "--username", "subkor", "--nama", "Budi", "--role",
               "subkor", "--password", "dari-opsi-123")  # fmt: skip
    assert opt.exit_code == 0, opt.output
    hashes = _hashes(data)
    assert verify_password("dari-lingkungan", hashes["staf"])
    assert verify_password("dari-opsi-123", hashes["subkor"])
