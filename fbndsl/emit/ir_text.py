"""A readable, deterministic dump of the IR (`fbndsl compile --emit ir`), used by golden tests.

    %7 = conv(out=16, k=3, ...) %6 : 16x32x32  @s1.0.cell.n1.n0.nor_conv_3x3  if cell.n1.n0=nor_conv_3x3
"""
from __future__ import annotations

from ..ir import sym
from ..ir.choices import format_value
from ..ir.graph import Origin, SpaceIR
from ..ir.ops import Act, Auto


def dump(ir: SpaceIR) -> str:
    lines = [f"space {ir.name}  # {ir.file}"]
    for name, value in ir.params.items():
        lines.append(f"param {name} = {_value(value)}")
    for c in ir.choices:
        when = f"  if {cond_text(c.cond)}" if c.cond else ""
        values = ", ".join(format_value(v) for v in c.values)
        lines.append(f"choice {c.label} : {c.kind.value} {{{values}}}{when}  # {c.span}")
    for n in ir.nodes:
        lines.append(node_line(ir, n))
    lines.append(f"output %{ir.output}")
    return "\n".join(lines) + "\n"


def node_line(ir: SpaceIR, n) -> str:
    attrs = ", ".join(f"{k}={_value(v)}" for k, v in n.attrs)
    args = ", ".join(f"%{i}" + (f" if {cond_text(c)}" if c else "")
                     for i, c in zip(n.inputs, n.input_conds or ((),) * len(n.inputs)))
    head = f"%{n.id} = {n.kind.value}" + (f"[{n.label}]" if n.label else "") + (f"({attrs})" if attrs else "")
    shape = f" : {ir.shapes[n.id]}" if n.id in ir.shapes else ""
    tag = "  # inserted by fairness" if n.origin is Origin.FAIRNESS else ""
    when = f"  if {cond_text(n.cond)}" if n.cond else ""
    return f"{head} {args}{shape}  @{n.scope}{when}{tag}".replace("  @ ", "  @").rstrip()


def cond_text(cond) -> str:
    return " and ".join(f"{label} in {{{', '.join(sorted(format_value(v) for v in allowed))}}}"
                        if len(allowed) > 1 else f"{label}={format_value(next(iter(allowed)))}"
                        for label, allowed in cond)


def _value(v) -> str:
    if isinstance(v, (Act, Auto)):
        return v.value
    if sym.is_sym(v):
        table = ", ".join(f"{'/'.join(map(format_value, a.values()))}:{_value(x)}" for a, x in v.items())
        return f"<{','.join(v.labels)} -> {table}>"
    if isinstance(v, tuple):
        return "(" + ", ".join(_value(x) for x in v) + ")"
    return format_value(v)
