"""Single-stage (BigNAS) children, without retraining, vs the same architectures trained alone from scratch.

    python perf/single_stage.py --quick|--full [--data PATH] [--threads N]

Space: perf/spaces/bignas_cifar.nas (stem conv, 4 stages of MBConv with SE and swish, elastic width, depth
and kernel, elastic resolution {24, 28, 32}, global pool, linear(10)). Data: the CIFAR-10 subset in
../shared/data/cifar10-10k (10,000 training images, 2,000 test images); the run stops with one line if absent.

1. One `fbndsl.train.train(space, TrainConfig(mode="single-stage", ...))` run: sandwich rule (largest,
   smallest, 2 random children per step), in-place distillation, multi-resolution batches, zero-init,
   BigNAS' exponential LR decay.
2. Three children read from that supernet with no retraining: the smallest and the largest (by MACs, the
   sandwich's own extremes) and the median (the median-MACs architecture of 101 seeded samples).
3. Each of the three trained alone from scratch. The fair comparison we chose: the same trainer, called the
   same way, on a space whose sampler always returns that one architecture (`Pinned`), in `full` mode.
   A pinned full-mode run is plain supervised training of that network: the same fresh seeded
   initialisation scheme, data order, crop-and-flip augmentation, batch size, epochs, SGD with Nesterov,
   labels only, the trainer's standard weight decay (5e-4) and cosine LR; the child's batches are resized to
   its resolution as in single-stage training. Only the paths of the pinned architecture get gradients, so
   the rest of the supernet is inert: the network trained is exactly the static subnet (`extract` would give
   the same function, at up to ~1.1x the speed; see perf/supernet_overhead.py).
   Same epochs on both sides: a single-stage step trains four children, so the supernet gets ~4 children's
   worth of steps, shared between all of them, while each alone-trained child gets its own steps (BigNAS'
   comparison, Table 2, is also at equal epochs).
4. Every child is evaluated the same way: BatchNorm statistics recalibrated on 20 training batches, then
   top-1 on the test images at the child's resolution (`fbndsl.train.evaluate`).

--quick: a class-balanced 4,000-image training subset, 3 epochs (~5 minutes on one core of our machines);
the full 2,000-image test set. --full: all 10,000 training images, 15 epochs. The last line is the figure.
One intra-op thread by default: the machines are shared and two threads under load stall at random.
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.data import load  # noqa: E402
from fbndsl.train import TrainConfig, train  # noqa: E402

HERE = Path(__file__).resolve().parent
SPACE = HERE / "spaces" / "bignas_cifar.nas"
DATA = HERE.parent.parent / "shared" / "data" / "cifar10-10k" / "cifar-10-batches-py"
ROLES = ("smallest", "median", "largest")
SETTINGS = {"quick": {"train_images": 4000, "epochs": 3}, "full": {"train_images": None, "epochs": 15}}


class Pinned:
    """A compiled space whose `sample` always returns one architecture: `train` on it trains that child alone.

    Everything else (the IR, the source, costs, min/max) is the space's own, so the run is set up, recorded
    and evaluated exactly like any other."""

    def __init__(self, space, arch):
        self._space, self._arch = space, arch

    def sample(self, seed=0):
        return self._arch

    def __getattr__(self, name):
        return getattr(self._space, name)


def children(space, samples: int = 101) -> dict[str, object]:
    """smallest, median, largest: the MACs extremes and the median-MACs architecture of seeded samples."""
    ranked = sorted((space.sample(seed) for seed in range(samples)), key=lambda a: (space.cost(a).macs, a.text()))
    return {"smallest": space.min_arch(), "median": ranked[len(ranked) // 2], "largest": space.max_arch()}


def subset(data, n: int | None, seed: int = 0):
    """`data` with a class-balanced, seeded n-image training subset (all of it when n is None)."""
    if n is None or n >= len(data.train):
        return data
    labels = data.train.labels
    rng = random.Random(seed)
    picked = []
    for c in range(data.num_classes):
        idx = (labels == c).nonzero().flatten().tolist()
        picked += rng.sample(idx, min(len(idx), n // data.num_classes))
    idx = torch.tensor(sorted(picked))
    t = data.train
    return dataclasses.replace(data, train=type(t)(t.images[idx], t.labels[idx], t.mean, t.std, t.augment))


def config(mode: str, epochs: int, data_spec: str, steps: int | None = None) -> TrainConfig:
    return TrainConfig(mode=mode, epochs=epochs, steps=steps, device="cpu", data=data_spec, quiet=True, seed=0)


def single_stage(space, archs: dict, data, cfg: TrainConfig, out: Path) -> tuple[dict[str, float], float]:
    """Train the supernet once; each child's test accuracy after BN recalibration, and the training seconds."""
    from fbndsl.train.evaluate import evaluate

    result = train(space, cfg, data, out)
    accs = {role: evaluate(result.supernet, arch, data, cfg, torch.device("cpu"))["acc"]
            for role, arch in archs.items()}
    return accs, result.seconds


