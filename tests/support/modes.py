"""What in a folder of the data folder is readable by others than the owner: files must be 0600 and folders 0700
(shared/private.py, docs/storage.md)."""

from __future__ import annotations

import stat
from pathlib import Path


def loose_modes(root: Path) -> list[str]:
    """Every file under `root` not 0600 and every folder under it (root included) not 0700, with its mode."""
    loose = []
    for path in [root, *sorted(root.rglob("*"))]:
        want = 0o700 if path.is_dir() else 0o600
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode != want:
            loose.append(f"{path.relative_to(root.parent)} {mode:04o}")
    return loose
