"""Before training: the estimate of a run's memory and time (`fbndsl.train.estimate`), the refusal of a run that
exceeds the memory available or an hour, and `fbndsl train`'s --force."""
from __future__ import annotations

import time

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402
from conftest import SKIPPING_DEPTH, compile_text  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.cli import main  # noqa: E402
from fbndsl.diagnostics import UserError  # noqa: E402
from fbndsl.train import TrainConfig  # noqa: E402
from fbndsl.train import estimate as E  # noqa: E402

RATE = 1e9  # MACs a second: a fixed device, so that the numbers below do not depend on this machine's load
GB = 10**9


def tiny(**sets):
    return fbndsl.compile("nb201", C=4, N=1, **sets)


def est(space, batch=16, steps=100, **config):
    return E.estimate(space, TrainConfig(mode=config.pop("mode", "bn-only"), batch_size=batch, **config), steps,
                      "cpu", rate=RATE)


def activations(e: E.Estimate) -> int:
    return e.peak_bytes - e.fixed_bytes


# -- the estimate --------------------------------------------------------------------------------------------
def test_an_estimate_is_positive_and_described_in_one_line():
    e = est(tiny())
    assert e.peak_bytes > e.fixed_bytes > 0 and e.step_seconds > 0 and e.steps == 100
    assert e.total_seconds == pytest.approx(100 * e.step_seconds)
    text = e.describe()
    assert text.startswith("about ") and " a step, " in text and "for 100 steps on cpu" in text and "\n" not in text


def test_memory_and_time_grow_linearly_with_the_batch():
    small, large = est(tiny(), batch=16), est(tiny(), batch=64)
    assert activations(large) == pytest.approx(4 * activations(small), rel=1e-6)
    assert large.fixed_bytes == small.fixed_bytes
    assert large.step_seconds == pytest.approx(4 * small.step_seconds, rel=1e-6)


def test_memory_and_time_grow_with_the_square_of_the_resolution():
    low, high = est(tiny(resolution=16)), est(tiny(resolution=32))
    assert high.resolution == 32 and low.resolution == 16
    assert activations(high) / activations(low) == pytest.approx(4, rel=0.05)
    assert high.step_seconds / low.step_seconds == pytest.approx(4, rel=0.05)


def test_the_supernet_holds_every_candidates_weights():
    """Counted from the IR, checked against the lowered supernet (an independent count)."""
    from fbndsl.lower import lower

    space = tiny()
    every, bn = E._supernet_params(space)
    net = lower(space)
    assert every == sum(p.numel() for p in net.parameters())
    assert bn == sum(p.numel() for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)
                     for p in m.parameters(recurse=False))
    bn_only, full = est(space, mode="bn-only"), est(space, mode="full")
    assert full.fixed_bytes == 3 * 4 * every + E.RUNTIME_BYTES  # weights, their gradients and momentum
    assert bn_only.fixed_bytes == 4 * (every + 2 * bn) + E.RUNTIME_BYTES


def test_a_step_trains_the_paths_its_mode_trains():
    space = tiny()
    uniform, fair = est(space), est(space, sampler="fair")
    assert fair.step_seconds == pytest.approx(5 * uniform.step_seconds)  # m = 5 operators per edge
    full = est(space, mode="full")
    assert full.step_seconds == pytest.approx(1.5 * uniform.step_seconds)  # weight gradients too
    assert fair.peak_bytes == uniform.peak_bytes  # one path's graph is alive at a time


def test_an_elastic_resolution_is_estimated_at_the_largest_child():
    space = compile_text(SKIPPING_DEPTH)
    e = est(space, steps=10, mode="single-stage")
    assert e.resolution == 16 and e.step_seconds > 0 and e.peak_bytes > e.fixed_bytes


