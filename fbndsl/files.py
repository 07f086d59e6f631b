"""Writing files so that a crash never leaves one half-written: temp file in place, then rename."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .diagnostics import UserError


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(f"{path}: the folder {directory} does not exist; create it or choose another path")
    tmp = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    # os.open applies the umask to 0o666, as open() does (mkstemp would make the file 0600, unreadable to the
    # user's group once renamed); O_EXCL never reuses another writer's temp file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _keep_mode(fd, path)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _keep_mode(fd: int, path: Path) -> None:
    """A rewrite keeps the permissions the file has."""
    try:
        os.fchmod(fd, path.stat().st_mode & 0o7777)
    except FileNotFoundError:
        pass
