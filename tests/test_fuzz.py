"""Fuzzing the front end: every program compiles, or fails with a located user error; never a traceback.

Two sources of programs:
- the grammar itself (`hypothesis.extra.lark.from_lark` on grammars/nas.lark): whole programs, and
  operator chains, expressions and cells dropped into a small valid network so that they get past
  name resolution into expansion, shape inference and cost;
- seeded byte-level mutations of every shipped space and of the prelude.
Plus resource guards: huge numbers, huge repeats and ranges, deep nesting, exponential expansion.

A program that compiles is also used: size, a sample, its cost, the cost range and the IR dump.
Crashes found here are minimized into tests/test_fuzz_regressions.py.
"""
from __future__ import annotations

import random
import re
import time

import lark
import pytest
from conftest import SPACES, shipped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import fbndsl
from fbndsl.diagnostics import NasError, NasErrors
from fbndsl.emit.ir_text import dump
from fbndsl.ir.ops import PRIMITIVES
from fbndsl.syntax import load as loading
from fbndsl.syntax.grammar import grammar_text

# Includes resolve next to the main file: spaces/, so `include "nb201.nas"` finds a real file.
FUZZ_PATH = SPACES / "fuzz.nas"
PRELUDE = loading.PRELUDE


# ---- the acceptance rule ------------------------------------------------------
def check(src: str, path=FUZZ_PATH, **overrides) -> bool:
    """Compile and use src; True if it compiled. Any exception but a well-formed UserError fails."""
    try:
        space = fbndsl.compile(path, text=src, **overrides)
        assert space.size >= 1
        arch = space.sample(0)
        space.cost(arch)
        space.cost_range()
        dump(space.ir)
    except fbndsl.UserError as exc:
        check_user_error(exc)
        return False
    return True


def check_user_error(exc: fbndsl.UserError) -> None:
    text = exc.render()
    assert "error" in text, text
    for err in exc.errors if isinstance(exc, NasErrors) else [exc] if isinstance(exc, NasError) else []:
        assert err.span.line >= 1 and err.span.col >= 1, err.span
        assert f"{err.span.file}:{err.span.line}:{err.span.col}: error: " in err.render()


# ---- programs from the grammar ----------------------------------------------------
# Names that mean something, so that generated programs get past name resolution. Each start symbol
# draws mostly the names that fit where its NAMEs stand (operators in a chain, values in an expression).
OPS = sorted({*PRIMITIVES, "relu_conv_bn", "sep_conv", "dil_conv", "blk", "unit", "pair"})
VALUES = ["C", "k", "flag", "ratio", "c", "i", "depth", "relu", "swish"]
FUNCTIONS = ["min", "max", "make_divisible", "round", "floor", "ceil"]
NODES = ["x", "n0", "n1", "n2", "a", "b"]
KEYWORDS = ["out", "stride", "e", "se", "res", "act", "p", "dilation", "groups", "bias"]
NAMES = {
    "start": OPS + VALUES + FUNCTIONS + NODES + ["stem", "s1", "head", "gen"],
    "chain": OPS * 3 + VALUES + FUNCTIONS + KEYWORDS,
    "expr": ["C", "k", "ratio", "i", "c"] * 3 + ["flag", "relu", "depth"] + FUNCTIONS * 2,
    "cell_def": OPS + NODES * 3 + VALUES + KEYWORDS,
}
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _word(value: str) -> st.SearchStrategy[str]:
    # A trailing space keeps `network` and a following name apart; whitespace is otherwise ignored.
    return st.just(value + " ")


def _explicit(parser: lark.Lark, start: str) -> dict[str, st.SearchStrategy[str]]:
    terminals, rules, ignored = parser.grammar.compile([start], ())
    used = {s.name for r in rules for s in r.expansion if s.is_term} | set(ignored)
    words = {t.name: _word(t.pattern.value) for t in terminals
             if t.pattern.type == "str" and t.pattern.value.isidentifier()}
    explicit = {**words,
                "NAME": st.sampled_from(NAMES[start]).map(lambda s: s + " "),
                "INT": st.integers(0, 64).map(lambda n: f"{n} "),
                "FLOAT": st.sampled_from(["0.0", "0.25", "0.5", "1.0", "2.5", "6.0"]).map(lambda s: s + " "),
                "STRING": st.sampled_from(['"nb201.nas"', '"resnet18.nas"', '"missing.nas"', '""', '"fuzz.nas"']),
                "WS": st.sampled_from([" ", "\n", "\t"]),
                "COMMENT": st.sampled_from(["# a comment\n", "#\n"])}
    return {name: strategy for name, strategy in explicit.items() if name in used}


