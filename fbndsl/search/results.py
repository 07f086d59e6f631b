"""`results.json`: a search's record, written after every evaluation so that `--resume` can continue it.

    {"format": "fbndsl-search/1",
     "space": {"file", "name", "sha256", "sets": {name: value text}},   # `fbndsl export --from` compiles this
     "compiler_version", "seed", "indicator" (its text: "cpi", "2*cpi+synflow"), "strategy",
     "budget": {"macs": int|null, "params": int|null, "at_resolution": int | [ints] (the arch's own choice)},
     "supernet": run directory | null,
     "settings": {...},                      # everything else a resume must repeat (evals, data, training...)
     "evaluated": [{"arch": canonical text, "macs", "params", "indicators": {name: value}}, ...],
     "top": [{"rank": 1, "arch", "macs", "params", "indicators": {...}, "ranks": {...}}, ...],  # with CPI's or an
                                             # ensemble's score over the pool under its text; a refined
                                             # architecture's row also has "refined": its refined value
     "refined": {arch text: value},          # --refine-top: each refined architecture's accuracy or explosion
     "done": bool, "seconds": float}

A value that could not be measured (NaN) is written as null, an infinite one (uncertainty of a network that
ignores its input) as the string "inf". Every write replaces the file atomically; `read` checks the whole file
against `fbndsl.schemas.RESULTS` before --resume uses any field (docs/files.md).
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schemas
from ..diagnostics import UserError
from ..files import atomic_write_text
from ..indicators.ensemble import Ensemble, parse_indicator
from ..indicators.kinds import Indicator
from ..ir.choices import Arch
from ..version import __version__
from .objective import Ranked
from .strategies.base import Entry

FORMAT = schemas.SEARCH_FORMAT
NAME = "results.json"

# The keys of the header a resumed search must repeat, and the flag that sets each (for the error message).
IDENTITY_FLAGS = {"seed": "--seed", "indicator": "--indicator", "strategy": "--strategy", "budget": "--flops/--params",
                  "supernet": "--supernet"}


@dataclass(frozen=True)
class Header:
    """Everything in results.json but the evaluations, the top-k and the progress."""

    space: dict
    seed: int
    indicator: Indicator | Ensemble  # written as its text ("cpi", "2*cpi+synflow")
    strategy: str
    budget: dict
    supernet: str | None
    settings: dict  # flag name (without --) -> value: the rest of what defines the search

    def to_json(self) -> dict:
        return {"format": FORMAT, "space": self.space, "compiler_version": __version__, "seed": self.seed,
                "indicator": self.indicator.value, "strategy": self.strategy, "budget": self.budget,
                "supernet": self.supernet, "settings": self.settings}


def entry_json(entry: Entry) -> dict:
    return {"arch": entry.arch.text(), "macs": entry.macs, "params": entry.params,
            "indicators": {i.value: _number(v) for i, v in entry.values.items()}}


def ranked_json(r: Ranked, refined: Mapping[Arch, float]) -> dict:
    refined_value = {"refined": _number(refined[r.entry.arch])} if r.entry.arch in refined else {}
    return {"rank": r.rank, "arch": r.entry.arch.text(), "macs": r.entry.macs, "params": r.entry.params,
            "indicators": {i.value: _number(v) for i, v in r.values.items()},
            "ranks": {i.value: v for i, v in r.ranks.items()}, **refined_value}


def _number(v: float) -> float | str | None:
    """JSON has no NaN or infinity (`float` reads the strings back)."""
    return None if math.isnan(v) else v if math.isfinite(v) else str(v)


def write(path: Path, header: Header, entries: Sequence[Entry], top: Sequence[Ranked], done: bool,
          seconds: float, refined: Mapping[Arch, float] | None = None) -> None:
    refined = refined or {}
    record = header.to_json() | {"evaluated": [entry_json(e) for e in entries],
                                 "top": [ranked_json(r, refined) for r in top],
                                 "refined": {a.text(): _number(v) for a, v in refined.items()},
                                 "done": done, "seconds": round(seconds, 3)}
    atomic_write_text(path, json.dumps(record, indent=1, allow_nan=False) + "\n")


def read(path: Path) -> dict:
    """results.json for --resume, checked against `schemas.RESULTS` before any field is used."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"--resume: {path} is missing; there is no search to resume there (drop --resume)") from None
    except UnicodeDecodeError:
        raise UserError(f"--resume: {path} is not valid JSON; start the search again in another --out") from None
    record = schemas.loads(text, path, fix="start the search again in another --out")
    schemas.check(record, schemas.RESULTS, path)
    return record


