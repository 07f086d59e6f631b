"""Pass 2, parameter expansion: evaluate parameters, unroll stages and cells into the graph IR.

Labels: a network layer `stem: ...` labels its choices `stem`, `stem.<name>`; layer i of a stage
`s2` labels them `s2.<i>...`; the stage's own choices are `s2.<name>`; the input resolution is
`resolution`. Depth: layer i of a stage with `repeat depth in {lo..hi}` is active when depth > i;
a layer that can be skipped must keep its input's shape (checked by `infer_shapes`).
"""
from __future__ import annotations

import contextlib

from ..diagnostics import NasError
from ..ir import sym
from ..ir.choices import format_value
from ..ir.graph import SpaceIR, cond_and
from ..ir.ops import OpKind, PType
from ..syntax import ast
from .builder import Builder, Ctx
from .elab_cells import CellExpander
from .elab_ops import OpExpander, check_type
from .expr import evaluate
from .resolve import Program

INPUT_PARAMS = (("channels", PType.INT), ("resolution", PType.INT))
MAX_LAYERS = 10_000
# Values one elastic depth may take: each of its layers carries the set of depths that keep it, so the
# IR grows as layers x values ({1..4096} would make 8 million entries).
MAX_DEPTHS = 256


def expand(program: Program) -> SpaceIR:
    b = Builder()
    cells = CellExpander(b, program.cells)
    ops = OpExpander(b, program.ops, program.params, cells)
    cells.ops = ops
    net = program.network
    ctx = Ctx(env=dict(program.params), labels="", path="")
    with _depth_guard(net.body[0] if net.body else net):
        outs = [_input(net, ops, ctx)]
    for stmt in net.body[1:]:
        if isinstance(stmt, ast.NetInput):
            raise NasError(stmt.span, "the network has one input, declared first")
        with _depth_guard(stmt):
            if isinstance(stmt, ast.Layer):
                lctx = ctx.child(labels=stmt.name.name, path=stmt.name.name, instance=stmt.name.name)
                outs.append(_layer(stmt.chain, outs, ops, lctx))
            else:
                outs.extend(_stage(stmt, outs, ops, ctx))
    if len(outs) == 1:
        raise NasError(net.span, "the network has no layers after its input")
    name_ = net.name.name if net.name else _stem(program.file)
    return SpaceIR(name_, program.file, tuple(b.nodes), outs[-1], b.choice_points(), params=program.params)


@contextlib.contextmanager
def _depth_guard(stmt):
    """Operators nested in operators (each file parsed fine) can still exhaust Python's stack."""
    try:
        yield
    except RecursionError:
        raise NasError(stmt.span, "this layer nests too deeply: operators, choices and parentheses inside "
                       "each other thousands of levels deep", hint="flatten the nesting, e.g. with a stage "
                       "of repeated layers") from None


def _stem(file: str) -> str:
    from pathlib import Path

    return Path(file).stem


def _input(net: ast.Network, ops: OpExpander, ctx: Ctx) -> int:
    first = net.body[0] if net.body else None
    if not isinstance(first, ast.NetInput):
        span = first.span if first is not None else net.span
        raise NasError(span, "the network must start with its input", hint="e.g. input(3, 32) for 3x32x32 images")
    names = [n for n, _ in INPUT_PARAMS]
    given = ops._match(ast.Call(ast.Ident("input", first.span), first.args, first.span), names, "input")
    attrs = {}
    for nm, ptype in INPUT_PARAMS:
        if nm not in given:
            raise NasError(first.span, f"input() needs '{nm}'", hint="e.g. input(3, 32) for 3x32x32 images")
        attrs[nm] = check_type(ops.arg_value(given[nm], ctx), ptype, given[nm], nm)
        for v in (attrs[nm].values() if sym.is_sym(attrs[nm]) else (attrs[nm],)):
            if v < 1:
                raise NasError(given[nm].span, f"input {nm} must be at least 1, got {v}")
    return ops.b.add(OpKind.INPUT, [], first.span, ctx.child(path="input"), attrs)