# -- the refusal -------------------------------------------------------------------------------------------------
def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_too_little_memory_names_the_batch_size_the_resolution_and_force():
    e = est(tiny(), batch=64)
    with pytest.raises(UserError) as exc:
        E.check(e, e.fixed_bytes + activations(e) // 4, flags=E.Flags(resolution="--set resolution"))
    text = one_line(exc)
    assert "--batch-size 16" in text and "--set resolution=16" in text and "--force" in text
    assert text.startswith("this run needs more memory than the ") and "(about " in text


def test_too_long_names_the_length_flags_and_force():
    e = est(tiny(), steps=10_000)
    with pytest.raises(UserError) as exc:
        E.check(e, 1000 * GB, limit_seconds=e.total_seconds / 2,
                flags=E.Flags(steps="--train-steps", epochs="--train-epochs"))
    text = one_line(exc)
    assert "--train-steps 5000 or fewer --train-epochs, or pass --force" in text
    assert "resolution" not in text  # the space's resolution is not a flag here


def test_a_run_that_fits_passes():
    e = est(tiny())
    E.check(e, e.peak_bytes, limit_seconds=e.total_seconds)


def test_preflight_counts_the_steps_and_forces():
    config = TrainConfig(mode="bn-only", epochs=3, batch_size=16)
    text = E.preflight(tiny(), config, train_images=1000, device="cpu")
    assert text.startswith("estimate: about ") and "186 steps" in text  # 3 epochs of 62 full batches
    capped = TrainConfig(mode="bn-only", epochs=3, steps=7, batch_size=16)
    assert "7 steps" in E.preflight(tiny(), capped, train_images=1000, device="cpu", limit_seconds=0, force=True)
    with pytest.raises(UserError):
        E.preflight(tiny(), capped, train_images=1000, device="cpu", limit_seconds=0)


def test_available_memory_is_positive():
    assert E.available_memory("cpu") > 0


# -- `fbndsl train` ------------------------------------------------------------------------------------------------
SMALL = ["--space", "nb201", "--set", "C=4", "--set", "N=1", "--data", "digits", "--epochs", "1", "--steps", "1",
         "--batch-size", "16", "--quiet", "--mode", "bn-only", "--recal-batches", "1"]


def train(*args):
    return CliRunner().invoke(main, ["train", *args], catch_exceptions=False)


def refused(result, *fragments) -> str:
    assert result.exit_code == 1, result.output
    text = result.output.strip()
    assert "Traceback" not in text and "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


def test_train_refuses_a_run_larger_than_any_machine(tmp_path):
    """nb201 at 4096x4096 with a batch of 64 needs terabytes of activations."""
    out = tmp_path / "run"
    result = train(*SMALL, "--set", "resolution=4096", "--batch-size", "64", "--out", str(out))
    refused(result, "error: this run needs more memory than the", "--batch-size", "--set resolution=",
            "--force")
    assert not (out / "checkpoint.pt").exists()


def test_train_refuses_then_starts_with_force(tmp_path, monkeypatch):
    monkeypatch.setattr(E, "available_memory", lambda device: 10**6)  # a machine with 1 MB to spare
    out = tmp_path / "run"
    refused(train(*SMALL, "--out", str(out)), "--batch-size", "--force")
    assert not (out / "checkpoint.pt").exists()
    result = train(*SMALL, "--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert (out / "checkpoint.pt").exists()


def test_train_prints_the_estimate_unless_quiet(tmp_path):
    args = [a for a in SMALL if a != "--quiet"]
    result = train(*args, "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    assert "estimate: about " in result.stderr and "1 steps" in result.stderr


# -- against a measured step -------------------------------------------------------------------------------------
def test_the_estimate_is_within_3x_of_a_measured_step(tmp_path):
    """A small bn-only run, timed here on one thread: the processor time of its fastest step (what its wall
    time is on an idle machine; other processes sharing the CPU stretch the wall time) against the estimate at
    this machine's rate (measured on its fastest convolution, for the same reason)."""
    from fbndsl.data import load
    from fbndsl.train.loop import Trainer, Window
    from fbndsl.train.rundir import RunDir

    space, config = fbndsl.compile("nb201", C=8, N=1), TrainConfig(mode="bn-only", epochs=1, batch_size=32)
    data = load("digits", augment=True, seed=0)
    trainer = Trainer(space, config, data, RunDir(tmp_path), torch.device("cpu"))
    trainer.supernet.train()
    window, whole = Window(trainer.device), Window(trainer.device)
    times = []
    for x, y in trainer.batches(0, 0):
        start = time.process_time()
        trainer.one_step(0, x, y, window, whole)
        times.append(time.process_time() - start)
        if len(times) == 8:
            break
    estimated = E.estimate(space, config, 1, "cpu", rate=E.mac_rate.__wrapped__("cpu")).step_seconds
    assert estimated / 3 < min(times[1:]) < 3 * estimated, (estimated, times)
