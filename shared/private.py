"""What only the installation's own user may read: the data folder (`LAPKIN_DATA_DIR`), the secrets generated into
it (`secret_key` signs the officials' tokens and sessions, `admin_token` is the admin's bearer token) and the
embedded SQLite databases (`<service>.db`, whose WAL and shared-memory files SQLite creates with the database file's
mode). They are created that way (the folder 0700, the files 0600, never world-readable even for a moment, whatever
the process's umask), and an installation made before, with looser modes, is tightened when a service or `lapkin up`
starts (`tighten`), each change said in one log line."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SECRETS = ("secret_key", "admin_token")
SQLITE_SUFFIXES = (".db", ".db-wal", ".db-shm")


def private_dir(path: Path) -> Path:
    """The folder, made readable by the owner only when it does not exist yet (its missing parents as well)."""
    if not path.is_dir():
        for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
            try:
                missing.mkdir(mode=PRIVATE_DIR)
            except FileExistsError:  # another process of the install made it first
                pass
            else:
                os.chmod(missing, PRIVATE_DIR)  # mkdir's mode passes through the umask; chmod does not
    return path


def create_private(path: Path, data: bytes = b"") -> bool:
    """`path` created with mode 0600 holding `data`; False (nothing written) when it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), PRIVATE_FILE)  # the umask could only have removed bits: never mind, say it exactly
        out.write(data)
    return True


def write_private(target: Path, data: bytes) -> Path:
    """`target` holding `data`, mode 0600 and its missing folders 0700, replaced whole (a temp file of the same folder
    renamed over it: a reader sees the old bytes or the new, never half). A document written again keeps the mode."""
    folder = private_dir(target.parent)
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")  # 0600 whatever the umask
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def _tighten(path: Path, mode: int) -> str | None:
    """Remove the permissions beyond `mode`; the log line saying so (None: nothing to do, or not ours to change)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return None
    old = stat.S_IMODE(st.st_mode)
    if old & ~mode == 0:
        return None
    try:
        os.chmod(path, old & mode)
    except PermissionError:
        return f"{path}: mode {old:04o} is readable by others and cannot be changed here (owner only: {mode:04o})"
    return f"{path}: mode {old:04o} tightened to {old & mode:04o} (owner only)"


def tighten(data_dir: Path) -> list[str]:
    """The data folder, its secrets, its SQLite files and its logs made the owner's only; one line per change (the
    caller logs them). Nothing is created here."""
    changes = [_tighten(data_dir, PRIVATE_DIR)]
    changes += [_tighten(data_dir / name, PRIVATE_FILE) for name in SECRETS]
    if data_dir.is_dir():
        changes += [_tighten(p, PRIVATE_FILE) for p in sorted(data_dir.iterdir()) if p.name.endswith(SQLITE_SUFFIXES)]
    logs = data_dir / "logs"  # `lapkin up`'s logs (they name officials, units, documents), made 0644 before
    changes.append(_tighten(logs, PRIVATE_DIR))
    if logs.is_dir():
        changes += [_tighten(p, PRIVATE_FILE) for p in sorted(logs.iterdir()) if p.is_file()]
    return [c for c in changes if c is not None]
