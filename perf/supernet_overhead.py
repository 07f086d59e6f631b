"""Forward time of the supernet with an architecture selected vs the extracted static subnet.

    python perf/supernet_overhead.py [--quick]

Same inputs, same machine, same run, eval mode, no autograd; several architectures per space. The
supernet slices its shared weights on every call; the static subnet owns contiguous copies.
Goal: at most 1.10x. The last line is the figure (the worst space's median ratio).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.lower import extract, lower  # noqa: E402

SPACES = Path(__file__).resolve().parent.parent / "spaces"
SETTINGS = {  # space -> (overrides, batch size, resolution override or None)
    "nb201": ({}, 64, None),
    "mobilenet": ({"resolution": 128}, 8, None),
    "bignas": ({}, 4, 192),
}


def timed(fn, x, repeats: int) -> float:
    with torch.no_grad():
        fn(x)  # warm-up: fx code generation, allocator
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(x)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def ratio_for(name: str, n_archs: int, repeats: int) -> float:
    overrides, batch, res = SETTINGS[name]
    space = fbndsl.compile(SPACES / f"{name}.nas", **overrides)
    net = lower(space).eval()
    ratios = []
    for seed in range(n_archs):
        arch = space.sample(seed)
        if res is not None and "resolution" in arch:
            arch = space.arch({**arch, "resolution": res})
        net.set_arch(arch)
        x = torch.randn(batch, *net.input_shape(), generator=torch.Generator().manual_seed(seed))
        static = extract(net, arch).eval()
        t_super, t_static = timed(net, x, repeats), timed(static, x, repeats)
        ratios.append(t_super / t_static)
    ratio = statistics.median(ratios)
    print(f"{name:10s} supernet/static forward time: median {ratio:.3f}x over {n_archs} archs "
          f"(batch {batch}, range {min(ratios):.3f}-{max(ratios):.3f})")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer architectures and repeats")
    args = parser.parse_args()
    n_archs, repeats = (3, 5) if args.quick else (10, 15)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    worst = max((ratio_for(name, n_archs, repeats), name) for name in SETTINGS)
    print(f"supernet overhead: {worst[0]:.3f}x static subnet forward time (worst space: {worst[1]}; goal <= 1.10x)")


if __name__ == "__main__":
    main()