def alone(space, arch, data, cfg: TrainConfig, out: Path) -> tuple[float, float]:
    """Train `arch` by itself (full mode, pinned); its test accuracy after BN recalibration, and the seconds."""
    result = train(Pinned(space, arch), cfg, data, out)
    (ev,) = result.evals
    assert ev["arch"] == arch.text(), (ev["arch"], arch.text())
    return ev["acc"], result.seconds


def compare(space, data, epochs: int, data_spec: str, steps: int | None = None) -> dict[str, tuple[float, float]]:
    """role -> (single-stage child accuracy, trained-alone accuracy); prints a table as it goes."""
    archs = children(space)
    with tempfile.TemporaryDirectory() as tmp:
        shared, secs = single_stage(space, archs, data, config("single-stage", epochs, data_spec, steps),
                                    Path(tmp) / "single-stage")
        print(f"single-stage supernet trained in {secs:.0f} s")
        rows = {}
        for role, arch in archs.items():
            acc, secs = alone(space, arch, data, config("full", epochs, data_spec, steps), Path(tmp) / role)
            rows[role] = (shared[role], acc)
            cost = space.cost(arch)
            print(f"{role:9s} {cost.macs / 1e6:6.2f}M MACs {cost.params / 1e3:6.1f}K params  single-stage "
                  f"{100 * shared[role]:5.1f}%  alone {100 * acc:5.1f}%  (alone: {secs:.0f} s)  {arch.text()}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_true", help="4,000 training images, 3 epochs")
    size.add_argument("--full", action="store_true", help="10,000 training images, 15 epochs")
    parser.add_argument("--data", type=Path, default=DATA, help="the CIFAR-10 python directory")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    args = parser.parse_args()
    if not (args.data / "data_batch_1").is_file():
        sys.exit(f"single_stage: no CIFAR-10 batches in {args.data} (expected ../shared/data/cifar10-10k); "
                 f"pass --data PATH")
    torch.set_num_threads(args.threads)
    setting = SETTINGS["quick" if args.quick else "full"]
    start = time.perf_counter()
    spec = f"cifar10:{args.data}"
    data = subset(load(spec, augment=True, seed=0), setting["train_images"])
    space = fbndsl.compile(SPACE)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); {space.name}: {space.size:,} archs; "
          f"{len(data.train)} training / {len(data.test)} test images, {setting['epochs']} epochs, batch 64")
    rows = compare(space, data, setting["epochs"], spec)
    gaps = [100 * (s - a) for s, a in rows.values()]
    print(f"({time.perf_counter() - start:.0f} s in all; single-stage minus alone: median "
          f"{statistics.median(gaps):+.1f} points)")
    parts = ", ".join(f"{role} {100 * rows[role][0]:.1f}/{100 * rows[role][1]:.1f}" for role in ROLES)
    print(f"single-stage children (no retraining) vs trained alone, top-1 %: {parts}")


if __name__ == "__main__":
    main()
