"""Writing files so that a crash never leaves one half-written (temp file in place, then rename), and a lock that
keeps two runs out of one directory."""
from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    import msvcrt
    fcntl = None

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


# -- one run per directory -----------------------------------------------------------------------------------

LOCK_NAME = ".fbndsl.lock"
_WINDOWS_LOCK_BYTE = 1 << 20  # msvcrt locks a byte range that readers cannot read: one far past the holder's note


@contextmanager
def locked(directory: Path, what: str) -> Iterator[Path]:
    """Hold `directory`/.fbndsl.lock for as long as the `with` lasts, `what` (e.g. "fbndsl search") naming the run
    in the error that a second run gets: one line, before it has written anything but the lock file.

    The lock is the operating system's (flock on POSIX, msvcrt.locking on Windows), which ends with the process:
    a run that crashed or was killed leaves at most a file that the next run simply locks again. The directory is
    created if need be, and removed again at the end if it was created here and is still empty."""
    directory = Path(directory)
    fd, created = _acquire(directory, what)
    try:
        yield directory / LOCK_NAME
    finally:
        _release(fd, directory / LOCK_NAME)
        if created:
            _remove_if_empty(directory)


def _acquire(directory: Path, what: str) -> tuple[int, bool]:
    """(the open, locked file, whether the directory was created here), or a one-line UserError."""
    path, created = directory / LOCK_NAME, False
    while True:
        created = _make_directory(directory) or created
        fd = _open_lock_file(path)
        if not _try_lock(fd, path):
            holder = _read_holder(fd)
            os.close(fd)
            if created:
                _remove_if_empty(directory)
            raise UserError(_in_use(directory, holder))
        if _still_there(fd, path):
            _write_holder(fd, what)
            return fd, created
        os.close(fd)  # the holder we waited on unlinked this file as it let go: lock the one now in its place


def _make_directory(directory: Path) -> bool:
    """True when this call created `directory` (and the parents it lacked)."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"--out {directory}: is a file, not a directory; choose another --out")
    try:
        directory.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        raise UserError(f"--out {directory}: cannot create it ({exc.strerror}); choose another --out") from None
    return True


def _open_lock_file(path: Path) -> int:
    try:  # never O_TRUNC: the note of the run that holds the lock is what the error quotes
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UserError(f"{path}: cannot open the lock file ({exc.strerror}); choose another --out") from None


def _try_lock(fd: int, path: Path) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, _WINDOWS_LOCK_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):  # held by another process (Windows says EACCES)
        return False
    except OSError as exc:
        os.close(fd)
        raise UserError(f"{path}: cannot lock it ({exc.strerror}); the file system may not support locks, "
                        f"choose another --out") from None
    return True


def _still_there(fd: int, path: Path) -> bool:
    """Whether `fd` is still the file at `path`: a holder unlinks it before letting go (`_release`), so a lock won
    on a file already unlinked guards nothing."""
    try:
        now, ours = os.stat(path), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (now.st_dev, now.st_ino) == (ours.st_dev, ours.st_ino)


def _write_holder(fd: int, what: str) -> None:
    note = {"what": what, "pid": os.getpid(), "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": sys.argv}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(note) + "\n").encode("utf-8"))


_HOLDER_NOTE_WAIT = 2.0  # seconds: a holder writes its note just after it wins the lock; two runs started at once
# meet in that gap, and the refused one would otherwise name no pid


def _read_holder(fd: int) -> dict:
    """The holder's note, read through our own descriptor (the holder may unlink the path meanwhile); {} when it
    has not written one within _HOLDER_NOTE_WAIT."""
    deadline = time.monotonic() + _HOLDER_NOTE_WAIT
    while True:
        note = _read_note(fd)
        if note or time.monotonic() > deadline:
            return note
        time.sleep(0.02)


def _read_note(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        note = json.loads(os.read(fd, 1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return note if isinstance(note, dict) else {}


def _in_use(directory: Path, holder: dict) -> str:
    details = []
    if "pid" in holder:
        host = holder.get("host")
        elsewhere = f" on {host}" if host and host != socket.gethostname() else ""
        details.append(f"pid {holder['pid']}{elsewhere}")
    if "started" in holder:
        details.append(f"started {holder['started']}")
    who = f"another {holder.get('what', 'fbndsl run')}" + (f" ({', '.join(details)})" if details else "")
    return f"{directory} is in use by {who}; wait for it to finish, or choose another --out"


def _release(fd: int, path: Path) -> None:
    """Unlink the lock file, then let go (in that order: a run that locks the file in between finds it unlinked
    and starts again, rather than two runs each holding a lock on a different file). Windows cannot unlink an
    open file: there the file stays, to be locked again."""
    if fcntl is not None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    os.close(fd)


def _remove_if_empty(directory: Path) -> None:
    try:
        os.rmdir(directory)
    except OSError:  # not empty, or gone: either way not ours to remove
        pass
