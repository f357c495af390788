"""`lapkin officials create --pangkat … --golongan …` (issue #15 item 8): an official's pangkat and golongan are kept
for the signature block, and answered where officials are listed; without them they stay empty."""

from __future__ import annotations

from sqlmodel import Session, select

from services.approval.models import Official
from services.approval.officials import public
from shared.config import Settings
from shared.db import make_existing_engine
from tests.integration.ops.test_cli_errors import lapkin


def test_officials_create_keeps_pangkat_and_golongan(tmp_path, settings):
    data = tmp_path / "office"
    made = lapkin(settings, "officials", "create", "--username", "kadis", "--nama", "Ir. Wahyu Pratama, M.Si",
                  "--role", "kepala_dinas", "--password", "rahasia-sekali", "--nip", "196805051994031002",
                  "--pangkat", "Pembina Utama Muda", "--golongan", "IV/c",
                  LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)  # fmt: skip
    assert made.exit_code == 0, made.output
    plain = lapkin(settings, "officials", "create", "--username", "staf", "--nama", "Rina Staf", "--role", "staf",
                   "--password", "rahasia-sekali", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)  # fmt: skip
    assert plain.exit_code == 0, plain.output
    engine = make_existing_engine(Settings(DATABASE_URL=None, data_dir=data), "approval")  # type: ignore[call-arg]
    try:
        with Session(engine) as db:
            rows = {o.username: public(o) for o in db.exec(select(Official))}
    finally:
        engine.dispose()
    assert (rows["kadis"]["pangkat"], rows["kadis"]["golongan"]) == ("Pembina Utama Muda", "IV/c")
    assert (rows["staf"]["pangkat"], rows["staf"]["golongan"]) == ("", "")


def test_officials_create_makes_an_inspektorat_and_lists_it(tmp_path, settings):
    """The evaluator's role (issue 17): made from the command line like any other, listed with its whole name."""
    data = tmp_path / "office"
    made = lapkin(settings, "officials", "create", "--username", "dewi.inspektorat", "--nama", "Dewi Auditor",
                  "--role", "inspektorat", "--password", "rahasia-sekali", LAPKIN_DATA_DIR=str(data),
                  DATABASE_URL=None)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "(inspektorat)" in made.output
    listed = lapkin(settings, "officials", "list", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)
    assert listed.exit_code == 0, listed.output
    assert "dewi.inspektorat     inspektorat " in listed.output
    wrong = lapkin(settings, "officials", "create", "--username", "x", "--nama", "X", "--role", "inspektur",
                   "--password", "rahasia-sekali", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)  # fmt: skip
    assert wrong.exit_code != 0
