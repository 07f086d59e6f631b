"""A search measured by several torchrun processes is the search one process makes (docs/search.md, "Several
processes").

In process: rounds of proposals that read no score give the pool that one proposal at a time gives, whatever
the round's size; each item of a round is measured by exactly one process. Under torchrun (gloo, 2 CPU
processes): the evaluated architectures, every value, the refined accuracies and the winner are bit-identical
to one process's; a worker killed mid-search fails the run with a one-line message, leaves results.json at a
complete round, and a resume with one process ends in exactly the uninterrupted search's results."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT

import fbndsl
from fbndsl.indicators.kinds import Indicator
from fbndsl.search import workers
from fbndsl.search.budget import Budget
from fbndsl.search.loop import SearchLoop
from fbndsl.search.objective import goodness
from fbndsl.search.strategies import CoarseToFine, Evolution, Exhaustive, RandomSampling
from fbndsl.train.distributed import Launch, local_fbndsl

torch = pytest.importorskip("torch")


# -- in process --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nb201():
    return fbndsl.compile("nb201", C=8, N=1)


def pool_of(space, strategy, *, round_size=1, batch=1, evals=40, budget=None):
    measured = []

    def measure_round(archs):
        measured.append(len(archs))
        return [{Indicator.PARAMS: float(space.cost(a).params)} for a in archs]

    loop = SearchLoop(space, budget or Budget(), None, goodness(Indicator.PARAMS), evals=evals, seed=5,
                      measure_round=measure_round, round_size=round_size, batch=batch)
    strategy.run(loop)
    return [e.arch for e in loop.pool], measured


@pytest.mark.parametrize("strategy", [RandomSampling(), Exhaustive(), CoarseToFine()], ids=lambda s: s.kind.value)
def test_rounds_of_proposals_that_read_no_score_change_nothing(nb201, strategy):
    """Random sampling, the enumeration and the coarse grid: rounds of 16 evaluate the architectures one at a
    time does, in the same order (a round's repeats included: the same network twice in one round is one)."""
    budget = Budget(macs=nb201.cost(nb201.max_arch()).macs // 2)
    alone, one_by_one = pool_of(nb201, strategy, budget=budget)
    together, rounds = pool_of(nb201, strategy, round_size=16, budget=budget)
    assert together == alone and len(alone) == 40 and len(set(alone)) == 40
    assert max(rounds) >= max(one_by_one)  # nb201 has no grid: coarse-to-fine is its fine stage, in rounds of 3
    assert max(rounds) > 3 or strategy.kind.value == "coarse-to-fine"


def test_a_batch_of_children_per_generation(nb201):
    """Evolution with a batch of 4: after the population, the pool grows by at most 4 a round, each child a
    mutation of a member; a batch of 1 stays Real et al.'s one child per cycle."""
    archs, rounds = pool_of(nb201, Evolution(population=10, sample=3), batch=4, evals=30)
    assert len(archs) == 30 and rounds[0] == 1  # the population: one random architecture at a time (round 1)
    assert max(rounds) == 4
    _, single = pool_of(nb201, Evolution(population=10, sample=3), evals=30)
    assert max(single) == 1


def test_each_item_of_a_round_is_claimed_by_exactly_one_process(monkeypatch):
    """Two ranks claiming from one store, in turns as uneven as their speeds: every position once, in order."""
    import torch.distributed as dist

    store = dist.HashStore()
    monkeypatch.setattr(workers, "_store", lambda: store)
    order = [4, 0, 3, 1, 2]
    ranks = [workers._claims("k", order, Launch(rank, 2, rank)) for rank in (0, 1)]
    taken = [next(ranks[0]), next(ranks[0]), next(ranks[1]), next(ranks[0]), next(ranks[1])]
    assert taken == order
    assert list(ranks[0]) == [] and list(ranks[1]) == []  # the counter is past the end: both stop
    monkeypatch.setattr(workers, "_store", lambda: None)  # no store: every W-th item, fixed
    assert list(workers._claims("k", order, Launch(1, 2, 1))) == [0, 1]


# -- under torchrun ---------------------------------------------------------------------------------------

needs_gloo = pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed is not available")

SPACE = ["--space", "nb201", "--set", "C=8", "--set", "N=1", "--device", "cpu", "--quiet"]
# the default indicator (a trained supernet's regions, trainability and uncertainty, and synflow and NASWOT),
# a supernet trained 20 steps, and the 2 best refined: every value a worker measures or trains
TRAINED = [*SPACE, "--strategy", "random", "--evals", "10", "--train-steps", "5", "--refine-top", "2",
           "--refine-steps", "3"]
# evolution, long enough (about 5 s on one process) to be killed midway; 2 processes make a batch of 2 children a
# generation by default, and so does one process with --batch 2
EVOLVING = [*SPACE, "--strategy", "evolution", "--indicator", "naswot", "--evals", "80"]


def start(processes: int, *args: str, command: str = "search") -> subprocess.Popen:
    argv, env = local_fbndsl(processes, ROOT)
    if command == "bench":
        args = ("nb201", *args)
    return subprocess.Popen([*argv, command, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = proc.communicate(timeout=240)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


@needs_gloo
def test_two_processes_search_exactly_as_one(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    runs = [start(1, *TRAINED, "--out", str(one)), start(2, *TRAINED, "--out", str(two))]
    for run in map(finish, runs):
        assert run.returncode == 0, run.stderr
    a, b = results(one), results(two)
    assert a["done"] and len(a["evaluated"]) == 10 and len(a["top"]) == 5
    assert a["evaluated"] == b["evaluated"]  # architectures and every value, bit for bit (JSON keeps 17 digits)
    assert a["top"] == b["top"]              # the ranking, the refined accuracies and the winner
    assert a["settings"] == b["settings"]    # random sampling records no batch: it changes nothing
    assert not (two / "supernet" / ".fbndsl.lock").exists() and (two / "search.png").is_file()


def rank_pids(launcher: int) -> dict[int, int]:
    """rank -> pid of the processes that torchrun (pid `launcher`) started: its children, by their RANK (Linux)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            env = dict(v.split(b"=", 1) for v in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in v)
        except OSError:
            continue
        if parent == str(launcher) and b"RANK" in env:
            found[int(env[b"RANK"])] = int(pid)
    return found


@needs_gloo
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the worker's pid in /proc")
def test_a_killed_worker_fails_the_run_and_a_resume_with_one_process_finishes_it(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    uninterrupted = start(1, *EVOLVING, "--batch", "2", "--out", str(whole))
    run = start(2, *EVOLVING, "--out", str(killed))
    deadline = time.monotonic() + 120
    while not (killed / "results.json").exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    # killed at once: the first round (the population's 16) is in, and some 30 generations of 2 children are to come
    workers = rank_pids(run.pid)
    assert set(workers) == {0, 1}, workers
    os.kill(workers[1], signal.SIGKILL)
    broken = finish(run)
    assert broken.returncode != 0
    [line] = [x for x in broken.stderr.splitlines() if x.startswith("error: ")]
    assert "keeps the" in line and line.endswith("rerun with --resume (with any number of processes) to continue")
    assert "internal compiler error" not in broken.stderr and str(ROOT / "fbndsl") not in broken.stderr

    assert finish(uninterrupted).returncode == 0
    full, kept = results(whole), results(killed)
    assert not kept["done"] and 0 < len(kept["evaluated"]) < 80 and kept["settings"]["batch"] == 2
    assert kept["evaluated"] == full["evaluated"][:len(kept["evaluated"])]  # complete rounds, as measured
    resumed = finish(start(1, *EVOLVING, "--out", str(killed), "--resume"))  # the recorded batch, on 1 process
    assert resumed.returncode == 0, resumed.stderr
    final = results(killed)
    assert final["evaluated"] == full["evaluated"] and final["top"] == full["top"]
    assert final["settings"]["batch"] == 2


PATHS = {"run_dir", "out", "supernet_dir"}


def bench_report(out: Path) -> dict:
    """report.json less what differs between any two runs: seconds and paths."""
    def kept(x):
        if isinstance(x, dict):
            return {k: kept(v) for k, v in x.items() if "second" not in k and k not in PATHS}
        return [kept(v) for v in x] if isinstance(x, list) else x
    return kept(json.loads((out / "report.json").read_text()))


@needs_gloo
def test_bench_nb201_measures_its_sets_on_two_processes_as_on_one(tmp_path):
    import csv
    import random

    space, rng = fbndsl.compile("nb201"), random.Random(1)
    truth = tmp_path / "truth.csv"
    with truth.open("w", newline="") as f:  # a made-up accuracy per cell: the figures are not the point here
        csv.writer(f).writerows([("index", "arch_str", "cifar10_test_acc"),
                                 *((i, space.format_arch(a, "nb201"), f"{rng.uniform(10, 94):.2f}")
                                   for i, a in enumerate(space.enumerate()))])
    args = ["--truth", str(truth), "--data", "digits", "--set", "C=4", "--set", "N=1", "--epochs", "1", "--steps", "2",
            "--archs", "3", "--calibration", "3", "--evals", "2", "--search-seeds", "1"]
    runs = {k: start(k, *args, "--out", str(tmp_path / f"w{k}"), "--supernet-dir", str(tmp_path / f"s{k}"),
                     command="bench") for k in (1, 2)}
    done = {k: finish(p) for k, p in runs.items()}
    for run in done.values():
        assert run.returncode == 0, run.stderr
    assert done[1].stdout.splitlines()[-1] == done[2].stdout.splitlines()[-1]  # the figure
    one, two = bench_report(tmp_path / "w1"), bench_report(tmp_path / "w2")
    assert one == two and len(one["archs"]) == 3 and len(one["calibration_archs"]) == 3


def test_batch_is_refused_where_it_changes_nothing_or_makes_no_sense(tmp_path):
    from click.testing import CliRunner

    from fbndsl.cli import main

    for args, message in ((["--strategy", "random", "--batch", "2"], "--batch applies to evolution and coarse-to-fine"),
                          (["--batch", "0"], "--batch 0: must be at least 1")):
        result = CliRunner().invoke(main, ["search", *SPACE, "--indicator", "naswot", *args, "--out", str(tmp_path)])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
