"""keys.py and pk.py refuse with the core's domain errors, not HTTP ones: api.py maps them to the same 404 (one
mapping, `http_error`), and the CLI (`lapkin keys revoke`) prints them as its one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from sqlmodel import Session, SQLModel, create_engine

from lapkin.cli import CANNOT_ACT, one_line_errors
from services.collector import keys, pk
from services.collector.api import http_error
from services.collector.core.errors import NotFound
from services.collector.models import ApiKey, PkVersion


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[ApiKey.__table__, PkVersion.__table__])  # type: ignore[attr-defined]
    with Session(engine) as s:
        yield s


def test_revoking_an_unknown_key_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        keys.revoke(session, 42)
    assert [(p.field, p.rule) for p in err.value.problems] == [("id", "not_found")]
    assert http_error(err.value).status == 404


def test_an_unknown_pk_or_version_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        pk.one(session, 2024, None)
    assert [(p.field, p.rule) for p in err.value.problems] == [("tahun", "pk_not_found")]
    session.add(PkVersion(tahun=2024, version=1, body='{"sasaran": []}'))
    session.commit()
    assert pk.one(session, 2024, None)["version"] == 1
    with pytest.raises(NotFound) as err:
        pk.one(session, 2024, 7)
    assert [(p.field, p.rule) for p in err.value.problems] == [("version", "unknown_version")]


def test_the_cli_prints_a_collector_refusal_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited, one_line_errors():
        raise NotFound.one("id", "not_found", "Kunci API 42 tidak ada.", "No API key 42.")
    assert exited.value.exit_code == CANNOT_ACT
    assert capsys.readouterr().err.strip() == "Kunci API 42 tidak ada. / No API key 42."
