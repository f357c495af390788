"""`lapkin demo`'s pure parts: the demo officials' credentials file, the progress lines of a long wait, the paths it
prints, and the one warning line when LAPKIN_PUBLIC_BASE_URL is unset (tests/e2e/test_cli.py runs the demo itself)."""

from __future__ import annotations

import os
import stat
import time

import pytest

from lapkin import demo
from lapkin.cli import public_url_warning
from shared.config import Settings


def test_credentials_are_written_for_the_owner_only_and_read_back(tmp_path):
    path = tmp_path / "data" / "demo-pejabat.txt"
    rows = {
        "staf.demo": ["sandi-staf-123", "staf", "Rina Staf"],
        "kadis.demo": ["sandi-kadis-1", "kepala_dinas", "Dr. U"],
    }
    umask = os.umask(0o022)  # files made the ordinary way are world-readable
    try:
        demo.write_credentials(path, "http://127.0.0.1:8003/masuk", rows)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo.read_credentials(path) == rows
    text = path.read_text()
    assert "http://127.0.0.1:8003/masuk" in text and "staf.demo\tsandi-staf-123\tstaf\tRina Staf\n" in text
    # a world-readable file left where the new one is written does not lend it its mode
    leftover = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    leftover.write_text("x")
    leftover.chmod(0o644)
    demo.write_credentials(path, "http://x/masuk", rows)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not leftover.exists()
    assert demo.read_credentials(tmp_path / "none.txt") == {}


def test_new_passwords_are_long_and_different():
    made = {demo.new_password() for _ in range(20)}
    assert len(made) == 20 and all(len(p) >= 16 and "\t" not in p for p in made)


def test_a_long_wait_says_so_every_few_seconds(monkeypatch):
    monkeypatch.setattr(demo, "PROGRESS_EVERY_S", 0.2)
    said: list[str] = []
    d = demo.Demo(Settings(), said.append)
    until = time.monotonic() + 0.9
    assert d.wait("dokumen TAHUNAN (final)", lambda: time.monotonic() > until and "ok") == "ok"
    assert 2 <= len(said) <= 5 and all(s.startswith("   … menunggu dokumen TAHUNAN (final) (") for s in said), said
    with pytest.raises(RuntimeError, match="timed out waiting for x"):
        d.wait("x", lambda: None, timeout=0.1)


def test_paths_are_printed_relative_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert demo.shown(tmp_path / "data" / "documents" / "2024") == "data/documents/2024"
    assert demo.shown("/elsewhere/x") == "/elsewhere/x"


def test_the_public_url_warning_only_when_unset(monkeypatch):
    monkeypatch.delenv("LAPKIN_PUBLIC_BASE_URL", raising=False)
    local = Settings(approval_port=8003)  # type: ignore[call-arg]
    warning = public_url_warning(local)
    assert warning is not None and "\n" not in warning
    assert "http://127.0.0.1:8003" in warning and "LAPKIN_PUBLIC_BASE_URL=" in warning
    assert public_url_warning(Settings(public_base_url="https://lapkin.tangerangkota.go.id")) is None
    assert public_url_warning(Settings(public_base_url=" ")) is not None  # empty is unset (deploy/compose.yaml)


def test_the_kepala_dinas_is_the_pks_office_head():
    pk = {"instansi": {"kepala": {"nama": "Dr. X", "nip": "197205022002121009", "pangkat": "Pembina Utama Muda",
                                  "golongan": "IV/c"}}}  # fmt: skip
    kadis = demo.kepala_dinas(pk)
    assert kadis["role"] == "kepala_dinas" and kadis["nama"] == "Dr. X" and kadis["golongan"] == "IV/c"
    assert kadis["jabatan"] == "Kepala Dinas"  # the PK gives none: the role's name
