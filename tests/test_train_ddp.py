"""`fbndsl train` under torchrun: 2 CPU processes (gloo) reach the weights of 1 process with the same global
batch, within fp32 rounding; only rank 0 writes the run directory; a global batch that does not divide among
the processes is a one-line error."""
from __future__ import annotations

import json
import subprocess

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

from conftest import ROOT  # noqa: E402

# An operator choice (one with a fairness BatchNorm, one the zero op), elastic width, depth and kernel,
# mbconvs and a residual block; no dropout, whose masks come from each process's own generator.
SPACE = """
network ddp {
  input(3, 32)
  stem: conv(out in {4, 8}, k = 3, stride = 2) -> bn -> relu
  stage s(c in {4, 8}) { repeat depth in {1..2} as i: mbconv(c, k in {3, 5}, e = 2, res = i > 0) }
  mix: conv(8, 1) -> bn
  blk: residual(conv(8, 3) -> bn -> relu -> conv(8, 3) -> bn)
  l: choose(conv: conv(8, 3) -> bn, pool: avg_pool(3), none: zero)
  head: global_pool -> linear(10)
}
"""
ARGS = ["--data", "digits", "--epochs", "1", "--steps", "4", "--batch-size", "16", "--device", "cpu",
        "--recal-batches", "1", "--quiet"]


def start(tmp_path, out: str, processes: int, *args: str) -> subprocess.Popen:
    """`fbndsl train` in `processes` processes (torchrun for more than one), started in the background."""
    from fbndsl.train.distributed import local_fbndsl

    space = tmp_path / "ddp.nas"
    space.write_text(SPACE)
    argv, env = local_fbndsl(processes, ROOT)
    cmd = [*argv, "train", "--space", str(space), "--out", str(tmp_path / out), *ARGS, *args]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = proc.communicate(timeout=180)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def weights(path) -> dict:
    return torch.load(path / "checkpoint.pt", weights_only=True)["model"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each mode once with 1 process and once with 2, the same global batch of 16 (all at once: most of
    their time is importing torch)."""
    tmp = tmp_path_factory.mktemp("ddp")
    # one LR for both modes: bn-only's default of 1.0 (with momentum) turns the fp32 rounding that differs between
    # one batch of 16 and two of 8 (1e-6 after a step) into 1e-4 after four, which would test the LR, not DDP
    procs = {(mode, k): start(tmp, f"{mode}-{k}", k, "--mode", mode, "--lr", "0.1")
             for mode in ("full", "bn-only") for k in (1, 2)}
    return {(mode, k): (tmp / f"{mode}-{k}", finish(proc)) for (mode, k), proc in procs.items()}


def initial_weights(mode: str) -> dict:
    import fbndsl
    from fbndsl.train import TrainConfig
    from fbndsl.train.setup import build_supernet

    config = TrainConfig(mode=mode, device="cpu")
    return build_supernet(fbndsl.compile("ddp.nas", text=SPACE), config, torch.device("cpu"))[0].state_dict()


@pytest.mark.parametrize("mode", ["full", "bn-only"])
def test_two_processes_reach_the_weights_of_one(runs, mode):
    (one, r1), (two, r2) = runs[mode, 1], runs[mode, 2]
    assert r1.returncode == 0, r1.stderr
    assert r2.returncode == 0, r2.stderr
    a, b = weights(one), weights(two)
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(b[name], a[name], atol=1e-5, rtol=1e-4, msg=name)
    start = initial_weights(mode)
    assert any(not torch.equal(a[n], start[n]) for n in a if a[n].is_floating_point())  # it did train
    worst = max((b[n].double() - a[n].double()).abs().max().item() for n in a if a[n].is_floating_point())
    print(f"{mode}: largest difference between 1 and 2 processes {worst:.3g}")


def test_only_rank_0_writes_and_prints(runs):
    (one, _), (two, r2) = runs["full", 1], runs["full", 2]
    assert {p.name for p in two.iterdir()} == {"checkpoint.pt", "space.nas", "config.json", "metrics.jsonl"}
    assert r2.stdout.count("trained 'ddp'") == 1 and not r2.stderr.strip()  # rank 0's summary alone
    # the records of one process (loss and accuracy over the global batch), each written once
    rec1 = [json.loads(line) for line in (one / "metrics.jsonl").read_text().splitlines()]
    rec2 = [json.loads(line) for line in (two / "metrics.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["step"]) for r in rec1] == [(r["kind"], r["step"]) for r in rec2]
    for x, y in zip(rec1, rec2):
        assert y["loss"] == pytest.approx(x["loss"], rel=1e-4)


def test_global_batch_must_divide_among_the_processes(tmp_path):
    result = finish(start(tmp_path, "odd", 2, "--mode", "full", "--batch-size", "15"))
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: --batch-size 15: the global batch must divide evenly among the 2 processes; use a "
                      "multiple of 2, e.g. --batch-size 14"], result.stderr
    assert "fbndsl/" not in result.stderr  # no traceback of ours (torchrun prints its own)
    assert not (tmp_path / "odd").exists()


def test_a_mistake_every_rank_finds_is_printed_by_rank_0_and_waited_for_by_the_others(monkeypatch):
    """The other ranks do not exit before rank 0 has reported (torchrun would stop rank 0 first); a rank still
    running after the grace prints the error itself, since rank 0 evidently did not find it."""
    from fbndsl import UserError
    from fbndsl.train import distributed

    slept = []
    monkeypatch.setattr(distributed.time, "sleep", slept.append)
    for rank, waits in ((0, []), (1, [distributed.PEER_GRACE_S])):
        with pytest.raises(UserError, match="^same everywhere$") as caught:
            with distributed.Launch(rank=rank, world=2).alike():
                raise UserError("same everywhere")
        assert slept == waits and not getattr(caught.value, "quiet", False)
    with pytest.raises(distributed.PeerError):  # rank 0 already stopped: nothing to wait for
        with distributed.Launch(rank=1, world=2).alike():
            raise distributed.PeerError("rank 0 stopped")
    assert slept == [distributed.PEER_GRACE_S]
