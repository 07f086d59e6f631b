"""One run per output directory, and searches that survive SIGKILL.

Two `fbndsl search` runs started at once on one --out: one finishes, the other is refused with one line and
touches nothing. A run refused by a lock that another process holds (here: this test) leaves the directory
byte-identical, for `search`, `search --resume` and `train`. A search killed with SIGKILL at a random moment and
resumed ends with exactly the results.json of a search never interrupted, its stale lock file no obstacle."""
from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from fbndsl.diagnostics import UserError
from fbndsl.files import LOCK_NAME, locked

EVALS = 30  # naswot on nb201 with C=8, N=1: about 0.07 s an architecture on one CPU thread
EVAL_SECONDS = 0.07
SEARCH = ["--space", "nb201", "--set", "C=8", "--set", "N=1", "--indicator", "naswot", "--evals", str(EVALS),
          "--device", "cpu", "--quiet"]
TRAIN = ["--space", "nb201", "--set", "C=8", "--set", "N=1", "--mode", "bn-only", "--epochs", "1", "--steps", "3",
         "--device", "cpu", "--quiet"]
ENV = dict(os.environ, OMP_NUM_THREADS="1")
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the runs need torch")


def fbndsl(*args: str) -> list[str]:
    return [sys.executable, "-m", "fbndsl", *args]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(fbndsl(*args), cwd=ROOT, env=ENV, capture_output=True, text=True)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(fbndsl(*args), cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def same_search(a: dict, b: dict) -> bool:
    """The same evaluations (architectures and values, in order) and the same top-k; the seconds differ."""
    return a["done"] and b["done"] and a["evaluated"] == b["evaluated"] and a["top"] == b["top"]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def refused(stderr: str, out: Path, what: str, pid: int) -> None:
    """One line, that names the directory and the run holding it."""
    assert "Traceback" not in stderr
    line = stderr.strip()
    assert "\n" not in line, stderr
    assert line.startswith(f"error: {out} is in use by another {what} (pid {pid}, started "), line
    assert line.endswith("); wait for it to finish, or choose another --out"), line


@pytest.fixture(scope="module")
def lone(tmp_path_factory) -> Path:
    """The --out of the search run alone, never interrupted."""
    out = tmp_path_factory.mktemp("lone") / "out"
    done = run("search", *SEARCH, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert not (out / LOCK_NAME).exists()  # a run that ends lets go of its lock and removes the file
    return out


# -- the lock itself ---------------------------------------------------------------------------------------

def test_a_held_directory_is_refused_in_one_line_and_the_lock_goes_with_the_run(tmp_path):
    out = tmp_path / "new" / "out"
    with locked(out, "fbndsl search") as path:
        note = json.loads(path.read_text())
        assert (note["what"], note["pid"]) == ("fbndsl search", os.getpid())
        with pytest.raises(UserError) as refusal:
            with locked(out, "fbndsl train"):
                pass
        assert str(refusal.value).startswith(f"{out} is in use by another fbndsl search (pid {os.getpid()}, ")
        assert json.loads(path.read_text()) == note  # the refused run left the holder's note as it was
    assert not out.exists()  # created for the run and still empty: removed with the lock
    assert (tmp_path / "new").is_dir()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_run_refused_before_the_holder_wrote_its_note_waits_for_the_note(tmp_path):
    """Two runs started at once meet in the moment between the winner's lock and its note (CI found this)."""
    import fcntl
    import threading

    from fbndsl import files
    fd = os.open(tmp_path / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # won, the note not yet written
    writer = threading.Timer(0.3, files._write_holder, (fd, "fbndsl search"))
    writer.start()
    try:
        with pytest.raises(UserError, match=rf"in use by another fbndsl search \(pid {os.getpid()}, started "):
            with locked(tmp_path, "fbndsl train"):
                pass
    finally:
        writer.join()
        os.close(fd)


def test_a_stale_lock_file_of_a_dead_process_is_simply_locked_again(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"what": "fbndsl search", "pid": 999_999_999, "host": "gone"}))
    with locked(tmp_path, "fbndsl train") as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UserError, match="is a file, not a directory"):
        with locked(tmp_path / "f", "fbndsl search"):
            pass
    assert (tmp_path / "f").read_text() == "x"


# -- runs that find their directory in use ----------------------------------------------------------------

@needs_torch
def test_two_searches_started_at_once_on_one_out_one_runs_and_one_is_refused(lone, tmp_path):
    out = tmp_path / "out"
    first, second = start("search", *SEARCH, "--out", str(out)), start("search", *SEARCH, "--out", str(out))
    ends = {p.pid: (p.wait(timeout=120), p.stderr.read()) for p in (first, second)}
    for p in (first, second):
        p.stdout.close()
        p.stderr.close()
    [winner] = [pid for pid, (code, _) in ends.items() if code == 0]
    [(code, stderr)] = [end for pid, end in ends.items() if pid != winner]
    assert code == 1
    refused(stderr, out, "fbndsl search", winner)
    assert same_search(results(out), results(lone))
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "search.png"]


@needs_torch
def test_a_search_and_its_resume_are_refused_while_another_run_holds_out(lone, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(lone, out)
    with locked(out, "fbndsl search"):
        before = snapshot(out)
        for resume in ([], ["--resume"]):
            again = run("search", *SEARCH, "--out", str(out), *resume)
            assert again.returncode == 1
            refused(again.stderr, out, "fbndsl search", os.getpid())
        assert snapshot(out) == before


@needs_torch
def test_a_training_is_refused_while_another_run_holds_its_directory(tmp_path):
    out = tmp_path / "run"
    with locked(out, "fbndsl train"):
        before = snapshot(out)
        again = run("train", *TRAIN, "--out", str(out))
        assert again.returncode == 1
        refused(again.stderr, out, "fbndsl train", os.getpid())
        assert snapshot(out) == before == {LOCK_NAME: (out / LOCK_NAME).read_bytes()}


# -- SIGKILL ------------------------------------------------------------------------------------------------

def kill_after(process: subprocess.Popen, out: Path, evaluated: int, rng: random.Random) -> None:
    """SIGKILL `process` at a random moment after results.json holds `evaluated` architectures: within the next
    evaluation or its write (results.json is replaced atomically, so it is always whole)."""
    while not (out / "results.json").is_file() or len(results(out)["evaluated"]) < evaluated:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.002)
    time.sleep(rng.uniform(0, EVAL_SECONDS))
    process.kill()
    assert process.wait(timeout=60) == -signal.SIGKILL
    process.stdout.close()
    process.stderr.close()


@needs_torch
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_search_killed_at_a_random_moment_and_resumed_reports_what_an_uninterrupted_one_does(lone, tmp_path):
    out, rng = tmp_path / "killed", random.Random(14)
    killed = start("search", *SEARCH, "--out", str(out))
    kill_after(killed, out, rng.randrange(1, EVALS - 5), rng)
    recorded = results(out)
    assert not recorded["done"]
    stale = json.loads((out / LOCK_NAME).read_text())  # the killed run could not remove it; nobody holds it now
    assert (stale["what"], stale["pid"]) == ("fbndsl search", killed.pid)
    resumed = run("search", *SEARCH, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{EVALS} architectures evaluated ({EVALS - len(recorded['evaluated'])} measured now)" in resumed.stdout
    assert same_search(results(out), results(lone))
    assert not (out / LOCK_NAME).exists()
