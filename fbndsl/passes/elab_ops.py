"""Expansion of operator expressions: chains, calls, choices and combinators, into IR nodes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import NasError, Note, did_you_mean
from ..ir import sym
from ..ir.choices import ChoiceKind
from ..ir.graph import cond_and
from ..ir.ops import PRIMITIVES, Act, OpKind, OpSpec, PType
from ..syntax import ast
from .builder import Builder, Ctx
from .expr import MAX_CHOICE_VALUES, evaluate, evaluate_set, truth

MAX_CALL_DEPTH = 64


class OpExpander:
    """Turns operator expressions into nodes; `cells` elaborates calls to cells."""

    def __init__(self, builder: Builder, ops: Mapping[str, ast.OpDef], globals_: Mapping[str, Any], cells):
        self.b, self.ops, self.globals, self.cells = builder, ops, globals_, cells

    # -- chains ---------------------------------------------------------------
    def chain(self, chain: ast.Chain, x: int, ctx: Ctx) -> int:
        for term in chain.terms:
            x = self.term(term, x, ctx)
        return x

    def term(self, t, x: int, ctx: Ctx) -> int:
        if isinstance(t, ast.Chain):
            return self.chain(t, x, ctx)
        if isinstance(t, ast.Call):
            return self.call(t, x, ctx)
        if isinstance(t, ast.Choose):
            return self.choose(t, x, ctx)
        if isinstance(t, ast.Optional):
            return self.optional(t, x, ctx)
        if isinstance(t, ast.Combine):
            return self.combine(t, x, ctx)
        if isinstance(t, ast.OpIf):
            test = evaluate(t.test, ctx.env)
            if sym.is_sym(test):
                raise NasError(t.test.span, "the structure may depend on parameters only, "
                               f"but this condition depends on the choice {', '.join(test.labels)}",
                               hint="use choose(...) to make the operator itself a choice")
            return self.chain(t.then if truth(test, t.test) else t.other, x, ctx)
        raise AssertionError(f"unknown term {t!r}")

    # -- calls ----------------------------------------------------------------
    def call(self, c: ast.Call, x: int, ctx: Ctx) -> int:
        name = c.callee.name
        if name in self.cells.defs:
            return self.cells.instance(c, [x], ctx, in_chain=True)
        if name in self.ops:
            return self.user_op(self.ops[name], c, x, ctx)
        spec = PRIMITIVES[name]  # resolve has rejected unknown names
        attrs = self.bind_primitive(spec, c, ctx)
        return self.b.add(spec.kind, [x], c.span, ctx, attrs)

    def user_op(self, op: ast.OpDef, c: ast.Call, x: int, ctx: Ctx) -> int:
        if len(ctx.calls) >= MAX_CALL_DEPTH:
            raise NasError(c.span, f"operators nest deeper than {MAX_CALL_DEPTH} calls")
        bound = self.bind_formals(op, c, ctx)
        inner = ctx.child(env={**self.globals, **bound}, calls=ctx.calls + (op.name.name,), site=ctx.site or c.span)
        return self.chain(op.body, x, inner)

    def bind_formals(self, op: ast.OpDef, c: ast.Call, ctx: Ctx) -> dict[str, Any]:
        names = [f.name.name for f in op.formals]
        given = self._match(c, names, op.name.name)
        out: dict[str, Any] = {}
        for f in op.formals:
            nm = f.name.name
            if nm in given:
                out[nm] = self.arg_value(given[nm], ctx)
            elif f.default is not None:
                out[nm] = evaluate(f.default, {**self.globals, **out})
            else:
                raise NasError(c.span, f"'{op.name.name}' needs the argument '{nm}'",
                               notes=(Note(op.span, f"'{op.name.name}' is defined here"),))
        return out

    def bind_primitive(self, spec: OpSpec, c: ast.Call, ctx: Ctx) -> dict[str, Any]:
        given = self._match(c, [p.name for p in spec.params], spec.kind.value)
        attrs: dict[str, Any] = {}
        for p in spec.params:
            if p.name in given:
                attrs[p.name] = check_type(self.arg_value(given[p.name], ctx), p.ptype, given[p.name], p.name)
            elif p.required:
                sig = ", ".join(q.name for q in spec.params)
                raise NasError(c.span, f"{spec.kind.value}() needs the argument '{p.name}'",
                               hint=f"its arguments are ({sig})")
            else:
                attrs[p.name] = p.default
        return attrs

    def _match(self, c: ast.Call, names: list[str], what: str) -> dict[str, ast.Arg]:
        given: dict[str, ast.Arg] = {}
        positional = [a for a in c.args if isinstance(a, ast.PosArg)]
        if len(positional) > len(names):
            sig = ", ".join(names)
            raise NasError(positional[len(names)].span,
                           f"{what}() takes {len(names)} positional argument{'s' * (len(names) != 1)}"
                           f" ({sig}), got {len(positional)}")
        for i, arg in enumerate(c.args):
            if isinstance(arg, ast.PosArg):
                named = next((a for a in c.args[:i] if not isinstance(a, ast.PosArg)), None)
                if named is not None:
                    raise NasError(arg.span, "a positional argument cannot follow a named one",
                                   notes=(Note(named.span, f"'{named.name.name}' is named here"),),
                                   hint=f"name this one too, or move it before '{named.name.name}'")
                nm = names[len(given)]
            else:
                nm = arg.name.name
                if nm not in names:
                    raise NasError(arg.name.span, f"{what}() has no argument '{nm}'",
                                   hint=did_you_mean(nm, names) or f"its arguments are ({', '.join(names)})")
            if nm in given:
                raise NasError(arg.span, f"argument '{nm}' given twice",
                               notes=(Note(given[nm].span, "first given here"),))
            given[nm] = arg
        return given

    def arg_value(self, arg: ast.Arg, ctx: Ctx) -> Any:
        if isinstance(arg, ast.ChoiceArg):
            return self.int_choice(arg.name, arg.values, arg.span, ctx)
        return evaluate(arg.value, ctx.env)

    def int_choice(self, name: ast.Ident, values: ast.SetExpr, span, ctx: Ctx):
        vals = evaluate_set(values, ctx.env)
        label = self.b.register(ctx.label(name.name), ChoiceKind.VALUE, vals, span, ctx)
        return sym.choice(label, vals) if len(vals) > 1 else vals[0]

    # -- choices --------------------------------------------------------------
    def choose(self, ch: ast.Choose, x: int, ctx: Ctx) -> int:
        if len(ch.alts) > MAX_CHOICE_VALUES:
            raise NasError(ch.span, f"a choice may have at most {MAX_CHOICE_VALUES} alternatives, "
                           f"this one has {len(ch.alts)}")
        keys = [ast.alt_key(a) for a in ch.alts]
        _no_duplicate_keys(ch.alts, keys)
        label = self.b.register(ctx.label(ch.label.name if ch.label else None), ChoiceKind.OP,
                                tuple(keys), ch.span, ctx)
        outs = []
        for key, alt in zip(keys, ch.alts):
            inner = ctx.child(labels=f"{ctx.label(ch.label.name if ch.label else None)}.{key}",
                              path=f"{ctx.path}.{key}", cond=cond_and(ctx.cond, label, {key}))
            outs.append(self.chain(alt.chain, x, inner))
        conds = [((label, frozenset({k})),) for k in keys]
        return self.b.add(OpKind.SELECT, outs, ch.span, ctx, {"keys": tuple(keys), "reason": "op"}, conds, label)

    def optional(self, o: ast.Optional, x: int, ctx: Ctx) -> int:
        name = o.label.name if o.label else ast.first_callee(o.chain)
        if name is None:
            raise NasError(o.span, "name this optional operator: optional[name](...)")
        label = self.b.register(ctx.label(name), ChoiceKind.OPTIONAL, (True, False), o.span, ctx)
        inner = ctx.child(labels=label, path=f"{ctx.path}.{name}", cond=cond_and(ctx.cond, label, {True}))
        on = self.chain(o.chain, x, inner)
        conds = [((label, frozenset({True})),), ((label, frozenset({False})),)]
        return self.b.add(OpKind.SELECT, [on, x], o.span, ctx, {"keys": (True, False), "reason": "optional"},
                          conds, label)

    def combine(self, cb: ast.Combine, x: int, ctx: Ctx) -> int:
        branches = [self.chain(br, x, ctx.child(path=f"{ctx.path}.b{i}")) for i, br in enumerate(cb.branches)]
        if cb.kind == ast.CombineKind.RESIDUAL:
            return self.b.add(OpKind.ADD, [x, branches[0]], cb.span, ctx, {"residual": True})
        kind = OpKind.ADD if cb.kind == ast.CombineKind.ADD else OpKind.CONCAT
        return self.b.add(kind, branches, cb.span, ctx)


def _no_duplicate_keys(alts, keys) -> None:
    seen: dict[str, ast.Alt] = {}
    for alt, key in zip(alts, keys):
        if key in seen:
            raise NasError(alt.span, f"two alternatives are named '{key}'",
                           notes=(Note(seen[key].span, "the first is here"),),
                           hint="name them apart: choose(a: ..., b: ...)")
        seen[key] = alt


def check_type(value, ptype: PType, arg: ast.Arg, name: str):
    """A parameter's value, checked against its type for every value it can take."""
    for v in (value.values() if sym.is_sym(value) else (value,)):
        if not _fits(v, ptype):
            raise NasError(arg.span, f"argument '{name}' must be {ptype.value}, got {_show(v)}",
                           hint=_TO_INT if isinstance(v, float) and ptype is PType.INT else None)
    if ptype is PType.BOOL and not sym.is_sym(value):
        return bool(value)
    return value


_TO_INT = "round(x), floor(x), ceil(x) or // make an integer"


def _fits(v, ptype: PType) -> bool:
    if ptype is PType.ACT:
        return isinstance(v, Act)
    if isinstance(v, Act):
        return False
    if ptype is PType.BOOL:
        return isinstance(v, bool) or v in (0, 1)
    if ptype is PType.INT:
        return isinstance(v, int) and not isinstance(v, bool)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v) -> str:
    if isinstance(v, Act):
        return f"the activation '{v.value}'"
    if isinstance(v, bool):
        return "true" if v else "false"
    return f"{type(v).__name__} {v}"