def _layer(chain: ast.Chain, outs: list[int], ops: OpExpander, ctx: Ctx) -> int:
    """One layer. A layer that starts with a cell of n inputs feeds it the previous n layer outputs."""
    first = chain.terms[0]
    if not (isinstance(first, ast.Call) and first.callee.name in ops.cells.defs):
        return ops.chain(chain, outs[-1], ctx)
    n = max(ops.cells.arity(first.callee.name), 1)
    layers = outs[1:] or outs  # the network input counts only before the first layer
    prev = layers[-n:]
    prev = [prev[0]] * (n - len(prev)) + prev
    x = ops.cells.instance(first, prev, ctx)
    return ops.chain(ast.Chain(chain.terms[1:], chain.span), x, ctx)


def _stage(stage: ast.Stage, outs: list[int], ops: OpExpander, ctx: Ctx) -> list[int]:
    sname = stage.name.name
    sctx = ctx.child(labels=sname, path=sname, instance=sname)
    env = dict(ctx.env)
    for arg in stage.args:
        if isinstance(arg, ast.PosArg):
            raise NasError(arg.span, "stage arguments are named: stage s1(c in {16, 24}, k = 3)")
        env[arg.name.name] = ops.arg_value(arg, sctx.child(env=env))
    sctx = sctx.child(env=env)
    new: list[int] = []
    index = 0
    for stmt in stage.body:
        if isinstance(stmt, ast.Chain):
            new.append(_layer(stmt, outs + new, ops, _at(sctx, index)))
            index += 1
            continue
        for out in _repeat(stmt, outs + new, ops, sctx, index):
            new.append(out)
            index += 1
    return new


def _at(sctx: Ctx, index: int, **changes) -> Ctx:
    where = f"{sctx.labels}.{index}"
    return sctx.child(labels=where, path=where, instance=where, **changes)


def _repeat(rep: ast.Repeat, outs: list[int], ops: OpExpander, sctx: Ctx, start: int):
    lo, hi, label = _count(rep, ops, sctx)
    produced: list[int] = []
    for i in range(hi):
        env = dict(sctx.env)
        if rep.var is not None:
            env[rep.var.name] = i
        prev = outs + produced
        if i < lo:
            produced.append(_layer(rep.chain, prev, ops, _at(sctx, start + i, env=env)))
            continue
        allowed = {d for d in range(lo, hi + 1) if d > i}
        lctx = _at(sctx, start + i, env=env, cond=cond_and(sctx.cond, label, allowed))
        y = _layer(rep.chain, prev, ops, lctx)
        skipped = frozenset(range(lo, hi + 1)) - allowed
        conds = [((label, frozenset(allowed)),), ((label, skipped),)]
        produced.append(ops.b.add(OpKind.SELECT, [y, prev[-1]], rep.span, _at(sctx, start + i),
                                  {"keys": ("on", "skip"), "reason": "depth", "layer": i}, conds, label))
    return produced


def _count(rep: ast.Repeat, ops: OpExpander, sctx: Ctx) -> tuple[int, int, str | None]:
    if isinstance(rep.count, ast.ElasticCount):
        values = ops.int_choice(rep.count.name, rep.count.values, rep.count.span, sctx)
        vals = list(values.values()) if sym.is_sym(values) else [values]
        bad = next((v for v in vals if isinstance(v, bool) or not isinstance(v, int) or v < 1), None)
        if bad is not None:
            raise NasError(rep.count.values.span,
                           f"a depth must be a whole number of at least 1, got {format_value(bad)}")
        vals.sort()
        if vals[-1] > MAX_LAYERS:
            raise NasError(rep.count.values.span, f"at most {MAX_LAYERS} layers per repeat, got {vals[-1]}")
        if len(vals) > MAX_DEPTHS:
            raise NasError(rep.count.values.span, f"an elastic depth may take at most {MAX_DEPTHS} values, "
                           f"this one takes {len(vals)}")
        label = values.labels[0] if sym.is_sym(values) else None
        return vals[0], vals[-1], label
    n = evaluate(rep.count, sctx.env)
    if sym.is_sym(n):
        raise NasError(rep.count.span, "an elastic repeat count is written `repeat depth in {2..4}: ...`")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise NasError(rep.count.span, f"a repeat count must be a whole number of at least 0, got {format_value(n)}")
    if n > MAX_LAYERS:
        raise NasError(rep.count.span, f"at most {MAX_LAYERS} layers per repeat, got {n}")
    return n, n, None
