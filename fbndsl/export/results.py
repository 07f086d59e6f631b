"""Reading `fbndsl search` results (`--from results.json --rank N`): one ranked architecture, the space's
`--set` values it was searched with, its sha256 and the supernet it was scored on.

Format "fbndsl-search/1": {"format", "space": {"file", "name", "sha256", "sets": {name: text}},
"supernet": run dir or null, "top": [{"rank": 1, "arch": canonical text, ...}, ...]}.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import schemas
from ..diagnostics import UserError
from ..syntax.shipped import shown_name

FORMAT = schemas.SEARCH_FORMAT


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
    space, top = data["space"], data["top"]
    entry = next((e for e in top if e["rank"] == rank), None)
    if entry is None:
        raise UserError(f"--rank {rank}: {path} ranks {len(top)} architectures; choose a rank from 1 to {len(top)}")
    return Ranked(path, rank, entry["arch"], space.get("sets", {}), space["sha256"], space.get("file", "?"),
                  data.get("supernet"))


def _load(path: Path) -> dict:
    """results.json, checked against `schemas.RESULTS_TOP` before any field is used."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--from {path}: cannot read it ({exc.strerror}); give the results.json of fbndsl search") \
            from None
    except UnicodeDecodeError:
        raise UserError(f"--from {path}: not valid JSON; give the results.json of fbndsl search") from None
    data = schemas.loads(text, path, fix="give the results.json of fbndsl search")
    schemas.check(data, schemas.RESULTS_TOP, path)
    return data


def check_space(ranked: Ranked, space) -> None:
    """The results rank architectures of one space's source; another source would give them another meaning."""
    if ranked.sha256 != space.source_sha256:
        raise UserError(f"--from {ranked.path}: the search ran on a space with sha256 {ranked.sha256[:12]}... "
                        f"({ranked.space_file}), but {shown_name(space.file)} has sha256 "
                        f"{space.source_sha256[:12]}...; export with --space {ranked.space_file}, or search again")
