"""Several processes, one run: `torchrun --nproc_per_node=K -m fbndsl train ...` (gloo on CPU, NCCL on GPUs).

One process with global batch B and K processes with B/K samples each perform the same optimiser steps, up
to float rounding:

- **Batches.** Every rank builds the epoch's global batch order exactly as one process does (`epoch_loader`,
  a function of seed and epoch) and takes its contiguous slice of each global batch (`shard`). Augmentation
  is a function of (seed, epoch, sample index), so a sample is augmented alike whichever rank loads it.
- **Paths.** Every rank seeds its sampler alike, so all ranks train the same architectures in every step.
- **Gradients.** Each rank's loss is the mean over its slice; after the step's backward passes the
  gradients are summed over the ranks and divided by K (`average_gradients`), which is the gradient of the
  mean over the global batch. One all-reduce per step, of the parameters that have a gradient, in parameter
  order: the same list on every rank, since every rank used the same paths. A parameter no path used keeps
  `grad=None` (not zero) as it does in one process, so SGD leaves its momentum and weight decay alone.
  DistributedDataParallel would need `find_unused_parameters=True` (a graph walk per backward pass, zeros for
  the unused parameters of a bucket), one reduction per backward pass of a multi-path step, and it would
  broadcast rank 0's BatchNorm buffers at every forward; all of that is avoided.
- **BatchNorm.** Every `ElasticBatchNorm2d` gets `sync = True`: batch statistics of the global batch, reduced
  with a differentiable all-reduce, so normalisation and its gradients are those of one process.

Only global rank 0 writes the run directory and prints; it reads the checkpoint on `--resume` and sends it to
the others, so RUN_DIR need only exist on rank 0's machine. Dropout masks come from each process's torch
generator, so a space with dropout does not train exactly as in one process (it still trains correctly).
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass

from ..diagnostics import UserError

# How long a rank that finds a mistake every rank finds waits for rank 0 to print it. Rank 0 reports it and exits,
# and torchrun then stops the other processes; a rank that exited first would get rank 0 stopped before it had
# printed anything (rank 0 may still be loading data). Still running after this, the rank prints it itself: the
# mistake was evidently its own (a LOCAL_RANK with no GPU, say).
PEER_GRACE_S = 30.0


class PeerError(UserError):
    """Rank 0 stopped, or found and reported an error: the other ranks exit quietly."""

    quiet = True


@dataclass(frozen=True)
class Launch:
    """This process's place in the run: global rank, number of processes, rank on its machine."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @classmethod
    def from_env(cls) -> Launch:
        """torchrun's RANK, WORLD_SIZE and LOCAL_RANK; one process when they are not set."""
        if "WORLD_SIZE" not in os.environ:
            return cls()
        try:
            rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
            local = int(os.environ.get("LOCAL_RANK", rank))
        except (KeyError, ValueError):
            raise UserError("WORLD_SIZE is set but RANK or LOCAL_RANK is missing or not a number; launch "
                            "with torchrun (or python -m torch.distributed.run)") from None
        assert 0 <= rank < world, (rank, world)
        return cls(rank, world, local)

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def several(self) -> bool:
        return self.world > 1

    @contextmanager
    def alike(self):
        """User errors raised inside are the same on every rank: rank 0 prints the line, the others wait for it
        (`PEER_GRACE_S`) and are stopped quietly with it."""
        try:
            yield
        except PeerError:
            raise
        except UserError:
            if not self.main:
                time.sleep(PEER_GRACE_S)  # torchrun stops this process once rank 0 has reported the error
            raise

    def check_batch(self, batch_size: int) -> None:
        if batch_size % self.world:
            lower = max(self.world, batch_size // self.world * self.world)
            with self.alike():
                raise UserError(f"--batch-size {batch_size}: the global batch must divide evenly among the "
                                f"{self.world} processes; use a multiple of {self.world}, e.g. --batch-size {lower}")

    def device(self, device):
        """Each process its own GPU, LOCAL_RANK's."""
        import torch

        if device.type != "cuda" or not self.several:
            return device
        if self.local_rank >= torch.cuda.device_count():
            raise UserError(f"LOCAL_RANK {self.local_rank}: this machine has {torch.cuda.device_count()} CUDA "
                            f"device(s); start at most that many processes per node (--nproc_per_node)")
        device = torch.device("cuda", self.local_rank)
        torch.cuda.set_device(device)
        return device

    @contextmanager
    def group(self, device, timeout=None):
        """The process group for the run (NCCL on GPUs, gloo on CPU), destroyed at the end, errors included.
        A group the caller initialised is used as it is, and left alone. `timeout` (a timedelta) bounds each
        collective's wait; torch's default when None."""
        import torch.distributed as dist

        if not self.several or dist.is_initialized():
            yield
            return
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                                device_id=device if device.type == "cuda" else None,
                                **({"timeout": timeout} if timeout is not None else {}))
        try:
            yield
            self._last_barrier()
        finally:
            dist.destroy_process_group()

    def _last_barrier(self) -> None:
        """Every rank at the end; a rank that stopped on an error (printed by it) ends the others quietly."""
        import torch.distributed as dist

        try:
            dist.barrier()
        except Exception:  # noqa: BLE001 (gloo and NCCL raise several kinds when a peer is gone)
            if not self.main:
                raise PeerError("rank 0 stopped") from None
            raise UserError("another process of the launch stopped before the end; see its output") from None

    def on_main(self, fn):
        """Run `fn` on rank 0 alone and give every rank its (picklable) result; a user error it raises
        is printed by rank 0 and ends every rank."""
        if not self.several:
            return fn()
        import torch.distributed as dist

        box, error = [None, False], None
        if self.main:
            try:
                box[0] = fn()
            except UserError as exc:
                box[1], error = True, exc
        try:
            dist.broadcast_object_list(box, src=0)
        except Exception:  # noqa: BLE001 (gloo and NCCL raise several kinds when a peer is gone)
            if error is not None:
                raise error from None
            raise (UserError("another process of the launch stopped; see its output") if self.main
                   else PeerError("rank 0 stopped")) from None
        if error is not None:
            raise error
        if box[1]:
            raise PeerError("rank 0 reported an error")
        return box[0]

    def shard(self, batches: list[list[int]]) -> list[list[int]]:
        """This rank's contiguous slice of every global batch (whose size `check_batch` made divisible)."""
        if not self.several:
            return batches
        per = len(batches[0]) // self.world if batches else 0
        return [b[self.rank * per:(self.rank + 1) * per] for b in batches]


