"""The source limits of docs/language.md ("Limits"): each at the limit (accepted) and just past it (refused, with a
located or one-line error), the hostile inputs of issue 14 (a 5 MB nest of parentheses, a 5 MB one-line file)
in a real process with bounds on time and memory, and error excerpts clipped to a readable width.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import fbndsl
from fbndsl.diagnostics import EXCERPT_WIDTH, _clip
from fbndsl.syntax.limits import MAX_NESTING, MAX_SOURCE_BYTES

ROOT = Path(__file__).resolve().parents[1]
NET = "network n { input(3, 16)  stem: conv(8) }\n"
N = MAX_NESTING


def _error(text: str, path: str = "lim.nas") -> str:
    with pytest.raises(fbndsl.UserError) as info:
        fbndsl.compile(path, text=text)
    return info.value.render()


# ------------------------------------------------------------------------------------------------ file size

def _padded(size: int) -> str:
    """A valid program of exactly `size` bytes: a network, then one long comment."""
    head = NET + "# "
    return head + "x" * (size - len(head) - 1) + "\n"


def test_a_file_at_the_size_limit_compiles(tmp_path):
    path = tmp_path / "big.nas"
    path.write_text(_padded(MAX_SOURCE_BYTES), encoding="utf-8")
    assert path.stat().st_size == MAX_SOURCE_BYTES
    assert fbndsl.compile(path).size == 1


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.nas"
    path.write_text(_padded(MAX_SOURCE_BYTES + 1), encoding="utf-8")
    with pytest.raises(fbndsl.UserError) as info:
        fbndsl.compile(path)
    assert info.value.render() == (f"error: {path}: the file is 1,000,001 bytes; a .nas file may have at most "
                                   "1,000,000")


def test_text_past_the_size_limit_is_refused():
    assert _error(_padded(MAX_SOURCE_BYTES + 1)) == ("error: lim.nas: the file is 1,000,001 bytes; a .nas file "
                                                     "may have at most 1,000,000")


def test_an_include_past_the_size_limit_is_located_at_the_include(tmp_path):
    (tmp_path / "huge.nas").write_text(_padded(MAX_SOURCE_BYTES + 1), encoding="utf-8")
    main = tmp_path / "main.nas"
    main.write_text('include "huge.nas"\n' + NET, encoding="utf-8")
    with pytest.raises(fbndsl.NasError) as info:
        fbndsl.compile(main)
    assert info.value.render().splitlines()[0] == (
        f"{main}:1:1: error: cannot include '{tmp_path / 'huge.nas'}': the file is 1,000,001 bytes; a .nas file "
        "may have at most 1,000,000")


# -------------------------------------------------------------------------------------------------- nesting

def _param(expr: str) -> str:
    return f"param C = {expr}\n" + NET


LAYER = len("network n { input(3, 16)  stem: ")


def _layer(chain: str) -> str:
    """`network n {` holds one bracket open already."""
    return "network n { input(3, 16)  stem: " + chain + " }\n"


BRACKETS = "more than 100 brackets open at once"
OPERATORS = "more than 100 signs, `not`s, `**`s or `if ... else`s inside each other"
# form: (program nested n deep, what the error says, offset of the first character past the limit on line 1)
NESTING = {
    "parentheses": (lambda n: _param("(" * n + "1" + ")" * n), BRACKETS, lambda: 10 + N),
    "calls": (lambda n: _param("max(1, " * n + "1" + ")" * n), BRACKETS, lambda: 10 + 7 * N + 3),
    "choices": (lambda n: _layer("choose(a: " * (n - 1) + "relu" + ", b: identity)" * (n - 1)), BRACKETS,
                lambda: LAYER + 10 * (N - 1) + 6),
    "optional parts": (lambda n: _layer("optional(relu -> " * (n - 1) + "relu" + ")" * (n - 1)), BRACKETS,
                       lambda: LAYER + 17 * (N - 1) + 8),
    "operator parentheses": (lambda n: _layer("(" * (n - 1) + "relu" + ")" * (n - 1)), BRACKETS,
                             lambda: LAYER + N - 1),
    "signs": (lambda n: _param("-" * n + "1"), OPERATORS, lambda: 10 + N),
    "signs after a minus": (lambda n: _param("2 - " + "-" * n + "1"), OPERATORS, lambda: 14 + N),
    "not": (lambda n: _param("not " * n + "true"), OPERATORS, lambda: 10 + 4 * N),
    "powers": (lambda n: _param("1**" * n + "1"), OPERATORS, lambda: 10 + 3 * N),
    "if else": (lambda n: _param("1 if true else " * n + "1"), OPERATORS, lambda: 10 + 15 * N),
    # the count goes on through brackets: 50 of them, 101 signs
    "signs between brackets": (lambda n: _param("--(" * (n // 2) + "-" * (n % 2) + "1" + ")" * (n // 2)),
                               OPERATORS, lambda: 10 + 3 * (N // 2)),
}


@pytest.mark.parametrize("form", NESTING)
def test_nesting_at_the_limit_compiles(form):
    program, _, _ = NESTING[form]
    assert fbndsl.compile("lim.nas", text=program(N)).size >= 1


@pytest.mark.parametrize("form", NESTING)
def test_nesting_past_the_limit_is_located_at_the_first_character_past_it(form):
    program, what, offset = NESTING[form]
    text = program(N + 1)
    first = _error(text).splitlines()[0]
    assert first == f"lim.nas:1:{offset() + 1}: error: the program nests too deeply: {what}", text[offset():][:20]


def test_brackets_and_signs_each_count_to_the_limit_without_exhausting_the_stack():
    """The deepest a path may go: 99 choices and a call (100 brackets), then 100 powers inside."""
    text = _layer("choose(a: " * (N - 2) + "conv(3, stride=" + "1**" * N + "1)" + ", b: identity)" * (N - 2))
    assert fbndsl.compile("lim.nas", text=text).size == N - 1  # each choice adds its identity


def test_brackets_in_comments_and_strings_do_not_count(tmp_path):
    (tmp_path / "a(b.nas").write_text("param D = 1\n", encoding="utf-8")
    text = "# " + "(" * 500 + "\n" + 'include "a(b.nas"\n' + _param("D")
    (tmp_path / "main.nas").write_text(text, encoding="utf-8")
    assert fbndsl.compile(tmp_path / "main.nas").size == 1


def test_the_outermost_bracket_is_noted():
    lines = _error(_param("(" * (N + 1) + "1" + ")" * (N + 1))).splitlines()
    assert lines[3] == "lim.nas:1:11: note: the outermost opens here"


# -------------------------------------------------------------------------------------- hostile source files

def _run_measured(*args: str) -> tuple[subprocess.CompletedProcess, float, int]:
    """`fbndsl ARGS` in a fresh process: its result, its wall time in s and its peak memory in MB (measured by
    the child itself, so no other child of this test session counts). The peak is Linux's VmHWM, of this
    process's own memory map: ru_maxrss carries over the forking test process's resident size across exec."""
    code = ("import resource, runpy, sys\n"
            f"sys.argv = ['fbndsl', *{list(args)!r}]\n"
            "def peak():\n"
            "    try:\n"
            "        lines = open('/proc/self/status').read().splitlines()\n"
            "        return int(next(x for x in lines if x.startswith('VmHWM:')).split()[1])\n"
            "    except (OSError, StopIteration):\n"
            "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    runpy.run_module('fbndsl', run_name='__main__')\n"
            "finally:\n    print('maxrss', peak(), file=sys.stderr)\n")
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - start
    *stderr, last = r.stderr.splitlines()
    assert last.startswith("maxrss "), r.stderr[-2000:]
    r.stderr = "\n".join(stderr) + "\n"
    return r, seconds, int(last.split()[1]) // 1024


def _assert_one_line_error(r, seconds: float, mb: int, *fragments: str) -> None:
    assert r.returncode == 1, r.stderr[:2000]
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr[:2000]
    assert all(f in r.stderr for f in fragments), r.stderr
    assert seconds < 5 and mb < 500, (seconds, mb)


def test_five_megabytes_of_parentheses_are_refused_quickly(tmp_path):
    path = tmp_path / "nest.nas"
    path.write_text("param a = " + "(" * 2_500_000 + "1" + ")" * 2_500_000 + "\n", encoding="utf-8")
    r, seconds, mb = _run_measured("compile", str(path))
    _assert_one_line_error(r, seconds, mb, f"{path}: the file is 5,000,012 bytes", "at most 1,000,000")


def test_a_five_megabyte_line_is_refused_in_one_line(tmp_path):
    path = tmp_path / "line.nas"
    path.write_text("param a = 1" + " " * 5_000_000 + "$", encoding="utf-8")
    r, seconds, mb = _run_measured("compile", str(path))
    _assert_one_line_error(r, seconds, mb, "the file is 5,000,012 bytes")


def test_an_error_on_a_long_line_is_quoted_clipped(tmp_path):
    path = tmp_path / "line.nas"
    path.write_text("param a = 1" + " " * 900_000 + "$\n" + NET, encoding="utf-8")
    r, seconds, mb = _run_measured("compile", str(path))
    assert r.returncode == 1 and seconds < 5 and mb < 500, (r.stderr[:2000], seconds, mb)
    first, quote, caret = r.stderr.splitlines()[:3]
    assert first == f"{path}:1:900012: error: unexpected character '$'"
    assert len(r.stderr) < 1000 and quote.endswith("$") and caret.endswith("^")
    assert caret.index("^") == quote.index("$")


def test_a_huge_name_in_a_message_is_clipped():
    first = _error("param C = 1 " + "x" * 100_000 + "\n" + NET).splitlines()[0]
    assert first == "lim.nas:1:13: error: unexpected name '" + "x" * 39 + "\u2026'"


# ------------------------------------------------------------------------------------------ excerpt clipping

def test_a_line_at_the_excerpt_width_is_shown_whole():
    line = "x" * EXCERPT_WIDTH
    assert _clip(line, 119, 1) == (line, 119, 1)


@pytest.mark.parametrize("col", [0, 1, 40, 500, 999, 1000])
def test_a_longer_line_is_clipped_around_the_caret(col):
    line = "".join(chr(ord("a") + i % 26) for i in range(1000))
    shown, caret, width = _clip(line + " ", col, 3)
    assert len(shown) <= EXCERPT_WIDTH + 2
    assert shown.startswith("\u2026") == (col > EXCERPT_WIDTH // 3)
    assert shown.endswith("\u2026") == (col < 1001 - EXCERPT_WIDTH + EXCERPT_WIDTH // 3)
    assert shown[caret] == (line + " ")[col]  # the caret stays under its character
    assert 1 <= width <= 3 and caret + width <= len(shown)