def check_resume(path: Path, record: Mapping[str, Any], header: Header) -> None:
    """A one-line error naming the first setting in which `record` differs from the search asked for now."""
    now = header.to_json()
    old_space, new_space = record.get("space", {}), now["space"]
    if old_space.get("sha256") != new_space["sha256"]:
        raise UserError(f"--resume: the space's source differs from the one {path} was searched on (sha256 "
                        f"{str(old_space.get('sha256'))[:12]}... vs {new_space['sha256'][:12]}...); resume with the "
                        f"same space, or choose another --out")
    if old_space.get("sets") != new_space["sets"]:
        raise UserError(f"--resume: {path} was searched with --set {_sets(old_space.get('sets'))}, not "
                        f"{_sets(new_space['sets'])}; pass the same --set values, or choose another --out")
    for key, flag in IDENTITY_FLAGS.items():
        if _identity(record, key) != now[key]:
            raise UserError(f"--resume: {path} was written with {flag} {_show(record.get(key))}, not "
                            f"{_show(now[key])}; resume with the same settings, or choose another --out")
    old, new = record.get("settings", {}), now["settings"]
    for key in [*new, *(k for k in old if k not in new)]:  # in the order written: --refine-top before its steps
        if key == "pick" and old.get(key) is None:  # listed by its indicator (so were all searches before --pick)
            raise UserError(f"--resume: {path} was listed by its --indicator, not --pick {new[key]}; pass --pick "
                            f"'{now['indicator']}' to resume it, or choose another --out")
        if old.get(key) != new.get(key):
            raise UserError(f"--resume: {path} was written with --{key.replace('_', '-')} {_show(old.get(key))}, "
                            f"not {_show(new.get(key))}; resume with the same settings, or choose another --out")


def _identity(record: Mapping[str, Any], key: str):
    """`record[key]`, an indicator re-parsed to its canonical text ("2 * CPI+synflow" reads "2*cpi+synflow")."""
    value = record.get(key)
    if key == "indicator" and isinstance(value, str):
        try:
            return parse_indicator(value).value
        except UserError:
            return value
    return value


def _sets(sets) -> str:
    return ", ".join(f"{k}={v}" for k, v in (sets or {}).items()) or "(none)"


def _show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_show(v)}" for k, v in value.items())
    return "(none)" if value is None else str(value)


def recorded_entries(space, record: Mapping[str, Any], path: Path) -> dict:
    """arch -> Entry of every evaluation in `record` (values as they were measured); `record` passed `read`'s
    schema, so only the architectures and indicator names remain to check against the space."""
    out = {}
    for i, item in enumerate(record["evaluated"]):
        arch = _recorded_arch(space, item["arch"], path, f"evaluated[{i}].arch")
        values = {_recorded_indicator(k, path, f"evaluated[{i}].indicators"): math.nan if v is None else float(v)
                  for k, v in item["indicators"].items()}
        out[arch] = Entry(arch, item["macs"], item["params"], values)
    return out


def recorded_refined(space, record: Mapping[str, Any], path: Path) -> dict[Arch, float]:
    """arch -> refined value of every architecture `record` refined (none before --refine-top existed); a NaN
    explosion (a network that ignores its input) is recorded as null."""
    return {_recorded_arch(space, text, path, "refined"): math.nan if value is None else float(value)
            for text, value in record.get("refined", {}).items()}


def _recorded_arch(space, text: str, path: Path, field: str) -> Arch:
    try:
        return space.parse_arch(text)
    except UserError as exc:
        raise UserError(f"{path}: {field}: not an architecture of the space ({schemas.clip(str(exc), 120)}); "
                        f"start the search again in another --out") from None


def _recorded_indicator(name: str, path: Path, field: str) -> Indicator:
    try:
        return Indicator(name)
    except ValueError:
        raise UserError(f"{path}: {field}: unknown indicator {schemas.shown(name)}; start the search again in "
                        f"another --out") from None