_PARSER = lark.Lark(grammar_text(), parser="lalr", start=["start", "chain", "expr", "cell_def"])


def grammar(start: str, bias: int = 4) -> st.SearchStrategy[str]:
    """Programs of `start` from the real grammar, biased towards shallow derivations.

    Uniform choices between a rule's expansions nest deeper than Hypothesis allows (the expression
    precedence ladder alone is ten rules per parenthesis), so most draws would be discarded as invalid;
    giving the expansions that end soonest `bias` extra chances keeps nearly every draw.
    """
    strategy = from_lark(_PARSER, start=start, explicit=_explicit(_PARSER, start))
    lark_strategy = getattr(strategy, "wrapped_strategy", strategy)  # from_lark's result is lazy
    try:  # Hypothesis internals; should they change, the strategy stays unbiased (slower, still right)
        rules = {name: list(s.elements) for name, s in lark_strategy.nonterminal_strategies.items()}
    except AttributeError:
        return strategy
    height = _heights(rules)
    for name, expansions in rules.items():
        reach = [max((height[x.name] for x in e if x.name in height), default=0) for e in expansions]
        shallow = [e for e, r in zip(expansions, reach) if r == min(reach)]
        lark_strategy.nonterminal_strategies[name] = st.sampled_from(shallow * bias + expansions)
    return strategy


def _heights(rules: dict[str, list[tuple]]) -> dict[str, int]:
    """The least derivation height of each nonterminal (terminals have none)."""
    height: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for name, expansions in rules.items():
            best = min(1 + max((height.get(x.name, 10**9) for x in e if x.name in rules), default=0)
                       for e in expansions)
            if best < height.get(name, 10**9):
                height[name], changed = best, True
    return height


DEFS = """
param C = 8
param k = 3
param flag = true
param ratio = 0.5
op blk(c = 8, k = 3) = conv(c, k) -> bn -> relu
op unit = choose(relu, identity, avg_pool(3))
cell pair(c = 8) {
  input n0, n1
  node a = sum(n0 -> unit, n1 -> blk(c))
  output a
}
"""
CHAIN_SITES = [
    "network {{ input(3, 16)  stem: conv(C) -> bn  body: {x}  head: global_pool -> linear(10) }}",
    "network {{ input(3, 16)  stem: conv(8)  stage s1(c in {{8, 16}}) {{ repeat depth in {{1..2}}: {x} }} }}",
    "network {{ input(3, 16)  stem: conv(8) -> {x} -> residual({x}) }}",
    "cell cellx {{ input x  node n1 = x -> {x}  node n2 = sum(x -> unit, n1 -> {x})  output n2 }}\n"
    "network {{ input(3, 16)  stem: conv(8)  l1: cellx  l2: pair  l3: pair }}",
]
EXPR_SITES = [
    "param P = {x}\nnetwork {{ input(3, 16)  stem: conv(P)  s: avg_pool(k = P, stride = P) }}",
    "network {{ input(3, 16)  stem: conv(8, k = {x})  stage s1(c in {{8, {x}}}) {{ repeat 2 as i: conv(c) }} }}",
    "network {{ input(3, 16)  stage s1 {{ repeat {x}: conv(8) }}  head: mbconv(8, e = {x}, se = {x}) }}",
    "network {{ input(3, 16)  stem: conv(make_divisible({x}), stride = {x}) -> dropout({x}) -> se({x}) }}",
    "network {{ input({x}, {x})  stem: conv(8 if {x} else 16) -> conv(out in {{{x}..{x} step {x}}}) }}",
    "cell cellx(c = 8) {{ input x, y  node n1 = pick({x}, x -> blk(c), y -> unit)  output n1 }}\n"
    "network {{ input(3, 16)  stem: conv(8)  l1: cellx({x}) }}",
]


