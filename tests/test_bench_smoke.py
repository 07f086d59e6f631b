"""The training benchmarks still run: each perf module's functions on a tiny problem (seconds, not minutes).

The figures themselves come from `python perf/<name>.py --quick`; these only keep the code from rotting
when the trainer's API moves.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import fbndsl  # noqa: E402

BENCH = Path(__file__).resolve().parent.parent / "perf"


def bench_module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def digits():
    from fbndsl.data import load

    return load("digits", augment=True, seed=0)


def test_train_speed_times_both_modes_on_the_same_steps():
    bench = bench_module("train_speed")
    space = fbndsl.compile(BENCH.parent / "spaces" / "nb201.nas", C=4, N=1)
    times = bench.measure(space, batch=4, steps=2, warmup=1)
    assert {k: len(v) for k, v in times.items()} == {"bn-only": 2, "full": 2}
    assert all(t > 0 for ts in times.values() for t in ts)
    assert bench.report("nb201", times, 4) > 0


def test_train_speed_bn_only_trains_only_batchnorm():
    bench = bench_module("train_speed")
    space = fbndsl.compile(BENCH.parent / "spaces" / "nb201.nas", C=4, N=1)
    trainee = bench.Trainee(space, "bn-only", 0)
    trained = {n for n, p in trainee.net.named_parameters() if p.requires_grad}
    assert trained and all(isinstance(trainee.net.get_submodule(n.rsplit(".", 1)[0]),
                                       torch.nn.modules.batchnorm._BatchNorm) for n in trained)


def test_single_stage_compares_three_children(digits, capsys):
    bench = bench_module("single_stage")
    space = fbndsl.compile(bench.SPACE)
    data = bench.subset(digits, 200)
    assert len(data.train) == 200
    t = data.test  # 64 test images: the smoke checks that evaluation runs, not what it says
    data = dataclasses.replace(data, test=type(t)(t.images[:64], t.labels[:64], t.mean, t.std))
    rows = bench.compare(space, data, epochs=1, data_spec="digits", steps=2)
    assert set(rows) == set(bench.ROLES)
    assert all(0.0 <= acc <= 1.0 for pair in rows.values() for acc in pair)
    assert "largest" in capsys.readouterr().out


def test_pinned_space_samples_one_architecture():
    bench = bench_module("single_stage")
    space = fbndsl.compile(bench.SPACE)
    archs = bench.children(space)
    assert space.cost(archs["smallest"]).macs <= space.cost(archs["median"]).macs <= space.cost(archs["largest"]).macs
    pinned = bench.Pinned(space, archs["median"])
    assert {pinned.sample(seed) for seed in range(5)} == {archs["median"]}
    assert pinned.max_arch() == space.max_arch()
