"""Locating and loading the Lark grammar (`grammars/nas.lark`)."""
from __future__ import annotations

import functools
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent
# An installed wheel carries the grammar inside the package; a source checkout has it at the top level.
_CANDIDATES = (_HERE / "grammars" / "nas.lark", _HERE.parent / "grammars" / "nas.lark")


def grammar_path() -> Path:
    for path in _CANDIDATES:
        if path.is_file():
            return path
    raise AssertionError(f"nas.lark not found in {[str(p) for p in _CANDIDATES]}")


def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def parser():
    import lark

    return lark.Lark(grammar_text(), parser="lalr", propagate_positions=True,
                     maybe_placeholders=True, cache=_cache_allowed())


def _cache_allowed() -> bool:
    # Lark caches the LALR tables in the temp dir; a read-only temp dir must not break compiling.
    import os
    import tempfile

    return os.access(tempfile.gettempdir(), os.W_OK)
