"""Optimiser-step time of bn-only training vs full training, per space (goal: bn-only >= 1.4x faster).

    python perf/train_speed.py [--quick] [--threads N]

A step is what `fbndsl.train`'s loop does for one batch: `single_path_step` (forward, loss, backward) then
`optimizer.step()` and `zero_grad`, on a supernet built and prepared by the trainer's own `build_supernet`
(bn-only: every parameter but BatchNorm's gamma and beta has requires_grad=False) with its `make_optimizer`
(SGD, Nesterov). Data loading and LR setting are left out: each step reads the same seeded random batch.

Both modes run in the same process on the same seeded architectures (one per step, SPOS-style), batch size
and input. Every architecture's graph is built and every mode warmed up before timing starts; then the
modes alternate step by step (bn-only, full on architecture i; full, bn-only on i + 1; ...) so that load
from other processes hits both alike. The figure per space is the median over steps of the paired ratio
full / bn-only (same architecture, back to back); the medians of each mode's step times are printed too.

Why ~1.5x is the ceiling: a full step's backward computes input gradients and weight gradients (about two
forwards' work); bn-only still needs the input gradients, to reach the BatchNorms of earlier layers (only
the first convolution, whose input needs no gradient, drops out), so it saves about one forward of three.
That holds where convolutions dominate and their weight gradient costs about a forward. On the CPU neither
need hold: nb201 at C=16 spends most of a step in average pooling and BatchNorm (torch.profiler), which
bn-only cannot skip; mobilenet's weight gradients cost more than a forward, so it can beat 1.5x.

One intra-op thread by default (--threads): our 2-core machines are shared, and two threads on a loaded
machine make single steps many times slower at random, which swamps the effect being measured.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.lower.runtime import images_on
from fbndsl.train import TrainConfig  # noqa: E402
from fbndsl.train.setup import build_supernet, make_optimizer  # noqa: E402
from fbndsl.train.step import single_path_step  # noqa: E402

SPACES = Path(__file__).resolve().parent.parent / "spaces"
MODES = ("bn-only", "full")
# space -> (file, overrides); CIFAR-10-sized: 10 classes; mobilenet at 64x64 so that it runs on a CPU.
SETTINGS = {
    "nb201": ("nb201", {"C": 16}),
    "mobilenet": ("mobilenet", {"resolution": 64, "classes": 10}),
}
QUICK_OVERRIDES = {"nb201": {"N": 2}}  # --quick: 2 cells per stage instead of 5 (same cell, same ops)


class Trainee:
    """One mode's supernet and optimiser, prepared exactly as `fbndsl.train` prepares them."""

    def __init__(self, space, mode: str, seed: int):
        self.config = TrainConfig(mode=mode, seed=seed, device="cpu")
        self.net, params = build_supernet(space, self.config, torch.device("cpu"))
        self.net.train()
        self.optimizer = make_optimizer(params, self.config)

    def step(self, arch, x: torch.Tensor, y: torch.Tensor) -> float:
        """One optimiser step as the trainer's loop makes it; returns its wall time in seconds."""
        start = time.perf_counter()
        single_path_step(self.net, [arch], x, y)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return time.perf_counter() - start

    def prepare(self, archs) -> None:
        """Build (and cache) every architecture's fx graph, so that no timed step pays for one."""
        for arch in archs:
            self.net.set_arch(arch)
            self.net.graph_module()


def measure(space, batch: int, steps: int, warmup: int = 2, seed: int = 0) -> dict[str, list[float]]:
    """Step times per mode: `warmup` untimed steps each, then `steps` timed ones, the modes alternating."""
    rng = random.Random(seed)
    archs = [space.sample(rng) for _ in range(warmup + steps)]
    trainees = {mode: Trainee(space, mode, seed) for mode in MODES}
    res = max(max(trainees["full"].net.input_shape(a)[1:]) for a in archs)
    gen = torch.Generator().manual_seed(seed)
    x = images_on(torch.randn(batch, 3, res, res, generator=gen), "cpu")  # as the trainer lays batches out
    y = torch.randint(0, _classes(space), (batch,), generator=gen)
    for t in trainees.values():
        t.prepare(archs)
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for i, arch in enumerate(archs):
        order = MODES if i % 2 == 0 else MODES[::-1]
        for mode in order:
            elapsed = trainees[mode].step(arch, x, y)
            if i >= warmup:
                times[mode].append(elapsed)
    return times


def _classes(space) -> int:
    """The number of class scores the network ends in (fixed in the spaces timed here)."""
    return space.ir.shapes[space.ir.output].c


def report(name: str, times: dict[str, list[float]], batch: int) -> float:
    """Print one space's line; return the median paired speed-up."""
    ratios = [f / b for f, b in zip(times["full"], times["bn-only"])]
    speedup = statistics.median(ratios)
    med = {mode: statistics.median(times[mode]) for mode in MODES}
    print(f"{name:10s} step: bn-only {med['bn-only'] * 1e3:8.1f} ms, full {med['full'] * 1e3:8.1f} ms (medians); "
          f"speed-up {speedup:.2f}x (median of {len(ratios)} paired steps, range {min(ratios):.2f}-"
          f"{max(ratios):.2f}; ratio of medians {med['full'] / med['bn-only']:.2f}x), batch {batch}")
    return speedup


def run(names, batch: int, steps: int, quick: bool) -> dict[str, float]:
    out = {}
    for name in names:
        file, overrides = SETTINGS[name]
        overrides = {**overrides, **(QUICK_OVERRIDES.get(name, {}) if quick else {})}
        space = fbndsl.compile(SPACES / f"{file}.nas", **overrides)
        sets = " ".join(f"{k}={v}" for k, v in overrides.items())
        print(f"{name:10s} --set {sets}: timing {steps} steps per mode after 2 warm-up steps")
        out[name] = report(name, measure(space, batch, steps), batch)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps, a shallower nb201 (N=2)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    batch, steps = (32, 10) if args.quick else (64, 30)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), CPU, random 10-class batches")
    speedups = run(SETTINGS, batch, steps, args.quick)
    worst = min(speedups.values())
    parts = ", ".join(f"{s:.2f}x ({name})" for name, s in speedups.items())
    verdict = "met" if worst >= 1.4 else "not met"
    print(f"bn-only speed-up per optimiser step: {parts}; goal >= 1.4x (ceiling ~1.5x): {verdict}")


if __name__ == "__main__":
    main()