@settings(max_examples=500, **SETTINGS)  # with the next, trimmed to keep the suite under 10 minutes
@given(src=grammar("start"))
def test_grammar_programs(src):
    check(src)


@settings(max_examples=400, **SETTINGS)
@given(chain=grammar("chain"), site=st.sampled_from(CHAIN_SITES))
def test_grammar_chains_in_a_network(chain, site):
    check(DEFS + site.format(x=chain))


@settings(max_examples=400, **SETTINGS)
@given(expr=grammar("expr"), site=st.sampled_from(EXPR_SITES))
def test_grammar_expressions_in_a_network(expr, site):
    check(DEFS + site.format(x=expr))


@settings(max_examples=400, **SETTINGS)
@given(cell=grammar("cell_def"))
def test_grammar_cells_in_a_network(cell):
    cell = complete_cell(cell)
    use = "gen(8)" if re.match(r"cell gen\s*\(\s*\w", cell) else "gen"
    check(DEFS + cell + f"\nnetwork {{ input(3, 16)  stem: conv(8)  l1: {use}  l2: {use}  l3: {use} }}")


def complete_cell(cell: str) -> str:
    """A generated cell renamed `gen`, given inputs and an output where it has none (few have both)."""
    cell = re.sub(r"^\s*cell\s+\w+", "cell gen", cell)
    if not re.search(r"\binput\b", cell):
        cell = cell.replace("{", "{ input x, n0\n", 1)
    if not re.search(r"\boutput\b", cell):
        cell = cell[:cell.rindex("}")] + "\noutput x }"
    return cell


# ---- byte-level mutations of the shipped spaces and the prelude ------------------
_TOKEN = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|->|\.\.|\*\*|//|[^\sA-Za-z0-9_]")
_SNIPPETS = [b"(", b")", b"{", b"}", b"[", b"]", b",", b":", b"=", b"->", b"..", b"**", b"#", b'"', b"-",
             b"0", b"1", b"99999999999999999999", b"-1", b"0.0", b"choose", b"repeat", b"in", b"if", b"\n", b"\xff"]


