"""The rule for programs some tests need from the machine (tests/support/programs.py, issue 16 item 9): without
Chromium the UI tests skip with the install command as the reason, except under CI=true, where they fail."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.support.programs import chromium_executable, chromium_missing, missing_program


def test_a_missing_chromium_names_the_install_command_and_the_setting(tmp_path: Path) -> None:
    reason = chromium_missing(str(tmp_path / "chromium"))
    assert reason is not None
    assert "apt-get install -y chromium" in reason
    assert "LAPKIN_CHROMIUM" in reason
    assert str(tmp_path / "chromium") in reason


def test_a_file_that_is_not_executable_is_missing_too(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    assert chromium_missing(str(browser)) is not None
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    assert chromium_missing(str(browser)) is None


def test_the_setting_names_the_browser_else_debians() -> None:
    assert chromium_executable({"LAPKIN_CHROMIUM": "/opt/chrome/chrome"}) == "/opt/chrome/chrome"
    assert chromium_executable({}) == "/usr/bin/chromium"


@pytest.mark.parametrize("environ", [{}, {"CI": "false"}, {"CI": ""}])
def test_outside_ci_a_missing_program_skips_with_the_install_command(environ: dict[str, str]) -> None:
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        missing_program("no Chromium at /x: apt-get install -y chromium", environ)


def test_under_ci_a_missing_program_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match="CI=true: no Chromium at /x"):
        missing_program("no Chromium at /x: apt-get install -y chromium", {"CI": "true"})