def sync_batchnorm(supernet, on: bool = True) -> None:
    """Batch statistics over every process's share of the batch (a no-op outside a process group)."""
    from ..lower.modules import ElasticBatchNorm2d

    for m in supernet.modules():
        if isinstance(m, ElasticBatchNorm2d):
            m.sync = on


def broadcast_state(module) -> None:
    """Rank 0's parameters and buffers everywhere: the same start, however each rank built it."""
    import torch.distributed as dist

    for tensor in module.state_dict().values():
        dist.broadcast(tensor, src=0)


def from_rank0(launch: Launch, module, build, device):
    """Rank 0's `module` (trained or loaded there alone) on every process, on its `device`: each other rank
    `build()`s one of the same structure and takes rank 0's parameters and buffers."""
    if not launch.several:
        return module
    module = (build() if module is None else module).to(device)
    broadcast_state(module)
    return module


def average_gradients(params, world: int) -> None:
    """The gradients of the mean loss over the global batch: the ranks' gradients, summed and divided by K,
    in one all-reduce (parameters without a gradient keep none)."""
    import torch
    import torch.distributed as dist

    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    assert len({g.dtype for g in grads}) == 1, {g.dtype for g in grads}
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat.div_(world)
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def global_stats(stats, world: int):
    """A step's loss and accuracy over the global batch (each rank's mean loss is over an equal share)."""
    import torch
    import torch.distributed as dist

    from .step import StepStats

    both = torch.stack([stats.loss.float(), stats.correct.float()])
    dist.all_reduce(both)
    return StepStats(both[0] / world, both[1].round().long(), stats.seen * world)


def local_fbndsl(processes: int, root) -> tuple[list[str], dict[str, str]]:
    """(argv, environment) that run `fbndsl` from the checkout `root` in `processes` processes on this machine,
    one torch thread each: Python itself for one, torchrun on a free local port for more (the tests and the
    benchmarks that compare 1 process with several). Append the command and its flags to argv."""
    import socket
    import sys

    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(root))
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)  # a launch this one runs inside must not leak into it
    argv = [sys.executable]
    if processes > 1:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        argv += ["-m", "torch.distributed.run", f"--nproc_per_node={processes}", "--nnodes=1",
                 "--master_addr=127.0.0.1", f"--master_port={port}"]
    return [*argv, "-m", "fbndsl"], env
