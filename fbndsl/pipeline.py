"""The compiler pipeline, in one place:

    parse -> resolve -> expand -> infer shapes -> validate -> insert BN (fairness) -> cost

Each pass is a small module in `passes/`; none mutates its input. `verify=True` (tests, debug)
checks the IR after every pass.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .passes import resolve as resolve_pass
from .passes.cost import build_cost_model
from .passes.expand import expand
from .passes.infer_shapes import infer_shapes
from .passes.insert_bn import Fairness, insert_bn
from .passes.validate import validate
from .space import Space

PASSES = ("parse", "resolve", "expand", "infer-shapes", "validate", "insert-bn", "cost")


def compile(path: str | os.PathLike, *, fairness: Fairness | str = Fairness.INSERT, text: str | None = None,
            verify: bool = False, **overrides: Any) -> Space:
    """Compile a `.nas` file (or `text`, reported under `path`) into a `Space`.

    Keyword arguments override `param`s: ``fbndsl.compile("spaces/darts.nas", C=36, layers=20)``.
    """
    fairness = Fairness(fairness)
    path = _find(path) if text is None else Path(path)
    programs = resolve_pass.load(path, text)  # first: it reports an unreadable file as a user error
    source = path.read_text(encoding="utf-8") if text is None and path.is_file() else text
    program = resolve_pass.resolve(programs, {k: _literal(v) for k, v in overrides.items()})
    ir = expand(program)
    _check(ir, verify)
    ir = infer_shapes(ir)
    _check(ir, verify)
    ir = validate(ir)
    ir, report = insert_bn(ir, fairness)
    _check(ir, verify)
    cost = build_cost_model(ir)
    sha = hashlib.sha256((source or "").encode()).hexdigest()
    return Space(ir, cost, report, source_sha256=sha, program=program)


def _check(ir, verify: bool) -> None:
    if verify or os.environ.get("FBNDSL_VERIFY"):
        ir.verify()


def _literal(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    try:
        return str(v)
    except ValueError:  # an int too long to print: it could not be a parameter anyway
        from .diagnostics import UserError

        raise UserError("a parameter override is too large; numbers must stay below 2**63") from None


SPACES_DIRS = (Path(__file__).resolve().parent / "spaces", Path(__file__).resolve().parent.parent / "spaces")


def _find(path) -> Path:
    """A path as given, or the name of a shipped space (`nb201` -> spaces/nb201.nas)."""
    p = Path(path)
    if p.exists() or p.suffix:
        return p
    for d in SPACES_DIRS:
        if (d / f"{p.name}.nas").is_file():
            return d / f"{p.name}.nas"
    return p


def shipped_spaces() -> Mapping[str, Path]:
    for d in SPACES_DIRS:
        if d.is_dir():
            return {p.stem: p for p in sorted(d.glob("*.nas"))}
    return {}
