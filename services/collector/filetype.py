"""The collector's evidence types: PDF, PNG, JPEG or xlsx, told by content (shared/filetype.py, which the approval
service's follow-up evidence uses too)."""

from __future__ import annotations

from shared.filetype import ACCEPTED, EXTENSIONS, HEAD_BYTES, MAX_FILENAME, XLSX, Detected, detect, named_as

__all__ = ["ACCEPTED", "EXTENSIONS", "HEAD_BYTES", "MAX_FILENAME", "XLSX", "Detected", "detect", "named_as"]
