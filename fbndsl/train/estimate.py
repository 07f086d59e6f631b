"""Before training: how much memory a run needs and how long it takes, and a refusal when it will not fit.

The estimate is read from the compiled space, without building the supernet:

- **Memory** is what the run adds to the process: the supernet's weights (every candidate), the gradients and
  momentum of what the mode trains, and the activations autograd keeps for the backward pass of one path (each
  path is back-propagated before the next runs, `step`) at the largest child, the biggest any step can draw;
  each node's from its IR shape (`_kept`), times the batch.
- **Time** is the `Work` of a step's paths (`step_work`: the random ones on average), times the batch, times
  the passes over it (forward and input gradients; weight gradients too unless bn-only), over the device's
  multiply-accumulate rate, measured on a short dense convolution (`mac_rate`).

The constants were fitted to runs measured on this project's CPU (docs/training.md, "Before training: the
estimate"): depthwise convolutions and elementwise layers run far below the rate of a dense convolution, and
the first steps allocate caches whatever the network.

`preflight` is the one call a command needs: estimate, refuse when too big (unless forced), describe.
"""
from __future__ import annotations

import functools
import math
import os
import random
import time
from dataclasses import dataclass

from ..diagnostics import UserError
from ..ir import sym
from ..ir.graph import cond_holds
from ..ir.ops import SPECS, STRUCTURAL, OpKind, mbconv_hidden
from .config import Mode, SamplerKind

FLOAT_BYTES = 4
# Fitted to the runs measured in docs/training.md ("Before training: the estimate"):
ACTIVATION_FUDGE = 1.0   # measured peak / counted activations of the largest child, beyond RUNTIME_BYTES
RUNTIME_BYTES = 150 * 10**6  # what the first steps add whatever the network: kernels' caches and workspaces
TIME_FUDGE = 1.5         # measured step time / MAC-equivalents at the measured convolution rate
DEPTHWISE_WEIGHT = 30.0  # a depthwise or pooling MAC costs this many dense ones (memory-bound, few reuses)
ELEMENT_WEIGHT = 4.0     # a float kept for backward (written, read again by elementwise layers) costs this many
HOUR = 3600.0
MEAN_SAMPLES = 64        # random children whose MACs average to a uniform path's


