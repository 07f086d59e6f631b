"""The error corpus: every `tests/errors/NN_name.nas` is an invalid program, and `NN_name.err` holds
its exact diagnostic (location, quoted source, carets, notes, hint), as the CLI prints it.

A case may ask for command-line options in a comment on its first line: `# compile with: --fairness check`.
Files under `tests/errors/inc/` are helpers (included files, a valid space for the CLI tests), not cases.
Refresh the goldens with: FBNDSL_ACCEPT=1 python -m pytest tests/test_errors.py
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ACCEPT, ROOT

import fbndsl
from fbndsl.cli import main

ERRORS = ROOT / "tests" / "errors"
CASES = sorted(ERRORS.glob("[0-9][0-9]_*.nas"))
CLI_SPACE = "tests/errors/inc/cli_space.nas"
LOCATION = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): error: ")


@pytest.fixture(autouse=True)
def _relative_paths(monkeypatch):
    monkeypatch.chdir(ROOT)  # diagnostics name files as given: relative to the repository


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _flags(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"#\s*compile with:\s*(.*)$", first)
    return shlex.split(m.group(1)) if m else []


def _kwargs(flags: list[str]) -> dict:
    """The pipeline keywords for command-line flags (`--fairness X`, `--set K=V`)."""
    assert len(flags) % 2 == 0, f"flags come in pairs: {flags}"
    kw = {}
    for opt, value in zip(flags[::2], flags[1::2]):
        if opt == "--fairness":
            kw["fairness"] = value
        else:
            assert opt == "--set", f"unsupported flag {opt} in a case header"
            name, _, v = value.partition("=")
            kw[name] = v
    return kw


def _diagnostic(path: Path) -> fbndsl.UserError:
    try:
        fbndsl.compile(_rel(path), **_kwargs(_flags(path)))
    except Exception as exc:  # noqa: BLE001 - the point is which kind it is
        assert isinstance(exc, fbndsl.UserError), f"{path.name} raised {type(exc).__name__}: {exc}"
        return exc
    pytest.fail(f"{path.name} compiled without an error")


def _check_golden(path: Path, text: str) -> None:
    golden = path.with_suffix(".err")
    if ACCEPT:
        golden.write_text(text, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"missing {_rel(golden)}; run with FBNDSL_ACCEPT=1 to create it")
    assert text == golden.read_text(encoding="utf-8"), f"{_rel(golden)} differs; inspect, then FBNDSL_ACCEPT=1"


def test_corpus_is_complete():
    assert len(CASES) >= 45
    names = [p.name.split("_", 1)[0] for p in CASES]
    assert len(set(names)) == len(names), "two cases share a number"
    errs = {p.with_suffix(".nas") for p in ERRORS.glob("*.err")}
    assert errs <= set(CASES), f"goldens without a case: {sorted(p.name for p in errs - set(CASES))}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_error_golden(path):
    exc = _diagnostic(path)
    text = exc.render() + "\n"
    _check_golden(path, text)
    m = LOCATION.match(text)
    assert m, f"the diagnostic does not start with file:line:col: error:\n{text}"
    lines = (ROOT / m["file"]).read_text(encoding="utf-8").splitlines()
    line, col = int(m["line"]), int(m["col"])
    assert 1 <= line <= len(lines), f"line {line} is outside {m['file']}"
    assert 1 <= col <= len(lines[line - 1]) + 1, f"column {col} is outside line {line} of {m['file']}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_error_cli(path):
    r = CliRunner().invoke(main, ["compile", _rel(path), *_flags(path)])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "internal compiler error" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    if not ACCEPT:
        assert r.output == path.with_suffix(".err").read_text(encoding="utf-8")


def test_deep_nesting_is_a_user_error():
    text = "network n {\n  input(3, 32)\n  a: " + "(" * 3000 + "relu" + ")" * 3000 + "\n}\n"
    with pytest.raises(fbndsl.UserError) as info:
        fbndsl.compile("deep.nas", text=text)
    lines = info.value.render().splitlines()
    assert lines[0] == "deep.nas:3:105: error: the program nests too deeply: more than 100 brackets open at once"
    assert lines[3] == "deep.nas:1:11: note: the outermost opens here"  # `network n {` holds the first bracket


def test_deep_signs_point_at_the_first_sign_past_the_limit():
    text = "param C = 16   # (a comment's parentheses (( do not count\nparam D = " + "-" * 5000 + "1\n"
    with pytest.raises(fbndsl.UserError) as info:
        fbndsl.compile("deep.nas", text=text + "network n { input(3, 16)  stem: conv(C, 3) }\n")
    assert info.value.render().startswith("deep.nas:2:111: error: the program nests too deeply")  # the 101st


def test_error_in_a_real_process():
    path = _rel(CASES[0])
    r = subprocess.run([sys.executable, "-m", "fbndsl", "compile", path], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert r.stderr.startswith(f"{path}:")


# ---- command-line errors: one line, no span ------------------------------------------------------
def _cli_error(*args: str) -> str:
    r = CliRunner().invoke(main, ["compile", CLI_SPACE, *args])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert r.output.count("\n") == 1, r.output
    return r.output.rstrip("\n")


@pytest.mark.parametrize("args, message", [
    (["--set", "C=abc"], f"--set C=abc: expected an integer (the default in {CLI_SPACE} is 16)"),
    (["--set", "C=1.5"], f"--set C=1.5: expected an integer (the default in {CLI_SPACE} is 16)"),
    (["--set", "se=1"], f"--set se=1: expected true or false (the default in {CLI_SPACE} is false)"),
    (["--set", "width=wide"], f"--set width=wide: expected a number (the default in {CLI_SPACE} is 1.0)"),
    (["--set", "C"], "--set C: expected NAME=VALUE, e.g. --set C=36"),
    (["--set", "=3"], "--set =3: expected NAME=VALUE, e.g. --set C=36"),
    (["--set", "NOPE=3"], f"--set NOPE: {CLI_SPACE} has no parameter 'NOPE'; "
                          "its parameters are: C, channels, width, se"),
    (["--set", "chanels=8"], f"--set chanels: {CLI_SPACE} has no parameter 'chanels'; did you mean 'channels'?"),
], ids=["not-a-number", "float-for-int", "int-for-bool", "word-for-float", "missing-equals", "missing-name",
        "unknown", "did-you-mean"])
def test_bad_set(args, message):
    assert _cli_error(*args) == f"error: {message}"


@pytest.mark.parametrize("arch, message", [
    ("stem.kk=3,body=wide", "unknown choice 'stem.kk'; did you mean 'stem.k'?"),
    ("stem.k=4,body=wide", "choice 'stem.k' cannot be '4'; it is one of {3, 5}"),
    ("stem.k=3", "missing choice 'body' (one of {narrow, wide})"),
    ("stem.k=3,body=wide,stem.k=5", "choice 'stem.k' is given twice"),
    ("stem.k", "malformed 'stem.k': expected label=value"),
], ids=["unknown-label", "bad-value", "missing-choice", "twice", "malformed"])
def test_bad_arch(arch, message):
    assert _cli_error("--arch", arch) == f"error: {message}"


def test_bad_line_in_archs_file(tmp_path):
    archs = tmp_path / "archs.txt"
    archs.write_text("# two architectures\nstem.k=3,body=wide\n\nstem.k=3,body=medium\n", encoding="utf-8")
    assert _cli_error("--archs", str(archs)) == (
        f"error: {archs}:4: choice 'body' cannot be 'medium'; it is one of {{narrow, wide}}")


def test_arch_and_archs_together(tmp_path):
    archs = tmp_path / "archs.txt"
    archs.write_text("stem.k=3,body=wide\n", encoding="utf-8")
    assert _cli_error("--arch", "stem.k=3,body=wide", "--archs", str(archs)) == (
        "error: give either --arch or --archs, not both")


def test_a_one_line_error_quoting_a_huge_value_keeps_its_start_and_end():
    from fbndsl.diagnostics import MAX_MESSAGE, UserError

    line = UserError("choice 'x' cannot be '" + "[" * 100_000 + "'; expected one of a, b").render()
    assert len(line) <= len("error: ") + MAX_MESSAGE  # the kept halves and the ellipsis
    assert line.startswith("error: choice 'x' cannot be '[[[") and line.endswith("'; expected one of a, b")
    assert "…" in line and UserError("short").render() == "error: short"


def test_a_user_error_stays_one_line_when_it_quotes_a_line_break():
    from fbndsl.diagnostics import UserError

    # e.g. a hand-edited results.json whose --set value holds a newline, quoted by the resume check
    assert UserError("searched with --set C=\n, not C=4").render() == "error: searched with --set C=\\n, not C=4"
