"""Evaluating `.nas` arithmetic: parameters, channels, strides. Never `eval`: a small interpreter.

Values are ints, floats, bools, or `Sym`s when they depend on a choice (``c in {16, 24}``); every
operator is lifted over Syms, so ``c * 2`` is the table {16: 32, 24: 48}.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from ..diagnostics import NasError, did_you_mean
from ..ir import sym
from ..ir.ops import Act, make_divisible
from ..syntax import ast


def _checked(fn: Callable, name: str) -> Callable:
    def apply(*args):
        if name not in ("==", "!=") and not all(_is_number(a) for a in args):
            raise _TypeErr(f"'{name}' needs numbers, got {', '.join(_kind(a) for a in args)}")
        return fn(*args)
    return apply


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _TypeErr(Exception):
    pass


# Sizes beyond 64 bits are always mistakes; bounding every value keeps each shape and cost formula
# exact (no float overflow, no NaN) and every number printable.
MAX_NUMBER = 2**63 - 1


def _div(a, b):
    if b == 0:
        raise _TypeErr("division by zero")
    return a / b


def _floordiv(a, b):
    if b == 0:
        raise _TypeErr("division by zero")
    return a // b


def _mod(a, b):
    if b == 0:
        raise _TypeErr("division by zero")
    return a % b


def _pow(a, b):
    if abs(b) > 64 or abs(a) > 2**32:
        raise _TypeErr("power too large")
    if a == 0 and b < 0:
        raise _TypeErr("division by zero")
    if a < 0 and b != int(b):
        raise _TypeErr(f"a negative number to a fractional power is not a real number: ({a}) ** {b}")
    return a ** b


_ARITH: dict[ast.BinOp, Callable] = {
    ast.BinOp.ADD: operator.add, ast.BinOp.SUB: operator.sub, ast.BinOp.MUL: operator.mul,
    ast.BinOp.DIV: _div, ast.BinOp.FLOORDIV: _floordiv, ast.BinOp.MOD: _mod, ast.BinOp.POW: _pow,
    ast.BinOp.EQ: operator.eq, ast.BinOp.NE: operator.ne, ast.BinOp.LT: operator.lt,
    ast.BinOp.LE: operator.le, ast.BinOp.GT: operator.gt, ast.BinOp.GE: operator.ge,
}
_ARITH = {op: _checked(fn, op.value) for op, fn in _ARITH.items()}


def _round(x, digits=0):
    return round(x, int(digits)) if digits else int(round(x))


FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    "min": (lambda *xs: min(xs), 1, 64),
    "max": (lambda *xs: max(xs), 1, 64),
    "make_divisible": (lambda v, d=8: make_divisible(v, _divisor(d)), 1, 2),
    "round": (_round, 1, 2),
    "floor": (lambda x: int(math.floor(x)), 1, 1),
    "ceil": (lambda x: int(math.ceil(x)), 1, 1),
}


def _divisor(d) -> int:
    if d < 1:
        raise _TypeErr(f"make_divisible needs a divisor of at least 1, got {d}")
    return int(d)


def _show(v) -> str:
    return _kind(v) if isinstance(v, Act) else f"{_kind(v)} {v}"


ACTIVATION_NAMES = {a.value: a for a in Act}  # `act = swish`: activation names are values


def _kind(v) -> str:
    if isinstance(v, Act):
        return f"the activation '{v.value}'"
    return "true/false" if isinstance(v, bool) else type(v).__name__


def evaluate(e: ast.Expr, env: Mapping[str, Any]) -> Any:
    """Value of e in env; a located NasError for unknown names, bad types, division by zero."""
    if isinstance(e, ast.Num):
        return bounded(e.value, e.span)
    if isinstance(e, ast.Bool):
        return e.value
    if isinstance(e, ast.Name):
        if e.name not in env and e.name in ACTIVATION_NAMES:
            return ACTIVATION_NAMES[e.name]
        if e.name not in env:
            raise NasError(e.span, f"unknown name '{e.name}'", hint=did_you_mean(e.name, env))
        return env[e.name]
    if isinstance(e, ast.Binary):
        return _binary(e, env)
    if isinstance(e, ast.Not):
        return _apply(e, lambda v: not truth(v, e), evaluate(e.operand, env))
    if isinstance(e, ast.Neg):
        return _apply(e, lambda v: _ARITH[ast.BinOp.SUB](0, v), evaluate(e.operand, env))
    if isinstance(e, ast.IfElse):
        test = evaluate(e.test, env)
        if not sym.is_sym(test):
            return evaluate(e.then if truth(test, e.test) else e.other, env)
        return _apply(e, lambda t, a, b: a if t else b, test, evaluate(e.then, env), evaluate(e.other, env))
    if isinstance(e, ast.FuncCall):
        return _call(e, env)
    raise AssertionError(f"unknown expression node {e!r}")


def _binary(e: ast.Binary, env) -> Any:
    # `a + b + ... + z` nests to the left: walk that spine in a loop, so no sum is too long to evaluate.
    spine = [e]
    while isinstance(spine[-1].left, ast.Binary):
        spine.append(spine[-1].left)
    value = evaluate(spine[-1].left, env)
    for node in reversed(spine):
        value = _combine(node, value, evaluate(node.right, env))
    return value


def _combine(e: ast.Binary, left, right) -> Any:
    if e.op == ast.BinOp.AND:
        return _apply(e, lambda a, b: truth(a, e.left) and truth(b, e.right), left, right)
    if e.op == ast.BinOp.OR:
        return _apply(e, lambda a, b: truth(a, e.left) or truth(b, e.right), left, right)
    return _apply(e, _ARITH[e.op], left, right)


def bounded(v, span):
    """v, if it is not a number beyond +-MAX_NUMBER (nor infinite); a located error otherwise."""
    for x in v.values() if sym.is_sym(v) else (v,):
        if isinstance(x, (int, float)) and not abs(x) <= MAX_NUMBER:
            raise NasError(span, "number too large", hint=f"numbers are at most {MAX_NUMBER:,} (64 bits)")
    return v


def _apply(e, fn, *args):
    try:
        return bounded(sym.lift(fn, *args), e.span)
    except _TypeErr as exc:
        raise NasError(e.span, str(exc)) from None
    except OverflowError:
        raise NasError(e.span, "number too large") from None
    except sym.TooManyCombinations as exc:
        raise NasError(e.span, f"this expression {exc}") from None


def truth(v, e) -> bool:
    """v as a condition: true or false (or an integer); a located error otherwise."""
    if not isinstance(v, (bool, int)):
        raise NasError(e.span, f"expected true or false, got {_show(v)}")
    return bool(v)


def _call(e: ast.FuncCall, env) -> Any:
    name = e.func.name
    if name not in FUNCTIONS:
        raise NasError(e.func.span, f"unknown function '{name}'", hint=did_you_mean(name, FUNCTIONS))
    fn, lo, hi = FUNCTIONS[name]
    if not lo <= len(e.args) <= hi:
        want = "1 argument" if lo == hi == 1 else f"{lo} arguments" if lo == hi else f"{lo} to {hi} arguments"
        raise NasError(e.span, f"{name}() takes {want}, got {len(e.args)}")
    args = [evaluate(a, env) for a in e.args]
    return _apply(e, _checked(fn, name), *args)


MAX_CHOICE_VALUES = 4096


def evaluate_set(s: ast.SetExpr, env: Mapping[str, Any]) -> tuple:
    """The values of `{a, b}` or `{lo..hi step s}`: constants, distinct, in order."""
    if isinstance(s, ast.SetList):
        if len(s.items) > MAX_CHOICE_VALUES:
            raise NasError(s.span, f"a choice may have at most {MAX_CHOICE_VALUES} values")
        values = tuple(_static(evaluate(item, env), item) for item in s.items)
    else:
        lo, hi = (_int(evaluate(x, env), x) for x in (s.lo, s.hi))
        step = _int(evaluate(s.step, env), s.step) if s.step is not None else 1
        if step < 1:
            raise NasError(s.step.span, f"step must be at least 1, got {step}")
        if hi < lo:
            raise NasError(s.span, f"empty range {{{lo}..{hi}}}: the upper bound is below the lower")
        if (hi - lo) // step >= MAX_CHOICE_VALUES:
            raise NasError(s.span, f"a choice may have at most {MAX_CHOICE_VALUES} values")
        values = tuple(range(lo, hi + 1, step))
    seen = set()
    for v in values:
        if v in seen:
            raise NasError(s.span, f"value {v} appears twice in this choice")
        seen.add(v)
    return values


def _static(v, e):
    if sym.is_sym(v):
        raise NasError(e.span, "a choice's values must be constants, not depend on other choices")
    return v


def _int(v, e) -> int:
    v = _static(v, e)
    if isinstance(v, bool) or not isinstance(v, int):
        raise NasError(e.span, f"expected an integer, got {_show(v)}")
    return v
