"""The settings as every `lapkin` command reads them: a bad one is one line naming it (`LAPKIN_FILE_STORE=databse`),
never pydantic's dump, and never repeating a secret's value (`LAPKIN_S3_SECRET_KEY=**********`)."""

from __future__ import annotations

import re
from typing import Any

import typer
from pydantic import AliasChoices, SecretStr, ValidationError
from pydantic.fields import FieldInfo

from shared.config import Settings

SECRET_NAME = re.compile(r"secret|password|token|pass\b|_key$")  # settings whose value is (or may be) a secret
USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://).*@", re.DOTALL)  # scheme://user:pass@ (to the last "@")
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
            given = _shown(field, info, e.get("input"))
            said.append(f"{name}={given}: {e['msg'].removeprefix('Value error, ')}")
        typer.echo("Pengaturan tidak sah / invalid setting: " + "; ".join(said), err=True)
        raise typer.Exit(CANNOT_ACT) from None


def _shown(field: str, info: FieldInfo | None, value: Any) -> str:
    """What the error line may repeat of a refused value: nothing of a secret setting, and no address's user info
    (`http://AKIA…:secret@host` is shown `'http://***@host'`), so a pasted credential never reaches a log."""
    if value is None:
        return "None"
    secret = info is not None and SecretStr in getattr(info.annotation, "__args__", (info.annotation,))
    if secret or SECRET_NAME.search(field):
        return "**********"
    return repr(USER_INFO.sub(r"\1***@", value)) if isinstance(value, str) else repr(value)
