"""Reading a program's files: the prelude, then every include (each once, in include order), then the main file.

An unreadable main file is a `UserError`; an unreadable include and an include cycle are `NasError`s located at
the `include` that names them. Names are resolved later, by `passes.resolve`.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..diagnostics import NasError, Span, UserError
from . import ast
from .limits import MAX_SOURCE_BYTES, check_size
from .parse import parse

PRELUDE = Path(__file__).resolve().parent.parent / "prelude.nas"


def load(path: str | Path, text: str | None = None) -> list[ast.Program]:
    """The prelude, then every file in include order (each once), then the main file (`text`, when given)."""
    programs: list[ast.Program] = [parse(PRELUDE.read_text(encoding="utf-8"), "<prelude>")]
    _load(Path(path), text, programs, stack=[], seen=set())
    return programs


def _load(path: Path, text, out, stack, seen, at: Span | None = None) -> None:
    key = str(path.resolve()) if text is None else str(path)
    if key in stack:
        cycle = " -> ".join(Path(p).name for p in stack[stack.index(key):] + [key])
        raise NasError(at, f"include cycle: {cycle}")
    if key in seen:
        return
    seen.add(key)
    program = parse(_read(path, at) if text is None else text, str(path))
    for item in program.items:
        if isinstance(item, ast.Include):
            _load(path.parent / item.path, None, out, stack + [key], seen, item.span)
    out.append(program)


def _read(path: Path, at: Span | None) -> str:
    try:
        return _read_bounded(path).decode("utf-8")
    except _TooLarge as exc:
        if at is None:
            raise UserError(f"{path}: {exc}") from None
        raise NasError(at, f"cannot include '{path}': {exc}") from None
    except FileNotFoundError:
        if at is None:
            raise UserError(f"{path}: no such file; give the path of a .nas file") from None
        raise NasError(at, f"cannot include '{path}': no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        where = f"{path}: " if at is None else ""
        if at is None:
            raise UserError(f"{where}cannot read: {exc}") from None
        raise NasError(at, f"cannot include '{path}': {exc}") from None


class _TooLarge(Exception):
    """A file over MAX_SOURCE_BYTES; its text says by how much."""


def _read_bounded(path: Path) -> bytes:
    """At most one byte past the limit is read: a huge file, or a pipe or device with no size, costs nothing."""
    with path.open("rb") as f:
        data = f.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            size = max(os.fstat(f.fileno()).st_size, len(data))
            raise _TooLarge(check_size(size))
    return data
