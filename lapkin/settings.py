"""The settings as every `lapkin` command reads them: a bad one is one line naming it (`LAPKIN_FILE_STORE=databse`),
never pydantic's dump, and never repeating a secret's value (`LAPKIN_S3_SECRET_KEY=**********`)."""

from __future__ import annotations

import typer
from pydantic import AliasChoices, SecretStr, ValidationError

from shared.config import Settings

CANNOT_ACT = 2  # exit status: the command could not check or act (Redis, a database, an unknown name, a setting)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        said = []
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else ""
            info = Settings.model_fields.get(field)
            alias = info.validation_alias if info is not None else None
            name = alias.choices[0] if isinstance(alias, AliasChoices) else f"LAPKIN_{field.upper()}"
            secret = info is not None and SecretStr in getattr(info.annotation, "__args__", (info.annotation,))
            given = "**********" if secret and e.get("input") is not None else repr(e.get("input"))
            said.append(f"{name}={given}: {e['msg'].removeprefix('Value error, ')}")
        typer.echo("Pengaturan tidak sah / invalid setting: " + "; ".join(said), err=True)
        raise typer.Exit(CANNOT_ACT) from None
