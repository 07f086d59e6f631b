"""JSON forms: the compile summary (`--json`) and the whole IR (`--emit json`)."""
from __future__ import annotations

from typing import Any

from ..ir import sym
from ..ir.choices import format_value
from ..ir.ops import Act, Auto


def span_json(span) -> dict:
    return {"file": span.file, "line": span.line, "col": span.col, "end_line": span.end_line, "end_col": span.end_col}


def value_json(v) -> Any:
    if isinstance(v, (Act, Auto)):
        return v.value
    if isinstance(v, tuple):
        return [value_json(x) for x in v]
    if sym.is_sym(v):
        return {"depends_on": list(v.labels),
                "table": [{"when": dict(zip(v.labels, map(value_json, k))), "value": value_json(x)}
                          for k, x in v.table.items()]}
    return v


def choice_json(c) -> dict:
    return {"label": c.label, "kind": c.kind.value, "values": [value_json(v) for v in c.values],
            "when": cond_json(c.cond), "span": span_json(c.span)}


def cond_json(cond) -> list:
    return [{"label": label, "in": sorted((value_json(v) for v in allowed), key=format_value)}
            for label, allowed in cond]


def summary(space) -> dict:
    rng = space.cost_range()
    f = space.fairness
    return {
        "space": space.name, "file": space.file, "sha256": space.source_sha256,
        "choices": [choice_json(c) for c in space.choices],
        "size": space.size,
        "macs": {"min": rng["macs"][0], "max": rng["macs"][1]},
        "params": {"min": rng["params"][0], "max": rng["params"][1]},
        "min_arch": space.min_arch().text(), "max_arch": space.max_arch().text(),
        "fairness": {"mode": f.mode.value, "candidates": f.candidates, "inserted": f.inserted,
                     "not_followed_by_bn": [{"choice": u.label, "candidate": u.key, "ends_with": u.op,
                                             "span": span_json(u.span)} for u in f.unfair]},
    }


def ir_json(space) -> dict:
    ir = space.ir
    return {
        "space": ir.name, "file": ir.file, "params": {k: value_json(v) for k, v in ir.params.items()},
        "choices": [choice_json(c) for c in ir.choices],
        "nodes": [{"id": n.id, "op": n.kind.value, "inputs": list(n.inputs),
                   "input_conds": [cond_json(c) for c in n.input_conds], "label": n.label,
                   "attrs": {k: value_json(v) for k, v in n.attrs}, "scope": n.scope, "when": cond_json(n.cond),
                   "origin": n.origin.value, "shape": [value_json(d) for d in ir.shapes[n.id]],
                   "span": span_json(n.span)} for n in ir.nodes],
        "output": ir.output,
    }
