"""The officials' web app in a real browser: Debian's Chromium driven by Playwright (sync API), against the whole
system running as processes (the e2e `system` fixture).

Playwright's sync API runs its own event loop; it lives in a module-scoped fixture and is stopped at the module's
end, so pytest-asyncio tests that run later in the same session are not disturbed. No browser is ever downloaded:
the executable is `LAPKIN_CHROMIUM` (default /usr/bin/chromium). Without it every test here skips, its reason the
install command, before the system is started; under CI=true they fail instead (tests/support/programs.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import acknowledged, client, database_url, system  # noqa: F401  (shared fixtures)
from tests.support.programs import chromium_executable, chromium_missing, missing_program

CHROMIUM = chromium_executable()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the page screenshots go: docs/screenshots/ (the README's) with LAPKIN_UPDATE_SCREENSHOTS=1, else a
    temporary folder, so an ordinary test run leaves the work tree clean (the history shows today's date)."""
    if os.environ.get("LAPKIN_UPDATE_SCREENSHOTS") == "1":
        return README_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module", autouse=True)
def chromium_installed() -> None:
    """Autouse, so it runs before the module's other fixtures: a machine without the browser skips (or under
    CI=true fails) these tests before the four services are started for nothing."""
    reason = chromium_missing(CHROMIUM)
    if reason is not None:
        missing_program(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()
