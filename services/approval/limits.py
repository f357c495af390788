"""The longest text each free-text field takes, in characters: the web forms' `maxlength` and the server's check
(JSON API and web forms alike) say the same. Far below the request body limit (`settings.max_body_bytes`), so an
over-long text is refused naming its field, and the web form comes back with the text kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import ApiError, ErrorItem

MAX_TEXT = {"note": 4000, "catatan": 4000, "instruksi": 2000, "hasil": 4000, "hasil_diharapkan": 2000}
LABELS = {
    "note": ("Catatan", "Note"),
    "catatan": ("Catatan", "Note"),
    "instruksi": ("Instruksi", "Instruction"),
    "hasil": ("Hasil", "Result"),
    "hasil_diharapkan": ("Hasil yang diharapkan", "Expected result"),
}


def length(value: str) -> int:
    """A text's length as the browser's `maxlength` counts it: a line break is one character, though a form sends
    it as CR LF (an official who filled the box to its limit was refused for the line breaks: outsider check)."""
    return len(value.replace("\r\n", "\n"))


def too_long(field: str, value: Any, label: tuple[str, str] | None = None) -> ErrorItem | None:
    """The error for a text over its field's limit (None when within it, or not text)."""
    limit = MAX_TEXT[field]
    if not isinstance(value, str) or length(value) <= limit:
        return None
    name_id, name_en = label or LABELS.get(field, (field, field))
    return ErrorItem(
        field,
        "too_long",
        f"{name_id}: paling banyak {limit:,} karakter (terisi {length(value):,}).".replace(",", "."),
        f"{name_en}: at most {limit:,} characters ({length(value):,} entered).",
    )


def check(body: Mapping[str, object], *fields: str) -> None:
    """422 naming every listed field of a JSON body whose text is over its limit."""
    errors = [e for f in fields if (e := too_long(f, body.get(f))) is not None]
    if errors:
        raise ApiError(422, errors)