def _span(n: int, rng: random.Random, most: int) -> tuple[int, int]:
    i = rng.randrange(n + 1)
    return i, min(n, i + rng.randint(1, most))


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: delete, insert bytes or punctuation, duplicate, swap tokens, truncate."""
    for _ in range(rng.randint(1, 4)):
        n, how = len(data), rng.randrange(7)
        i, j = _span(n, rng, 12)
        if how == 0:
            data = data[:i] + data[j:]
        elif how == 1:
            data = data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 3))) + data[i:]
        elif how == 2:
            data = data[:i] + rng.choice(_SNIPPETS) + data[i:]
        elif how == 3:
            i, j = _span(n, rng, 60)
            data = data[:j] + data[i:j] + data[j:]
        elif how == 4:
            data = _swap_tokens(data, rng)
        elif how == 5:
            data = data[:rng.randrange(n + 1)]
        else:
            toks = list(_TOKEN.finditer(data))
            if toks:
                t = rng.choice(toks)
                data = data[:t.start()] + rng.choice(toks).group() + data[t.end():]
    return data


def _swap_tokens(data: bytes, rng: random.Random) -> bytes:
    toks = list(_TOKEN.finditer(data))
    if len(toks) < 2:
        return data
    a, b = sorted(rng.sample(toks, 2), key=lambda m: m.start())
    return data[:a.start()] + b.group() + data[a.end():b.start()] + a.group() + data[b.end():]


# darts compiles in ~0.2 s; it gets fewer mutations (most still fail to parse, which is fast).
MUTATIONS = {"darts": 150}
DEFAULT_MUTATIONS = 200


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_mutated_spaces(path):
    data = path.read_bytes()
    compiled = 0
    for i in range(MUTATIONS.get(path.stem, DEFAULT_MUTATIONS)):
        src = mutate(data, random.Random(f"{path.name}:{i}")).decode("utf-8", errors="replace")
        compiled += check(src, path)
    assert compiled > 0, "no mutant compiled: the mutations are too destructive to test the later passes"


def test_mutated_prelude(tmp_path, monkeypatch):
    data, prelude = PRELUDE.read_bytes(), tmp_path / "prelude.nas"
    monkeypatch.setattr(loading, "PRELUDE", prelude)
    space = (SPACES / "nb201.nas").read_text(encoding="utf-8")
    for i in range(DEFAULT_MUTATIONS):
        text = mutate(data, random.Random(f"prelude:{i}")).decode("utf-8", errors="replace")
        prelude.write_text(text, encoding="utf-8")
        check(space, SPACES / "nb201.nas")


# ---- resource guards ------------------------------------------------------------
NET = "\nnetwork { input(3, 16)  stem: conv(8) }\n"


def _chain_ops(n: int) -> str:
    """op a1 = a0 -> a0, op a2 = a1 -> a1, ...: 2**n operators from n short lines."""
    return "op a0 = relu\n" + "".join(f"op a{i} = a{i - 1} -> a{i - 1}\n" for i in range(1, n + 1))


GUARDS = {
    "power": ("param C = 10**100" + NET, "too large"),
    "power of a power": ("param C = 2**64**64" + NET, "too large"),
    "product": ("param C = " + " * ".join(["4294967296"] * 12) + NET, "too large"),
    "long integer": ("param C = " + "9" * 5000 + NET, "too large"),
    "long float": ("param C = " + "9" * 400 + ".0" + NET, "too large"),
    "huge channels": ("network { input(3, 16)  stem: conv(" + "9" * 40 + ") }", "too large"),
    "huge repeat": ("network { input(3, 16)  stage s { repeat 1000000: relu } }", "at most"),
    "huge elastic repeat": ("network { input(3, 16)  stage s { repeat d in {1, 100000000}: relu } }", "at most"),
    "huge range": ("network { input(3, 16)  stem: conv(8, k in {1..100000000}) }", "at most 4096"),
    "fine elastic depth": ("network { input(3, 16)  stage s { repeat d in {1..4096}: relu } }", "at most 256 values"),
    "huge range step": ("network { input(3, 16)  stem: conv(8, k in {1..100000000 step 2}) }", "at most 4096"),
    "nested parentheses": ("param C = " + "(" * 5000 + "1" + ")" * 5000 + NET, "nests too deeply"),
    "nested operator parentheses": ("network { input(3, 16)  stem: " + "(" * 5000 + "relu" + ")" * 5000 + " }",
                                    "nests too deeply"),
    "nested signs": ("param C = " + "-" * 5000 + "1" + NET, "nests too deeply"),
    "nested choices": ("network { input(3, 16)  stem: " + "choose(a: " * 2000 + "relu" + ", b: identity)" * 2000
                       + " }", "nests too deeply"),
    "long sum": ("param C = " + "1 + " * 20000 + "1" + NET, None),
    "long chain": ("network { input(3, 16)  stem: " + "relu -> " * 20000 + "relu }", None),
    "exponential expansion": (_chain_ops(40) + "network { input(3, 16)  stem: a40 }", "operators"),
    "long choice": ("network { input(3, 16)  stem: choose(" + ", ".join(f"a{i}: relu" for i in range(2000))
                    + ") }", None),
    "too long a choice": ("network { input(3, 16)  stem: choose(" + ", ".join(f"a{i}: relu" for i in range(5000))
                          + ") }", "at most 4096 alternatives"),
    "long set": ("network { input(3, 16)  stem: conv(8, k in {" + ", ".join(map(str, range(1, 5001)))
                 + "}) }", "at most 4096 values"),
    "many choices": ("network { input(3, 16) " + " ".join(f"l{i}: choose(relu, identity)" for i in range(3000))
                     + " }", None),
}


@pytest.mark.parametrize("name", GUARDS)
def test_resource_guards(name):
    src, message = GUARDS[name]
    start = time.perf_counter()
    if message is None:
        assert check(src), f"{name} should compile"
    else:
        with pytest.raises(fbndsl.UserError, match=message) as info:
            fbndsl.compile(FUZZ_PATH, text=src)
        check_user_error(info.value)
    assert time.perf_counter() - start < 20, f"{name} took too long"

