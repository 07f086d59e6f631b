"""The spaces shipped with fbndsl, and what a `--space` value names: a file, or a shipped space by its name
(`nb201`, `nb201.nas`); and a space's file as a user should read it (`shown_name`)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..diagnostics import UserError

# fbndsl/spaces in an installed wheel, the repository's spaces/ in a checkout
PACKAGE = Path(__file__).resolve().parent.parent
SPACES_DIRS = (PACKAGE / "spaces", PACKAGE.parent / "spaces")


def find_space(path) -> Path:
    """The file a `--space` value names: an existing file as given; else a bare name, with or without `.nas`, of
    a shipped space (`nb201`, `nb201.nas` -> spaces/nb201.nas). A path with folders that does not exist is left
    for `load` to report."""
    p = Path(path)
    if p.is_file() or _has_folder(path):
        return p
    shipped = shipped_spaces()
    if p.suffix in ("", ".nas") and p.stem in shipped:
        return shipped[p.stem]
    if p.exists():  # a folder: `load` says it cannot be read
        return p
    raise UserError(f"{path}: no such file, and no shipped space of that name (shipped: {', '.join(shipped)}); "
                    f"give the path of a .nas file or a shipped space's name")


def _has_folder(path) -> bool:
    # on the text as typed: Path("./nb201") drops the "./" that says the user meant a file here
    head, _ = os.path.split(os.fspath(path))
    return bool(head)


def shown_name(file: str | os.PathLike) -> str:
    """A space's file as a user should read it: a shipped space by its name, not by where it is installed
    (`nb201 (shipped space)`); any other file as it was given."""
    for name, shipped in shipped_spaces().items():
        if os.fspath(file) == os.fspath(shipped):
            return f"{name} (shipped space)"
    return os.fspath(file)


def shipped_spaces() -> Mapping[str, Path]:
    for d in SPACES_DIRS:
        if d.is_dir():
            return {p.stem: p for p in sorted(d.glob("*.nas"))}
    return {}
