"""Which DATABASE_URL is PostgreSQL (shared/db.py `on_postgresql`): every spelling the services accept — the older
`postgres://` too, which `service_url` gives the services' driver — so no command refuses the database store, or
`lapkin db copy` a target, that the services themselves would run on."""

from __future__ import annotations

import pytest

from lapkin.dbcopy import CopyRefused, target_url
from shared.config import Settings
from shared.db import on_postgresql, service_url


@pytest.mark.parametrize(
    ("url", "postgresql"),
    [
        ("postgresql://postgres@127.0.0.1:5432/lapkin", True),
        ("postgresql+psycopg://postgres@127.0.0.1/lapkin", True),
        ("postgres://postgres:rahasia@db.kantor/lapkin", True),
        ("sqlite:////var/lib/lapkin/lapkin.db", False),
        ("sqlite://", False),
        ("bukan url", False),
        (None, False),
    ],
)
def test_which_database_url_is_postgresql(url: str | None, postgresql: bool) -> None:
    assert on_postgresql(Settings(database_url=url)) is postgresql


def test_the_older_spelling_reaches_the_services_driver_and_is_a_copy_target() -> None:
    settings = Settings(database_url="postgres://postgres@db.kantor/lapkin")
    assert service_url(settings, "collector").startswith("postgresql+psycopg://")
    assert target_url("postgres://postgres@db.kantor/lapkin") == "postgres://postgres@db.kantor/lapkin"
    with pytest.raises(CopyRefused):
        target_url("mysql://root@db.kantor/lapkin")


@pytest.mark.parametrize("driver", ["postgresql+psycopg2", "postgresql+asyncpg", "postgres", "postgresql"])
def test_any_postgresql_driver_named_reaches_the_one_the_services_ship(driver: str) -> None:
    """Outsider check: `--to postgresql+psycopg2://…` printed a 71-line traceback (no module psycopg2)."""
    url = service_url(Settings(database_url=f"{driver}://postgres:rahasia@db.kantor:5432/lapkin"), "collector")
    assert url == "postgresql+psycopg://postgres:rahasia@db.kantor:5432/lapkin"
