"""Exact resumption: a run interrupted after a mid-epoch checkpoint and resumed ends with the very weights
(torch.equal, every tensor) of a run that was never interrupted. Once in-process for each mode, and once for
real: a subprocess killed with SIGKILL, resumed with `fbndsl train --resume`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from conftest import ROOT  # noqa: E402
from test_train_steps import TINY, small_data, tiny_space  # noqa: E402

from fbndsl.train import TrainConfig, train  # noqa: E402


class Crash(Exception):
    pass


def crash_at(step_to_crash: int):
    def on_step(step: int) -> None:
        if step == step_to_crash:
            raise Crash
    return on_step


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def assert_same_optimizer(a: dict, b: dict) -> None:
    assert a["param_groups"] == b["param_groups"]
    assert a["state"].keys() == b["state"].keys()
    for i in a["state"]:
        assert_same_state(a["state"][i], b["state"][i])


@pytest.mark.parametrize("mode, extra", [("bn-only", dict(sampler="fair")), ("full", {}),
                                         ("single-stage", dict(num_random=1))])
def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(tmp_path, mode, extra):
    # 6 batches per epoch, 2 epochs; checkpoints every 4 steps: the crash at step 5 falls after the mid-epoch
    # checkpoint of step 4, and the resumed run crosses the epoch boundary at step 6.
    cfg = TrainConfig(mode=mode, epochs=2, batch_size=16, checkpoint_every=4, device="cpu", quiet=True,
                      recal_batches=2, eval_archs=1, **extra)
    data = small_data(96, 32)
    whole = train(tiny_space(), cfg, data, tmp_path / "whole")
    with pytest.raises(Crash):
        train(tiny_space(), cfg, data, tmp_path / "cut", on_step=crash_at(5))
    saved = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)
    assert (saved["step"], saved["epoch"], saved["step_in_epoch"]) == (4, 0, 4)
    resumed = train(tiny_space(), cfg, data, tmp_path / "cut", resume=True)
    assert resumed.steps == whole.steps == 12
    for name in ("whole", "cut"):
        assert torch.load(tmp_path / name / "checkpoint.pt", weights_only=True)["step"] == 12
    a = torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)
    assert_same_state(a["model"], b["model"])
    assert_same_optimizer(a["optimizer"], b["optimizer"])
    assert a["sampler_rng"] == b["sampler_rng"] and torch.equal(a["torch_rng"], b["torch_rng"])
    assert [(e["acc"], e["loss"]) for e in whole.evals] == [(e["acc"], e["loss"]) for e in resumed.evals]
    steps = [json.loads(line)["step"] for line in (tmp_path / "cut" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [json.loads(line)["step"] for line in (tmp_path / "whole" / "metrics.jsonl").read_text()
                     .splitlines()]


KILLED_RUN = """
import os, signal, sys
import torch
torch.set_num_threads(1)
import fbndsl
from fbndsl.train import TrainConfig, train

def kill(step):
    if step == 3:  # after the checkpoint of step 2, in the middle of epoch 0 (5 steps per epoch)
        os.kill(os.getpid(), signal.SIGKILL)

config = TrainConfig(mode="single-stage", epochs=2, batch_size=256, checkpoint_every=2, num_random=1,
                     quiet=True, recal_batches=3, device="cpu")
train(fbndsl.compile(sys.argv[1]), config, None, sys.argv[2], on_step=kill)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkilled_run_resumed_from_the_command_line_is_bit_identical(tmp_path):
    space = tmp_path / "tiny.nas"
    space.write_text(TINY)
    env = dict(os.environ, OMP_NUM_THREADS="1")  # the checkout is on the path: cwd, `-m` and `-c`
    cli = [sys.executable, "-m", "fbndsl", "train", "--space", str(space), "--mode", "single-stage", "--epochs", "2",
           "--batch-size", "256", "--num-random", "1", "--recal-batches", "3", "--quiet", "--device", "cpu"]
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, str(space), str(tmp_path / "cut")], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    saved = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)
    assert (saved["step"], saved["epoch"], saved["step_in_epoch"]) == (2, 0, 2)
    resumed = subprocess.run([*cli, "--out", str(tmp_path / "cut"), "--resume", "--checkpoint-every", "2"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([*cli, "--out", str(tmp_path / "whole")], cwd=ROOT, env=env, capture_output=True,
                           text=True)
    assert whole.returncode == 0, whole.stderr
    a = torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)
    assert a["step"] == b["step"] == 10
    assert_same_state(a["model"], b["model"])
    assert_same_optimizer(a["optimizer"], b["optimizer"])
    assert resumed.stdout.splitlines()[1:] == whole.stdout.splitlines()[1:]  # the same evaluations
