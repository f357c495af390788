"""Programs some tests need from the machine (Chromium, LibreOffice, poppler), which pip does not install.

Missing, the test skips and its reason is the command that installs the program, so `make test` on a laptop says
what to do; under `CI=true` it fails instead: `.ci/run` installs them all, and a runner without one must not pass
with those tests quietly skipped."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import pytest

CHROMIUM_SETTING = "LAPKIN_CHROMIUM"
CHROMIUM_DEFAULT = "/usr/bin/chromium"


def missing_program(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip with `reason` (which names the install command), or fail under CI=true."""
    if environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}; .ci/run installs it")
    pytest.skip(reason)


def chromium_executable(environ: Mapping[str, str] = os.environ) -> str:
    """The browser tests/ui/ drives: LAPKIN_CHROMIUM, else Debian's /usr/bin/chromium (none is ever downloaded)."""
    return environ.get(CHROMIUM_SETTING) or CHROMIUM_DEFAULT


def chromium_missing(executable: str) -> str | None:
    """Why the UI tests cannot run, with what fixes it; None when `executable` is a program this user may run."""
    if Path(executable).is_file() and os.access(executable, os.X_OK):
        return None
    return (
        f"no Chromium at {executable}: apt-get install -y chromium (Debian/Ubuntu), "
        f"or set {CHROMIUM_SETTING} to a Chromium executable"
    )
