"""The human-readable report of `fbndsl compile`."""
from __future__ import annotations

from ..cost.model import format_count
from ..ir.choices import format_value
from ..syntax.shipped import shown_name


def render(space) -> str:
    rng = space.cost_range()
    lines = [f"{shown_name(space.file)}: space '{space.name}'"]
    lines.append(f"  choice points: {len(space.choices)}")
    width = max((len(c.label) for c in space.choices), default=0)
    for c in space.choices:
        shown = ", ".join(format_value(v) for v in c.values[:8]) + (", ..." if len(c.values) > 8 else "")
        lines.append(f"    {c.label:<{width}}  {c.kind.value:<8} {len(c.values):>3}  {{{shown}}}")
    lines.append(f"  architectures: {space.size:,}")
    lines.append(f"  MACs:   {_range(rng['macs'])}   ({rng['macs'][0]:,} .. {rng['macs'][1]:,})")
    lines.append(f"  params: {_range(rng['params'])}   ({rng['params'][0]:,} .. {rng['params'][1]:,})")
    lines += fairness_lines(space.fairness)
    return "\n".join(lines) + "\n"


def _range(pair) -> str:
    lo, hi = pair
    return format_count(lo) if lo == hi else f"{format_count(lo)} .. {format_count(hi)}"


def fairness_lines(report) -> list[str]:
    n_unfair = len(report.unfair)
    head = f"  BN fairness ({report.mode.value}): {report.candidates} candidate operators, "
    if not report.candidates:
        return [head + "no operator choices"]
    if not n_unfair:
        return [head + "all followed by BatchNorm"]
    plural = "s" * (report.inserted != 1)
    action = {"insert": f"{report.inserted} BatchNorm{plural} inserted (training only; not counted in params above)",
              "off": "left as written (BN-NAS placement)", "check": "reported"}[report.mode.value]
    lines = [head + f"{n_unfair} not followed by BatchNorm; {action}"]
    by_choice: dict[str, list[str]] = {}
    for f in report.unfair:
        by_choice.setdefault(f.label, []).append(f"{f.key} ({f.op})")
    for label, items in by_choice.items():
        lines.append(f"    {label}: {', '.join(items)}")
    return lines
