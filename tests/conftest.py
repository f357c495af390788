import json
import os
from pathlib import Path

import pytest

from tests.support.s3 import s3_server  # noqa: F401 - a moto S3 server process, for the tests of the S3 file store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# argon2 at OWASP's floor (19 MiB, 2 passes, 1 lane: 0,04 s of CPU a hash instead of 0,22) in every service the tests
# start and every app they build: the suite hashes and verifies passwords about a thousand times, and the run is
# bound by CPU (docs/benchmarks.md). `lapkin demo` in tests/e2e/test_cli.py runs without LAPKIN_ settings, so with
# the defaults, as an office's install does; tests/unit/test_security.py checks the defaults.
for _name, _value in (("MEMORY_KIB", "19456"), ("TIME_COST", "2"), ("PARALLELISM", "1")):
    os.environ.setdefault(f"LAPKIN_PASSWORD_HASH_{_name}", _value)


@pytest.fixture(scope="session")
def pk_2024() -> dict:
    return json.loads((EXAMPLES / "pk-2024.json").read_text())


@pytest.fixture(scope="session")
def submissions_2024() -> list[dict]:
    return json.loads((EXAMPLES / "submissions-2024.json").read_text())


@pytest.fixture(scope="session")
def expected_rekap_2024() -> dict:
    return json.loads((EXAMPLES / "expected-rekap-2024.json").read_text())


@pytest.fixture(autouse=True)
def _fresh_log_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own memory of the warnings written (shared/logthrottle.py): a test asserting a "client gone"
    line must not find it held back because an earlier test in this process wrote one from the same address."""
    from shared import logthrottle

    monkeypatch.setattr(logthrottle, "THROTTLE", logthrottle.Throttle())
