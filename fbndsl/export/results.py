"""Reading `fbndsl search` results (`--from results.json --rank N`): one ranked architecture, the space's
`--set` values it was searched with, its sha256 and the supernet it was scored on.

Format "fbndsl-search/1": {"format", "space": {"file", "name", "sha256", "sets": {name: text}},
"supernet": run dir or null, "top": [{"rank": 1, "arch": canonical text, ...}, ...]}.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import UserError
from ..syntax.shipped import shown_name

FORMAT = "fbndsl-search/1"


@dataclass(frozen=True)
class Ranked:
    path: Path
    rank: int
    arch: str
    sets: Mapping[str, str]
    sha256: str
    space_file: str
    supernet: str | None


def read_ranked(path: str | Path, rank: int) -> Ranked:
    path = Path(path)
    data = _load(path)
    space = data.get("space")
    top = data.get("top")
    if not isinstance(space, dict) or not isinstance(top, list) or not isinstance(space.get("sha256"), str):
        raise UserError(f"--from {path}: no 'space' with its sha256 and 'top' list; not written by fbndsl search")
    entry = next((e for e in top if isinstance(e, dict) and e.get("rank") == rank), None)
    if entry is None or not isinstance(entry.get("arch"), str):
        raise UserError(f"--rank {rank}: {path} ranks {len(top)} architectures; choose a rank from 1 to {len(top)}")
    sets = space.get("sets") or {}
    supernet = data.get("supernet")
    if not isinstance(sets, dict) or not (supernet is None or isinstance(supernet, str)):
        raise UserError(f"--from {path}: malformed 'sets' or 'supernet'; not written by fbndsl search")
    return Ranked(path, rank, entry["arch"], {str(k): str(v) for k, v in sets.items()}, space["sha256"],
                  str(space.get("file", "?")), supernet)


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"--from {path}: cannot read it ({exc.strerror}); give the results.json of fbndsl search") \
            from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserError(f"--from {path}: not valid JSON; give the results.json of fbndsl search") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"--from {path}: not a results file of fbndsl search (format {FORMAT!r} expected)")
    return data


def check_space(ranked: Ranked, space) -> None:
    """The results rank architectures of one space's source; another source would give them another meaning."""
    if ranked.sha256 != space.source_sha256:
        raise UserError(f"--from {ranked.path}: the search ran on a space with sha256 {ranked.sha256[:12]}... "
                        f"({ranked.space_file}), but {shown_name(space.file)} has sha256 "
                        f"{space.source_sha256[:12]}...; export with --space {ranked.space_file}, or search again")
