"""The compiler pipeline, in one place:

    load (parse) -> resolve -> expand -> infer shapes -> validate -> insert BN (fairness) -> cost

Loading and parsing is `syntax/`; each later stage is a small module in `passes/` and none mutates its input.
The stages from IR to IR are `Pass`es (`passes/base.py`), run in order; `verify=True` (tests, debug) checks
the IR after expansion and after every one of them.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .diagnostics import UserError
from .passes.cost import build_cost_model
from .passes.expand import expand
from .passes.infer_shapes import InferShapes
from .passes.insert_bn import Fairness, InsertBN
from .passes.resolve import resolve
from .passes.validate import Validate
from .space import Space
from .syntax.load import load
from .syntax.shipped import find_space


def compile(path: str | os.PathLike, *, fairness: Fairness | str = Fairness.INSERT, text: str | None = None,
            verify: bool = False, **overrides: Any) -> Space:
    """Compile a `.nas` file (or `text`, reported under `path`) into a `Space`.

    Keyword arguments override `param`s: ``fbndsl.compile("spaces/darts.nas", C=36, layers=20)``.
    """
    fairness = Fairness(fairness)
    path = find_space(path) if text is None else Path(path)
    programs = load(path, text)  # first: it reports an unreadable file as a user error
    source = path.read_text(encoding="utf-8") if text is None and path.is_file() else text
    program = resolve(programs, {k: _literal(v) for k, v in overrides.items()})
    verify = verify or bool(os.environ.get("FBNDSL_VERIFY"))
    return _built(program, fairness, hashlib.sha256((source or "").encode()).hexdigest(), verify)


def as_written(space: Space) -> Space:
    """`space` without the BatchNorms its fairness pass inserted: every architecture exactly as written, as the
    cost model counts it and a fresh-init export builds it. The fairness BatchNorms exist for training a supernet;
    what reads a network at initialisation (the zero-cost proxies) reads this one."""
    if not space.fairness.inserted:
        return space
    return _built(space.program, Fairness.OFF, space.source_sha256, bool(os.environ.get("FBNDSL_VERIFY")))


def _built(program, fairness: Fairness, sha: str, verify: bool) -> Space:
    """The passes from the resolved program to a `Space`."""
    fair = InsertBN(fairness)
    ir = _checked(expand(program), verify)
    for p in (InferShapes(), Validate(), fair):
        ir = _checked(p.apply(ir), verify)
    return Space(ir, build_cost_model(ir), fair.report(ir), source_sha256=sha, program=program)


def _checked(ir, verify: bool):
    if verify:
        ir.verify()
    return ir


def _literal(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    try:
        return str(v)
    except ValueError:  # an int too long to print: it could not be a parameter anyway
        raise UserError("a parameter override is too large; numbers must stay below 2**63") from None
