"""requirements/*.lock pin what CI tested (`make install` installs requirements/dev.lock, the image
requirements/runtime.lock): a dependency added to pyproject.toml without `make lock` fails here, naming it, before
an install fails on a machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*([^#]+?))?\s*(?:#.*)?$")


def pins(lock: str) -> dict[str, list[tuple[Version, str]]]:
    """name -> each (version, environment marker) the lock pins it at (a universal lock pins some twice, one per
    Python version)."""
    out: dict[str, list[tuple[Version, str]]] = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            m = PIN.match(line)
            assert m, f"{lock}: not a pin: {line!r}"
            out.setdefault(canonicalize_name(m[1]), []).append((Version(m[2]), (m[3] or "").strip()))
    return out


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def unmet(requirements: list[Requirement], pinned: dict[str, list[tuple[Version, str]]]) -> list[str]:
    problems = []
    for req in requirements:
        found = pinned.get(canonicalize_name(req.name))
        if not found:
            problems.append(f"{req}: not in the lock")
        for version, _marker in found or ():
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req}: the lock pins {version}")
    return problems


def test_the_dev_lock_pins_every_dependency_and_dev_extra_within_its_range():
    problems = unmet(declared("dev"), pins("dev.lock"))
    assert not problems, f"run `make lock` and commit requirements/: {problems}"


def test_the_runtime_lock_pins_the_dependencies_at_the_versions_ci_tested():
    runtime, dev = pins("runtime.lock"), pins("dev.lock")
    assert not unmet(declared(), runtime)
    differ = [name for name, at in runtime.items() if sorted(at) != sorted(dev.get(name, []))]
    assert not differ, f"runtime.lock pins these otherwise than dev.lock (run `make lock`): {differ}"
    assert "pytest" not in runtime and "pytest" in dev


def test_a_dependency_missing_from_the_lock_is_named():
    pinned = pins("dev.lock")
    added = [Requirement("lapkin-no-such-package>=1.20"), Requirement("fastapi>=999")]
    problems = unmet(added, pinned)
    assert problems[0] == "lapkin-no-such-package>=1.20: not in the lock"
    assert problems[1].startswith("fastapi>=999: the lock pins")
