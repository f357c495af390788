"""The office's clock: one rule for every service about which day and hour a moment is.

Events and rows keep UTC; whatever a person reads — "Dicetak pada", the dates of the Lembar Pengesahan and the
Lembar Disposisi, the pages' dates, "today" for a due date, a quarter's deadline — is in the office's time zone,
`LAPKIN_TIMEZONE` (default `Asia/Jakarta`, WIB; an office in WITA sets `Asia/Makassar`, in WIT `Asia/Jayapura`).

Each service calls `configure(settings)` as it starts (`shared.service.build_app`); `OFFICE` is a tzinfo that
follows that configuration, for code that wants a zone constant (`datetime.now(OFFICE)`, `dt.astimezone(OFFICE)`).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Jakarta"
LABELS = {  # what Indonesians call their three zones; any other zone shows its own abbreviation
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError naming the setting and the rule when there is none."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("LAPKIN_TIMEZONE: must name an IANA time zone such as Asia/Jakarta")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(
            f"LAPKIN_TIMEZONE: unknown time zone {name!r} "
            "(an IANA name: Asia/Jakarta for WIB, Asia/Makassar for WITA, Asia/Jayapura for WIT)"
        ) from exc


def _from_environment() -> ZoneInfo:
    """Until `configure` runs (a CLI command, a script): LAPKIN_TIMEZONE if it names a zone, else WIB."""
    try:
        return zone_of(os.environ.get("LAPKIN_TIMEZONE") or DEFAULT_ZONE)
    except ValueError:
        return ZoneInfo(DEFAULT_ZONE)  # Settings refuses it with the message when a service starts


_zone: ZoneInfo = _from_environment()


def configure(settings_or_name: Any) -> ZoneInfo:
    """Set this process's office zone from Settings (its `timezone`) or a zone name; returns it."""
    global _zone
    name = settings_or_name if isinstance(settings_or_name, str) else getattr(settings_or_name, "timezone", None)
    _zone = zone_of(name or DEFAULT_ZONE)
    return _zone


def office_zone(settings: Any = None) -> ZoneInfo:
    """The office's zone: from `settings` when given, else the one this process was configured with."""
    if settings is not None:
        return zone_of(getattr(settings, "timezone", None) or DEFAULT_ZONE)
    return _zone


def as_utc(value: datetime) -> datetime:
    """A stored moment, aware: the databases may hand it back naive (SQLite always does), and then it is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_office(value: datetime, zone: tzinfo | None = None) -> datetime:
    """The moment in the office's zone (a naive datetime is read as UTC, as the databases store it)."""
    return as_utc(value).astimezone(zone or _zone)


def office_now(zone: tzinfo | None = None) -> datetime:
    return datetime.now(zone or _zone)


def office_date(value: datetime | date | None = None, zone: tzinfo | None = None) -> date:
    """The office's calendar day of a moment (now when None); a date is already a day and is returned as it is."""
    if value is None:
        return office_now(zone).date()
    if not isinstance(value, datetime):
        return value
    return to_office(value, zone).date()


def zone_label(zone: tzinfo | None = None, when: datetime | None = None) -> str:
    """ "WIB", "WITA", "WIT", or the zone's own abbreviation."""
    z = zone or _zone
    key = getattr(z, "key", None)
    if key in LABELS:
        return LABELS[key]
    return (when or datetime.now(UTC)).astimezone(z).tzname() or str(key or z)


class _Office(tzinfo):
    """A tzinfo that is whatever zone the process was configured with (Indonesia's zones have no DST)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return _zone.utcoffset(dt.replace(tzinfo=None) if dt is not None else None)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return _zone.dst(dt.replace(tzinfo=None) if dt is not None else None)

    def tzname(self, dt: datetime | None) -> str | None:
        return zone_label()

    def fromutc(self, dt: datetime) -> datetime:
        return _zone.fromutc(dt.replace(tzinfo=_zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"OFFICE({_zone.key})"


OFFICE: tzinfo = _Office()
