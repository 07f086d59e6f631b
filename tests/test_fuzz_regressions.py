"""Programs that once crashed the compiler (found by tests/test_fuzz.py), minimized.

Each must now compile, or fail with a located user error whose message contains the expected text.
"""
from __future__ import annotations

import pytest
from test_fuzz import FUZZ_PATH, check, check_user_error

import fbndsl

NET = "\nnetwork { input(3, 16)  stem: conv(8) }\n"
INF = "1" + "0" * 400 + ".0"  # a float literal that reads as infinity


def _doubling_ops(n: int) -> str:
    return "op a0 = relu\n" + "".join(f"op a{i} = a{i - 1} -> a{i - 1}\n" for i in range(1, n + 1))


# (program, text of the expected error; None: it compiles)
CASES = [
    # ZeroDivisionError from Python's power
    ("param C = 0 ** -1" + NET, "division by zero"),
    ("param C = 0.0 ** -1.5" + NET, "division by zero"),
    # a complex number from Python's power went into the space
    ("param C = (-8) ** 0.5" + NET, "not a real number"),
    # ValueError: Python will not read an integer of more than 4300 digits (inside Lark: VisitError)
    ("param C = " + "9" * 5000 + NET, "number too large"),
    # ValueError: Python will not print an integer of more than 4300 digits (the IR dump)
    ("param C = " + " * ".join(["9" * 99] * 50) + NET, "number too large"),
    # infinity, then NaN or OverflowError in floor, mbconv's hidden width, se's width
    (f"param C = floor({INF} - {INF})" + NET, "number too large"),
    (f"network {{ input(3, 16)  stem: mbconv(8, e = {INF}) }}", "number too large"),
    (f"network {{ input(3, 16)  stem: se(ratio = {INF}) }}", "number too large"),
    # RecursionError evaluating a long left-nested product or sum, and comparing two of them
    ("param C = " + " * ".join(["999999999999"] * 800) + NET, "number too large"),
    ("param C = " + " + ".join(["1"] * 20000) + NET, None),
    ("network { input(3, 16)  stem: conv(" + "+".join(["1"] * 20000) + ", " + "+".join(["1"] * 20000) + ") }",
     None),
    # TypeError sorting the depths {1, relu}
    ("network { input(3, 16)  stage s { repeat d in {1, relu}: relu } }", "a depth must be a whole number"),
    # the depth reported was the smallest one, not the wrong one
    ("network { input(3, 16)  stage s { repeat d in {2.5, 1}: relu } }", "got 2.5"),
    # hangs: a hundred million layers, 2**40 operators, minutes for the cost range of 2,000 choices
    ("network { input(3, 16)  stage s { repeat d in {1, 100000000}: relu } }", "at most 10000 layers"),
    (_doubling_ops(40) + "network { input(3, 16)  stem: a40 }", "more than 200,000 operators"),
    ("network { input(3, 16) " + " ".join(f"l{i}: choose(relu, identity)" for i in range(2000)) + " }", None),
    # hang: the cost range of a choice nested in 100 others built tables of 3**100 entries (98 now: with the
    # network's `{` and the innermost `conv(`, 100 brackets, the nesting limit)
    ("network { input(3, 16)  stem: " + "optional[o](conv(3) -> " * 98 + "relu" + ")" * 98 + " }", None),
]


@pytest.mark.parametrize("src, message", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_regression(src, message):
    if message is None:
        assert check(src)
        return
    with pytest.raises(fbndsl.UserError) as info:
        fbndsl.compile(FUZZ_PATH, text=src)
    check_user_error(info.value)
    assert message in str(info.value), info.value.render()


def test_cost_range_out_of_reach():  # was a plain Exception (TooComplex), a traceback in `fbndsl compile`
    n = 15  # every pair of 15 widths meets in one conv: elimination would need a table of 3**14 entries
    src = ("network { input(3, 16)  stage s(" + ", ".join(f"c{i} in {{8, 16, 24}}" for i in range(n)) + ") { add("
           + ", ".join(f"conv(c{i}) -> conv(c{j}) -> conv(8)" for i in range(n) for j in range(i + 1, n)) + ") } }")
    space = fbndsl.compile(FUZZ_PATH, text=src)
    with pytest.raises(fbndsl.UserError, match="out of reach") as info:
        space.cost_range()
    check_user_error(info.value)


def test_override_of_an_activation_parameter():
    src = "param a = relu\nnetwork { input(3, 16)  l: mbconv(8, act = a) }"
    assert fbndsl.compile(FUZZ_PATH, text=src, a="swish").ir.params["a"].value == "swish"
    with pytest.raises(fbndsl.UserError, match="expected an activation"):  # was a KeyError
        fbndsl.compile(FUZZ_PATH, text=src, a="swoosh")


@pytest.mark.parametrize("value", [10**30, "1e400"])
def test_override_too_large(value):  # was an OverflowError in the cost of mbconv
    src = "param e = 6.0\nnetwork { input(3, 16)  l: mbconv(8, e = e) }"
    with pytest.raises(fbndsl.UserError, match="number too large"):
        fbndsl.compile(FUZZ_PATH, text=src, e=value)


def test_file_not_utf8(tmp_path):  # was a UnicodeDecodeError
    path = tmp_path / "latin1.nas"
    path.write_bytes(b"# caf\xe9\nnetwork { input(3, 16)  stem: conv(8) }\n")
    with pytest.raises(fbndsl.UserError, match="cannot read"):
        fbndsl.compile(path)