@dataclass(frozen=True)
class Estimate:
    """What a training run will take: `peak_bytes` of memory beyond what the process already holds, and
    `step_seconds` for each of its `steps` optimiser steps."""

    peak_bytes: int
    step_seconds: float
    steps: int
    batch_size: int
    fixed_bytes: int      # the part of peak_bytes that does not grow with the batch (weights, optimiser state)
    resolution: int       # the largest child's input resolution
    device: str

    def __post_init__(self) -> None:
        assert self.peak_bytes >= self.fixed_bytes >= 0 and self.step_seconds >= 0 and self.steps >= 0, self

    @property
    def total_seconds(self) -> float:
        return self.step_seconds * self.steps

    def describe(self) -> str:
        """One line: `about 1.2 GB and 0.35 s a step, 6 min for 846 steps`."""
        return (f"about {format_bytes(self.peak_bytes)} and {format_seconds(self.step_seconds, small=True)} a "
                f"step, {format_seconds(self.total_seconds, small=True)} for {self.steps:,} steps on {self.device}")

    def batch_fitting(self, available: int) -> int:
        """The largest batch whose activations fit in `available` bytes (activations grow with the batch)."""
        per_sample = (self.peak_bytes - self.fixed_bytes) / self.batch_size
        return int((available - self.fixed_bytes) // per_sample) if per_sample else self.batch_size


@dataclass(frozen=True)
class Flags:
    """How the calling command spells what shrinks a run (`fbndsl train` and `fbndsl search` differ)."""

    steps: str = "--steps"              # "--train-steps" for the search
    epochs: str = "--epochs"            # "--train-epochs" for the search
    resolution: str | None = None       # e.g. "--set resolution": only when a `param` sets the input resolution
    batch: str = "--batch-size"
    force: str = "--force"


# -- the estimate --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Work:
    """Per sample, for one path: MACs of dense convolutions and linear layers, MACs of depthwise convolutions
    and pooling windows (which run far below the dense rate), and the floats autograd keeps (each written and
    read again by an elementwise layer or by the backward pass)."""

    dense: float
    depthwise: float
    kept: float

    def __add__(self, other: Work) -> Work:
        return Work(self.dense + other.dense, self.depthwise + other.depthwise, self.kept + other.kept)

    def scaled(self, k: float) -> Work:
        return Work(self.dense * k, self.depthwise * k, self.kept * k)

    def mac_equivalents(self) -> float:
        return self.dense + DEPTHWISE_WEIGHT * self.depthwise + ELEMENT_WEIGHT * self.kept


def estimate(space, config, steps: int, device, *, batch_size: int | None = None,
             rate: float | None = None) -> Estimate:
    """The memory and time of `steps` optimiser steps of `config` on `space` on `device` (a torch.device or its
    name), each step on `batch_size` samples (default: the config's). `rate` (MACs a second) replaces the
    measurement of the device, e.g. in tests."""
    device = str(device)
    rate = rate or mac_rate(device)
    largest = space.max_arch().as_dict()
    batch = batch_size or config.batch_size
    fixed = _weight_bytes(space, config.mode)
    activations = int(work(space, largest).kept * batch * FLOAT_BYTES * ACTIVATION_FUDGE)
    passes = 2 if config.mode is Mode.BN_ONLY else 3  # bn-only computes no weight gradients
    seconds = step_work(space, config).mac_equivalents() * batch * passes / rate * TIME_FUDGE
    resolution = sym.value_at(space.ir.shapes[space.ir.nodes[0].id].h, largest)
    return Estimate(fixed + activations, seconds, steps, batch, fixed, resolution, device.split(":")[0])


def work(space, arch: dict) -> Work:
    """The `Work` of one sample through the active nodes of `arch`."""
    ir = space.ir
    total = Work(0, 0, 0)
    for node in ir.nodes:
        if not cond_holds(node.cond, arch):
            continue
        out = _at(ir.shapes[node.id], arch)
        inp = _at(ir.shapes[node.inputs[0]], arch) if node.inputs else out
        attrs = {k: _value(v, arch) for k, v in node.attrs}
        total = total + Work(*_macs(node.kind, attrs, inp, out), _kept(node.kind, attrs, inp, out))
    return total


def _macs(kind: OpKind, attrs: dict, inp: tuple, out: tuple) -> tuple[int, int]:
    """(dense, depthwise) MACs of one operator; pooling counts as the depthwise convolution it trains as."""
    if kind in STRUCTURAL:
        return 0, 0
    macs = SPECS[kind].cost(attrs, inp, out)[0]
    if kind is OpKind.DWCONV or (kind is OpKind.CONV and attrs["groups"] > 1):
        return 0, macs
    if kind is OpKind.MBCONV:
        dw = attrs["k"] ** 2 * mbconv_hidden(attrs, inp[0]) * out[1] * out[2]
        return macs - dw, dw
    if kind in (OpKind.AVG_POOL, OpKind.MAX_POOL):
        return 0, attrs["k"] ** 2 * out[0] * out[1] * out[2]
    return macs, 0


def _kept(kind: OpKind, attrs: dict, inp: tuple, out: tuple) -> int:
    """Floats an operator keeps for the backward pass: its output for a plain layer; a whole block's inner
    tensors for the composite ones, whose inner widths the IR shape does not show."""
    size = out[0] * out[1] * out[2]
    if kind in (OpKind.SELECT, OpKind.IDENTITY, OpKind.ZERO):
        return 0  # passes its input on, or makes a constant that needs no gradient
    if kind is OpKind.MBCONV:
        hidden = mbconv_hidden(attrs, inp[0])
        expand = 3 * hidden * inp[1] * inp[2] if attrs["e"] != 1 else 0   # 1x1, BN, activation
        inner = (3 + (2 if attrs["se"] else 0)) * hidden * out[1] * out[2]  # depthwise, BN, activation, [SE]
        return expand + inner + 3 * size                                  # 1x1, BN, residual sum
    if kind is OpKind.FACTORIZED_REDUCE:
        return inp[0] * inp[1] * inp[2] + 3 * size  # ReLU, two halves, their concatenation, BN
    if kind in (OpKind.SE, OpKind.DROPOUT):
        return 2 * size  # the input and the gate (mask)
    return size


def step_work(space, config) -> Work:
    """The `Work` of one sample through every path a step trains (`sampling`), the random ones on average."""
    if config.mode is Mode.SINGLE_STAGE:
        bounds = [space.max_arch()] + ([space.min_arch()] if config.sandwich else [])
        fixed = [work(space, a.as_dict()) for a in bounds]
        return sum(fixed[1:], fixed[0]) + _mean_work(space).scaled(config.num_random)
    paths = 1
    if config.sampler is SamplerKind.FAIR and space.choices:
        paths = max(len(c.values) for c in space.choices)  # FairNAS: m paths, m the widest choice
    return _mean_work(space).scaled(paths)


def _mean_work(space) -> Work:
    rng = random.Random(0)
    archs = [space.sample(rng).as_dict() for _ in range(MEAN_SAMPLES)]
    return sum((work(space, a) for a in archs), Work(0, 0, 0)).scaled(1 / MEAN_SAMPLES)


def _weight_bytes(space, mode: Mode) -> int:
    """Weights of every candidate, a gradient and a momentum buffer for each trained one, and the runtime's
    own (`RUNTIME_BYTES`)."""
    weights, bn = _supernet_params(space)
    trained = bn if mode is Mode.BN_ONLY else weights
    return (weights + 2 * trained) * FLOAT_BYTES + RUNTIME_BYTES


def _supernet_params(space) -> tuple[int, int]:
    """(all parameters, BatchNorm affine parameters) of the supernet: each node at its largest size, which is
    what its elastic weights are allocated at."""
    ir = space.ir
    every = bn = 0
    for node in ir.nodes:
        if node.kind in STRUCTURAL:
            continue
        out = _largest(ir.shapes[node.id])
        inp = _largest(ir.shapes[node.inputs[0]])
        attrs = {k: max(v.values(), key=_order) if sym.is_sym(v) else v for k, v in node.attrs}
        params = SPECS[node.kind].cost(attrs, inp, out)[1]
        every += params
        bn += params if node.kind is OpKind.BN else _inner_bn(node.kind, attrs, inp, out)
    return every, bn


def _inner_bn(kind: OpKind, attrs: dict, inp: tuple, out: tuple) -> int:
    """BatchNorm affine parameters inside a composite operator."""
    if kind is OpKind.MBCONV:
        hidden = mbconv_hidden(attrs, inp[0])
        return 2 * hidden * (2 if attrs["e"] != 1 else 1) + 2 * out[0]
    if kind is OpKind.FACTORIZED_REDUCE:
        return 2 * out[0]
    return 0


def _order(v):
    return (isinstance(v, bool), v) if isinstance(v, (int, float)) else (False, 0)


def _value(x, arch: dict):
    """A Sym's value in `arch`; the largest when some label it depends on is not chosen there."""
    if not sym.is_sym(x):
        return x
    return x.at(arch) if all(label in arch for label in x.labels) else max(x.values(), key=_order)


def _at(shape, arch: dict) -> tuple[int, int, int]:
    return tuple(_value(d, arch) for d in shape)


def _largest(shape) -> tuple[int, int, int]:
    return tuple(max(d.values()) if sym.is_sym(d) else d for d in shape)


# -- the device --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def mac_rate(device: str, seconds: float = 0.15) -> float:
    """Multiply-accumulates a second of a dense 3x3 convolution on `device`, the fastest of the runs that fit
    in about `seconds`.

    On the CPU each run is timed by the processor time of one thread, and the rate scaled by torch's threads:
    the rate of the machine when the run has it to itself. Wall time would measure whatever else shares the
    CPU at that moment (on a 2-core machine running a test suite it varied 2-5x from one call to the next)
    and refuse runs at random; the constants were fitted the same way (docs/training.md)."""
    import torch

    dev = torch.device(device)
    if dev.type == "cuda":
        return _best_rate(dev, (64, 128, 56), time.perf_counter, seconds)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return threads * _best_rate(dev, (8, 64, 32), time.thread_time, seconds)
    finally:
        torch.set_num_threads(threads)


def _best_rate(dev, shape: tuple[int, int, int], clock, seconds: float) -> float:
    import torch
    import torch.nn.functional as F

    n, c, size = shape
    x = torch.randn(n, c, size, size, device=dev).contiguous(memory_format=torch.channels_last)
    w = torch.randn(c, c, 3, 3, device=dev)
    best, end = math.inf, time.perf_counter() + seconds
    with torch.no_grad():
        F.conv2d(x, w, padding=1)  # the first call picks kernels and allocates
        _sync(dev)
        while time.perf_counter() < end:
            start = clock()
            F.conv2d(x, w, padding=1)
            _sync(dev)
            best = min(best, clock() - start)
    return n * c * c * 9 * size * size / max(best, 1e-9)


def _sync(dev) -> None:
    if dev.type == "cuda":
        import torch

        torch.cuda.synchronize(dev)


def available_memory(device) -> int:
    """Bytes the run can still take: free memory of the GPU, or the system's MemAvailable."""
    device = str(device)
    if device.startswith("cuda"):
        import torch

        return torch.cuda.mem_get_info(torch.device(device))[0]
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


# -- the refusal ---------------------------------------------------------------------------------------------
def check(est: Estimate, available: int, limit_seconds: float = HOUR, flags: Flags = Flags()) -> None:
    """A one-line `UserError` when the run needs more memory than `available` bytes or more than
    `limit_seconds`, naming the flags that shrink it and the one that starts it anyway."""
    if est.peak_bytes > available:
        raise UserError(f"this run needs more memory than the {format_bytes(available)} available "
                        f"({est.describe()}); shrink it with {_memory_fixes(est, available, flags)}, or pass "
                        f"{flags.force} to start anyway")
    if est.total_seconds > limit_seconds:
        raise UserError(f"this run would take more than {format_seconds(limit_seconds)} ({est.describe()}); "
                        f"shorten it with {_time_fixes(est, limit_seconds, flags)}, or pass {flags.force} to "
                        f"start anyway")


def _memory_fixes(est: Estimate, available: int, flags: Flags) -> str:
    fits = est.batch_fitting(available)
    fixes = [f"{flags.batch} {fits}" if fits >= 2 else flags.batch]
    if flags.resolution:
        fixes.append(f"{flags.resolution}={_smaller_resolution(est, available)}")
    return _either(fixes)


def _time_fixes(est: Estimate, limit_seconds: float, flags: Flags) -> str:
    steps = max(1, math.floor(limit_seconds / max(est.step_seconds, 1e-9) + 1e-6))  # 1e-6: float rounding
    fixes = [f"{flags.steps} {steps}", f"fewer {flags.epochs}"]
    if flags.resolution:
        fixes.append(f"{flags.resolution}={_scaled_resolution(est.resolution, limit_seconds / est.total_seconds)}")
    return _either(fixes)


def _either(fixes: list[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    return " or ".join([", ".join(fixes[:-1]), fixes[-1]] if len(fixes) > 1 else fixes)


def _smaller_resolution(est: Estimate, available: int) -> int:
    """Activations and MACs grow with the square of the resolution."""
    room = max(available - est.fixed_bytes, 0) / max(est.peak_bytes - est.fixed_bytes, 1)
    return _scaled_resolution(est.resolution, room)


def _scaled_resolution(resolution: int, area: float) -> int:
    """A resolution whose square is `area` times `resolution`'s, a multiple of 8 below it."""
    return max(8, int(resolution * area ** 0.5) // 8 * 8)


# -- the one call for commands ---------------------------------------------------------------------------------
def preflight(space, config, train_images: int, device, *, force: bool = False, flags: Flags = Flags(),
              processes: int = 1, limit_seconds: float = HOUR) -> str:
    """Estimate a run of `config` on `space` over `train_images` training images on `device`; raise the
    one-line `UserError` of `check` when it exceeds the memory available or `limit_seconds`, unless `force`.
    Returns the estimate as one line for the command to print (`estimate: about ...`).

    Under torchrun each of the `processes` estimates its own share of every batch on its own device, so every
    rank refuses alike (run it inside `Launch.alike()`)."""
    steps = config.epochs * (train_images // config.batch_size)
    if config.steps is not None:
        steps = min(steps, config.steps)
    est = estimate(space, config, steps, device, batch_size=max(config.batch_size // processes, 1))
    if not force and steps:  # no full batch at all: the training's own check says so, naming --batch-size
        check(est, available_memory(device), limit_seconds, flags)
    return f"estimate: {est.describe()}"


# -- formatting ------------------------------------------------------------------------------------------------
def format_bytes(n: float) -> str:
    if n >= 10**9:
        return f"{n / 10**9:.1f} GB"
    return f"{max(n / 10**6, 1):.0f} MB"


def format_seconds(s: float, small: bool = False) -> str:
    if small and s < 10:
        return f"{s:.2g} s"
    if s < 90:
        return f"{s:.0f} s"
    if s < HOUR:
        return f"{s / 60:.0f} min"
    return f"{s / HOUR:.2g} h"
