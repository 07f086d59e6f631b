"""The training loop: epochs of seeded batches, one optimiser step per batch, checkpoints, metrics.

Exact resumption rests on three facts. (1) Everything random is seeded from the run's seed: the initial
weights (torch), the paths (the sampler's own `random.Random`), dropout (torch), and the data: the order and
augmentation of epoch e are a function of (seed, e) alone (`fbndsl.data.epoch_loader`). (2) The LR is a pure
function of the global step. (3) A checkpoint stores the weights, the optimiser's momentum, the global step and
the state of every random stream; a resumed run rebuilds epoch e's batch order and skips the batches already
done, so it performs exactly the float operations the uninterrupted run would have.

Under torchrun each process trains its share of every global batch; see `distributed` for how K processes
reach the weights of one.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from ..data import epoch_loader, load
from ..data.seeding import mix
from ..files import locked
from ..lower.batchnorm import set_tracking
from ..lower.runtime import check_data_fits, images_on, pick_device
from . import checkpoint
from .config import Mode, TrainConfig
from .distributed import Launch, average_gradients, broadcast_state, global_stats, sync_batchnorm
from .evaluate import archs_to_evaluate, evaluate
from .progress import TrainingProgress
from .regularise import decayed_weights, dropout_modules
from .result import TrainResult
from .rundir import RunDir, run_identity
from .sampling import make_sampler
from .schedule import lr_at
from .setup import build_supernet, make_optimizer, steps_per_epoch
from .step import sandwich_step, single_path_step

SAMPLER_STREAM = 0x5A3E  # seeds the path sampler apart from the other streams


def train(space, config: TrainConfig, data=None, out_dir: str | Path = "run", *, resume: bool = False,
          on_step: Callable[[int], None] | None = None, launch: Launch | None = None) -> TrainResult:
    """Train the supernet of `space` as `config` says, writing the run into `out_dir`.

    `data` is a loaded `fbndsl.data.Data`, or None to load `config.data` (which config.json records either
    way: give the spec of the data you pass). `resume=True` continues the run in `out_dir` from its checkpoint.
    `on_step(step)` is called after every optimiser step and its checkpoint (progress bars, early stopping,
    tests that interrupt a run). `launch` is the processes that train together: torchrun's by default
    (`Launch.from_env`); `Launch()` trains in this process alone, as `fbndsl search` does on its rank 0.
    """
    launch = launch or Launch.from_env()
    launch.check_batch(config.batch_size)
    run = RunDir(Path(out_dir))
    with launch.alike():
        device = launch.device(pick_device(config.device))
    with ExitStack() as lock:
        with launch.group(device):
            # rank 0 alone writes the run directory, so it alone locks it (a refusal ends every rank), before
            # prepare's checks: of two runs started at once, the second is refused rather than both passing them
            launch.on_main(lambda: _lock(lock, run))
            launch.on_main(lambda: run.prepare(resume))
            if data is None:
                data = load(config.data, augment=True, seed=config.seed)
            with launch.alike():
                check_data_fits(space, data)
            trainer = Trainer(space, config, data, run, device, launch)
            if resume:
                trainer.resume()
            else:
                launch.on_main(lambda: run.start(space, config))
            trainer.fit(on_step)
        return trainer.finish()  # every process evaluates alike, alone (the group is gone); rank 0 writes


def _lock(lock: ExitStack, run: RunDir) -> None:
    """Hold the run directory's lock until `lock` closes (`files.locked`)."""
    lock.enter_context(locked(run.path, "fbndsl train"))


class Window:
    """Sums between two metrics records (tensors on the device, read only when a record is written)."""

    def __init__(self, device: torch.device):
        self.device = device
        self.reset()

    def reset(self) -> None:
        self.loss = torch.zeros((), device=self.device)
        self.correct = torch.zeros((), dtype=torch.long, device=self.device)
        self.seen = self.steps = self.images = 0
        self.start = time.monotonic()

    def add(self, stats, images: int) -> None:
        self.loss += stats.loss
        self.correct += stats.correct
        self.seen += stats.seen
        self.steps += 1
        self.images += images

    def numbers(self) -> dict:
        seconds = max(time.monotonic() - self.start, 1e-9)
        return {"loss": self.loss.item() / max(self.steps, 1), "acc": self.correct.item() / max(self.seen, 1),
                "images_per_s": self.images / seconds}


