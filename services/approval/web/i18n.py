"""Every label of the officials' web app, in Indonesian (the default) and English: the texts are the shared
catalogue's (shared/i18n), read here as the pages read them (`t`, `pick`), with the app's date, time and duration
formats."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared import clock
from shared.formatting import fmt_date
from shared.i18n import (
    ACTIONS,
    DEFAULT_LANG,
    FINAL_DOCUMENTS,
    JENIS,
    LANGS,
    PAGES,
    PERIODE_NAMES,
    STATES,
    VERIFIKASI,
    lang_of,
    pick,
)
from shared.i18n.catalogue import TINDAK_LANJUT
from shared.sakip import predikat_label

__all__ = [
    "ACTIONS", "DEFAULT_LANG", "DOCUMENT_TEXT", "JENIS", "LANGS", "PERIODE_NAMES", "STATES", "TEXT",
    "WIB", "fmt_datetime", "fmt_duration", "lang_of", "periode_name", "pick", "predikat", "t",
]  # fmt: skip
WIB = clock.OFFICE  # the office's zone (LAPKIN_TIMEZONE, shared/clock.py): WIB for Kota Tangerang
DOCUMENT_TEXT = FINAL_DOCUMENTS  # final documents and the Lembar Disposisi (web/final.py)
TEXT = {**PAGES, **FINAL_DOCUMENTS, **VERIFIKASI, **TINDAK_LANJUT}


def periode_name(code: str, lang: str) -> str:
    return pick(PERIODE_NAMES, code, lang)


def t(key: str, lang: str) -> str:
    entry = TEXT.get(key)
    return entry[lang] if entry else key


def predikat(value: str | None, lang: str) -> str:
    return predikat_label(value or None, lang, "–")


def fmt_datetime(value: datetime, lang: str) -> str:
    """ "8 Januari 2024 14.05 WIB" (id) / "8 January 2024 14:05 WIB" (en), in the office's time zone (WITA, WIT
    for offices there). A naive value is already office time."""
    zone = clock.office_zone()
    local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    hhmm = local.strftime("%H.%M") if lang == "id" else local.strftime("%H:%M")
    return f"{fmt_date(local, lang)} {hhmm} {clock.zone_label(zone)}"


def fmt_duration(value: timedelta, lang: str, *, seconds: bool = False) -> str:
    """A waiting time or a time standard: "2 hari 3 jam", "30 menit", "less than a minute"; with `seconds` a time
    under an hour keeps its seconds ("2 menit 33 detik"), so a measured 2,55 minutes never reads as a 2-minute
    standard met (the compliance page)."""
    total = max(int(value.total_seconds()), 0)
    if seconds and total < 3600 and total % 60:
        mins, secs = divmod(total, 60)
        names = {"id": ("menit", "detik"), "en": ("min", "s")}[lang]
        return " ".join(f"{n} {u}" for n, u in zip((mins, secs), names, strict=True) if n)
    minutes = total // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units = {"id": ("hari", "jam", "menit"), "en": ("d", "h", "min")}[lang]
    parts = [f"{n} {u}" for n, u in zip((days, hours, mins), units, strict=True) if n]
    if not parts:
        return "< 1 menit" if lang == "id" else "< 1 min"
    return " ".join(parts[:2])
