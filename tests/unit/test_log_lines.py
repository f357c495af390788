"""A service's log is JSON lines: a library's warning too (the newcomer found pyHanko's, two lines of raw text, in
the renderer's and the approval service's logs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARNS = """
import sys, warnings
sys.path.insert(0, sys.argv[1])
from shared.observability import configure_logging
configure_logging("renderer")
warnings.warn("hati-hati / careful", UserWarning)
warnings.warn("DSA is deprecated and will be removed in a future release", DeprecationWarning)
"""


def test_a_warning_is_a_json_line_and_the_dsa_deprecation_none() -> None:
    done = subprocess.run([sys.executable, "-c", WARNS, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    line = json.loads(lines[0])
    assert line["level"] == "WARNING" and "hati-hati / careful" in line["message"] and line["service"] == "renderer"
