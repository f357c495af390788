"""Where the officials' app may send a browser back to: a path on this site only (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request


def safe_local(target: str | None) -> str | None:
    """A path on this site to send a browser back to, or None: `/draf/2024-TW1?semua=1` yes; `//evil.example`,
    `/\\evil`, `https://…`, `javascript:…`, control characters no (no open redirect)."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 0x20 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def local_referer(request: Request) -> str | None:
    """The page a form was posted from, when it is this site's."""
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    return safe_local(parts.path + (f"?{parts.query}" if parts.query else ""))
