"""The settings as every `lapkin` command reads them: a bad one is one line naming it (`LAPKIN_FILE_STORE=databse`),
never pydantic's dump."""

from __future__ import annotations

import typer
from pydantic import AliasChoices, ValidationError

from shared.config import Settings

CANNOT_ACT = 2  # exit status: the command could not check or act (Redis, a database, an unknown name, a setting)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        said = []
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else ""
            alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
            name = alias.choices[0] if isinstance(alias, AliasChoices) else f"LAPKIN_{field.upper()}"
            said.append(f"{name}={e.get('input')!r}: {e['msg']}")
        typer.echo("Pengaturan tidak sah / invalid setting: " + "; ".join(said), err=True)
        raise typer.Exit(CANNOT_ACT) from None
