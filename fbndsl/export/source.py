"""model.py: the jinja2 skeleton (`codegen/model.py.j2`) filled with the lines the renderers write.

The template holds the file's fixed shape (imports, the class, `load_weights`); every line that depends on
the architecture is made here, in Python, from the plan. Everything that came from the `.nas` file is either
an identifier made by `names.Namespace` or comment text escaped by `names.comment_text`.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path, PurePath

from ..ir.choices import format_value
from ..version import __version__
from .aux_head import AUX_ATTR
from .kinds import renderer
from .layers import FairnessBN
from .names import comment_text
from .plan import Plan, Step, make_plan
from .pycode import INDENT, Assign, Return, comment_lines, wrapped_comment

TEMPLATE = "model.py.j2"
_HERE = Path(__file__).resolve().parent.parent
# An installed wheel carries codegen/ inside the package; a source checkout has it at the top level.
_CANDIDATES = (_HERE / "codegen", _HERE.parent / "codegen")
_BODY = INDENT * 2


def template_dir() -> Path:
    for path in _CANDIDATES:
        if (path / TEMPLATE).is_file():
            return path
    raise AssertionError(f"{TEMPLATE} not found in {[str(p) for p in _CANDIDATES]}")


@functools.lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE)


def render_model_source(space, arch, fairness_bn: FairnessBN = FairnessBN.DROPPED, aux_head: str | None = None,
                        *, weights: bool = False) -> str:
    """The standalone PyTorch source of `arch` (an Arch or any notation `space.parse_arch` reads); `weights`
    says whether a weights.pt goes beside it, which its docstring tells the reader."""
    arch = space.parse_arch(arch) if isinstance(arch, str) else space.arch(arch)
    return render_plan(space, arch, make_plan(space, arch, fairness_bn, aux_head), weights=weights)


def render_plan(space, arch, plan: Plan, *, weights: bool) -> str:
    forward = _forward_lines(plan)
    return _template().render(
        weights=weights,
        version=comment_text(__version__), header=_header(space, arch, plan), class_name=plan.class_name,
        input_shape=repr(tuple(int(d) for d in plan.input_shape)), init_lines=_init_lines(plan),
        forward_lines=forward, aux=plan.aux is not None,
        uses_functional=any(re.search(r"\bF\.", line) for line in forward if not line.lstrip().startswith("#")))


def _where(step: Step) -> str:
    node = step.layer.node
    note = " (fairness BatchNorm)" if step.layer.fairness else ""
    if not step.live:
        note += " (unused here: it feeds only 'none' edges)"
    return f"{step.layer.source}  {comment_text(node.scope)}{note}"


def _init_lines(plan: Plan) -> list[str]:
    lines, last = [], None
    for step in plan.steps:
        parts = renderer(step.layer.kind).parts(step.layer)
        if not parts:
            continue
        if _where(step) != last:
            last = _where(step)
            lines += comment_lines(last, _BODY)
        for part in parts:
            lines += Assign(f"self.{step.mods[part.suffix]}", part.ctor).lines(_BODY)
    if plan.aux is not None:
        lines += comment_lines(f"DARTS's auxiliary head on {comment_text(plan.aux.at)}: training only, off by "
                               f"default", _BODY)
        lines += plan.aux.init_lines(_BODY, INDENT)
    return lines


def _forward_lines(plan: Plan) -> list[str]:
    lines, last = [], None
    for i, step in enumerate(plan.steps):
        if not step.live:
            continue
        if _where(step) != last:
            last = _where(step)
            lines += comment_lines(last, _BODY)
        for stmt in renderer(step.layer.kind).forward(step.layer, step.mods, step.ins, step.out, step.tmp):
            lines += stmt.lines(_BODY)
        if plan.aux is not None and i == plan.aux.step:
            lines += [f"{_BODY}aux_logits = None",
                      f"{_BODY}if self.{AUX_ATTR} is not None and self.training:",
                      f"{_BODY}{INDENT}aux_logits = self.{AUX_ATTR}({step.out})"]
    if plan.aux is not None:
        lines += [f"{_BODY}if aux_logits is not None:", f"{_BODY}{INDENT}return {plan.result}, aux_logits"]
    return lines + Return(plan.result).lines(_BODY)


def _header(space, arch, plan: Plan) -> list[str]:
    cost = space.cost(arch)
    kept = [f for f in plan.fairness if f.handling is FairnessBN.KEPT]
    params = cost.params + (cost.fairness_bn_params if kept else 0)
    values = ", ".join(f"{k}={format_value(v)}" for k, v in sorted(space.ir.params.items()))
    lines = comment_lines(f"space: {comment_text(space.name)} ({comment_text(PurePath(space.file).name)})", "")
    lines += comment_lines(f"space sha256: {comment_text(space.source_sha256)}", "")
    lines += wrapped_comment("params: ", comment_text(values or "none"), ", ")
    lines += wrapped_comment("arch: ", comment_text(arch.text() or "(no choices)"), ",")
    c, h, w = plan.input_shape
    lines += comment_lines(f"input {c}x{h}x{w}; {cost.macs:,} MACs; {params:,} parameters", "")
    lines += wrapped_comment("", _fairness_note(plan, kept), " ")
    return lines


def _fairness_note(plan: Plan, kept: list) -> str:
    if not plan.fairness:
        return "no BatchNorm was inserted by BN fairness in this architecture"
    if kept:
        return (f"{len(kept)} fairness BatchNorms kept: they are part of what the supernet trained (not in "
                f"the benchmarks' parameter counts)")
    return f"{len(plan.fairness)} fairness BatchNorms dropped: the architecture exactly as written"