class Trainer:
    def __init__(self, space, config: TrainConfig, data, run: RunDir, device: torch.device,
                 launch: Launch | None = None):
        self.space, self.config, self.data, self.run, self.device = space, config, data, run, device
        self.launch = launch = launch or Launch()
        self.steps_per_epoch = steps_per_epoch(data, config)
        planned = config.epochs * self.steps_per_epoch
        self.total = planned if config.steps is None else min(config.steps, planned)
        self.supernet, params = build_supernet(space, config, device)
        self.params = params
        self.optimizer = make_optimizer(params, config)
        if launch.several:
            sync_batchnorm(self.supernet)
            broadcast_state(self.supernet)
        self.sampler_rng = random.Random(mix(config.seed, SAMPLER_STREAM))
        self.sampler = make_sampler(space, config, self.sampler_rng)
        self.largest = space.max_arch()
        self.decayed = decayed_weights(self.supernet, self.largest)
        self.dropouts = dropout_modules(self.supernet)
        self.progress = TrainingProgress(config.epochs, self.total, config.quiet or not launch.main)
        self.step, self.saved_step, self.elapsed_before = 0, -1, 0.0
        self.started = time.monotonic()
        self.records: list[dict] = []

    # -- resuming --------------------------------------------------------------------------------------
    def resume(self) -> None:
        """Every process restores the checkpoint that rank 0 read."""
        data = self.launch.on_main(lambda: checkpoint.read(self.run.checkpoint)) if self.launch.several else None
        with self.launch.alike():
            state = checkpoint.load(self.run.checkpoint, self.device, data)
            self.run.check_resume(state["run"], self.space, self.config)
        checkpoint.restore(state, supernet=self.supernet, optimizer=self.optimizer, sampler_rng=self.sampler_rng)
        self.step = self.saved_step = state["step"]
        self.elapsed_before = state["elapsed"]
        if self.launch.main:
            self.run.truncate_metrics(self.step)
        self.progress.message(f"resuming {self.run.path} at step {self.step} (epoch {state['epoch'] + 1}, "
                              f"batch {state['step_in_epoch']})")

    # -- training ---------------------------------------------------------------------------------------
    def fit(self, on_step: Callable[[int], None] | None) -> None:
        self.supernet.train()
        with self.progress.running(self.step):
            while self.step < self.total:
                epoch, done = divmod(self.step, self.steps_per_epoch)
                window, whole = Window(self.device), Window(self.device)
                for x, y in self.batches(epoch, done):
                    self.one_step(epoch, x, y, window, whole)
                    if on_step is not None:
                        on_step(self.step)
                self.end_epoch(epoch, whole)

    def batches(self, epoch: int, done: int) -> DataLoader:
        """Epoch `epoch`'s batches from the `done`-th on (and no further than the run's last step). The order
        comes from `epoch_loader` (a function of seed and epoch); the skipped batches are never loaded. Each
        process loads its share of every global batch (`Launch.shard`)."""
        loader = epoch_loader(self.data.train, batch_size=self.config.batch_size, seed=self.config.seed,
                              epoch=epoch, drop_last=True)
        order = list(loader.batch_sampler)
        left = min(len(order), done + self.total - self.step)
        # A DataLoader without a generator of its own draws its base seed from torch's global RNG, which also
        # drives dropout: starting a resumed epoch would then shift every later dropout mask.
        return DataLoader(loader.dataset, batch_sampler=self.launch.shard(order[done:left]),
                          generator=torch.Generator())

    def one_step(self, epoch: int, x: torch.Tensor, y: torch.Tensor, window: Window, whole: Window) -> None:
        lr = lr_at(self.config, self.step, self.total)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = images_on(x, self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        paths = self.sampler.draw()
        if self.config.mode is Mode.SINGLE_STAGE:
            stats = sandwich_step(self.supernet, paths, x, y, self.config, self.decayed, self.dropouts)
        else:
            stats = single_path_step(self.supernet, paths, x, y)
        if self.launch.several:
            average_gradients(self.params, self.launch.world)
            stats = global_stats(stats, self.launch.world)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self.account(epoch, stats, len(y) * self.launch.world, lr, window, whole)

    def account(self, epoch: int, stats, images: int, lr: float, window: Window, whole: Window) -> None:
        """After a step: progress, a metrics record every `log_every` steps, a checkpoint every
        `checkpoint_every`."""
        window.add(stats, images)
        whole.add(stats, images)
        self.progress.step(lambda: self.record("train", epoch, window, lr))
        if self.step % self.config.log_every == 0:
            self.log(self.record("train", epoch, window, lr))
            window.reset()
        every = self.config.checkpoint_every
        if every is not None and self.step % every == 0:
            self.save()

    def end_epoch(self, epoch: int, whole: Window) -> None:
        """An epoch record (over this process's steps of the epoch, after a resume) and a checkpoint."""
        if whole.steps:
            self.log(self.record("epoch", epoch, whole, self.optimizer.param_groups[0]["lr"]))
        self.save()

    # -- records and checkpoints ----------------------------------------------------------------------
    def elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.started

    def record(self, kind: str, epoch: int, window: Window, lr: float) -> dict:
        return {"kind": kind, "epoch": epoch, "step": self.step, **window.numbers(), "lr": lr,
                "time": round(self.elapsed(), 3)}

    def log(self, rec: dict) -> None:
        self.records.append(rec)
        if self.launch.main:
            self.run.append_metrics(rec)
        self.progress.record(rec)

    def save(self) -> None:
        if self.saved_step == self.step:
            return
        self.saved_step = self.step
        if not self.launch.main:
            return
        checkpoint.save(self.run.checkpoint, supernet=self.supernet, optimizer=self.optimizer, step=self.step,
                        steps_per_epoch=self.steps_per_epoch, sampler_rng=self.sampler_rng,
                        elapsed=self.elapsed(), run_id=run_identity(self.space, self.config))

    # -- the end --------------------------------------------------------------------------------------
    def finish(self) -> TrainResult:
        """Evaluate the chosen children (each after BN recalibration) and return the result."""
        seconds = self.elapsed()
        set_tracking(self.supernet, True)
        sync_batchnorm(self.supernet, False)  # each process recalibrates on whole batches, alone
        evals = []
        for role, arch in archs_to_evaluate(self.space, self.config):
            self.progress.message(f"evaluating the {role} child after BN recalibration: {arch.text()}")
            cost = self.space.cost(arch)
            rec = {"kind": "eval", "role": role, "arch": arch.text(), "step": self.step, "macs": cost.macs,
                   "params": cost.params, **evaluate(self.supernet, arch, self.data, self.config, self.device)}
            if self.launch.main:
                self.run.append_metrics(rec)
            evals.append(rec)
        return TrainResult(self.supernet, self.config, self.run.path, self.step, seconds, self.records, evals,
                           rank=self.launch.rank)
