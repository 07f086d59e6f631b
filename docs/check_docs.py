"""Run the examples of the documentation and compare them with what the docs say they print.

    python docs/check_docs.py [--update] [FILE.md ...]      (default: README.md docs/*.md examples/*/README.md)

Three kinds of fenced blocks are checked; any other block (``bash``, ``text`` on its own, ...) is prose.
- ``nas``: a complete program. It is compiled as `example.nas` in an empty folder and must compile;
  if the very next block is a ``text`` block, that block is the exact output (the report, or the
  error) it must print. Words after ``nas`` are options for `fbndsl compile` (``nas --fairness check``);
  ``nas skip`` is not compiled (a fragment, shown for reading).
- ``console``: lines `$ command` run in bash from the repository root (`fbndsl` runs this checkout);
  the lines up to the next `$ ` are the exact output expected (stdout and stderr together).
- ``pycon``: a doctest, run from the repository root; the blocks of one file share their names.
`--update` writes the actual outputs into the files instead of failing, for a human to review.
"""
from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def blocks(text: str):
    """(info string, body, start, end of body, start, end of the block) for every fenced block, in order."""
    return [(m.group(1).strip(), m.group(2), m.start(2), m.end(2), m.start(), m.end())
            for m in FENCE.finditer(text)]


def shell_env(bindir: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", COLUMNS="100")
    env.pop("FBNDSL_DEBUG", None)
    return env


def make_shim(bindir: Path) -> None:
    shim = bindir / "fbndsl"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m fbndsl "$@"\n')
    shim.chmod(0o755)


def run(cmd: str, cwd: Path, env: dict) -> str:
    p = subprocess.run(["bash", "-c", cmd + " 2>&1"], check=False, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    return p.stdout


def norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def check_nas(body: str, options: list[str], expected: str | None, env: dict) -> str | None:
    """None if fine, else the actual output."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "example.nas").write_text(body)
        p = subprocess.run([sys.executable, "-m", "fbndsl", "compile", "example.nas", *options], check=False,
                           cwd=tmp, env=env, capture_output=True, text=True)
    out = p.stderr if p.returncode else p.stdout
    if expected is None:
        return None if p.returncode == 0 else out
    return None if norm(out) == norm(expected) else out


def check_console(body: str, env: dict) -> str:
    """The block as it should read: each `$ command` followed by its actual output."""
    out = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append(line)
            actual = norm(run(line[2:], ROOT, env))
            if actual:
                out.append(actual)
    return "\n".join(out) + "\n"


def check_pycon(body: str, globs: dict, name: str) -> list[str]:
    test = doctest.DocTestParser().get_doctest(body, globs, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.FAIL_FAST)
    lines: list[str] = []
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        runner.run(test, out=lines.append, clear_globs=False)
    finally:
        os.chdir(old)
    globs.update(test.globs)  # DocTest copies its globals; later blocks see this one's names
    return lines


def check_block(text: str, found: list, i: int, env: dict, globs: dict):
    """(failure message or None, edit (start, end, new text) or None) for block i."""
    info, body, start, end, _, block_end = found[i]
    words = info.split()
    if words[:1] == ["nas"] and words[1:] != ["skip"]:
        nxt = found[i + 1] if i + 1 < len(found) else None
        expect = nxt if nxt and nxt[0] == "text" and not text[block_end:nxt[4]].strip() else None
        actual = check_nas(body, words[1:], expect[1] if expect else None, env)
        if actual is None:
            return None, None
        edit = (expect[2], expect[3], norm(actual) + "\n") if expect else None
        return f"nas example: {'output differs' if expect else 'does not compile'}:\n{actual}", edit
    if info == "console":
        should = check_console(body, env)
        if norm(should) == norm(body):
            return None, None
        return f"console output differs; it is now:\n{should}", (start, end, should)
    if info == "pycon":
        report = check_pycon(body, globs, "pycon")
        return (f"doctest failed:\n{''.join(report)}" if report else None), None
    return None, None


def check_file(path: Path, env: dict, update: bool) -> int:
    text = path.read_text(encoding="utf-8")
    found = blocks(text)
    failures, edits, globs = 0, [], {}
    for i in range(len(found)):
        message, edit = check_block(text, found, i, env, globs)
        if message is None:
            continue
        if update and edit is not None:
            edits.append(edit)
            continue
        failures += 1
        print(f"{path}:{text.count(chr(10), 0, found[i][2]) + 1}: {message}")
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    if edits:
        path.write_text(text, encoding="utf-8")
        print(f"{path}: updated {len(edits)} block(s); review the diff")
    return failures


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))  # the pycon blocks import this checkout
    update = "--update" in argv
    files = [Path(a) for a in argv if a != "--update"] or [
        ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("examples/*/README.md"))]
    with tempfile.TemporaryDirectory() as bindir:
        make_shim(Path(bindir))
        env = shell_env(Path(bindir))
        failures = sum(check_file(f, env, update) for f in files)
    print(f"{len(files)} file(s) checked, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
