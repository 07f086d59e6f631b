"""The two BN-only supernets of the evaluation: FBN-NAS's (a BatchNorm after every candidate operator) and
BN-NAS's (BatchNorms after the convolutions only, `fairness="off"`), trained alike otherwise.

Each trains into a run directory named by its settings under `Settings.supernet_dir`. A directory that already
holds a checkpoint is resumed instead: a finished run trains no further (a rerun of the benchmark costs only the
supernet's final evaluation), an interrupted one continues exactly where it stopped, and one trained with other
settings is refused by `fbndsl.train`'s resume check with a one-line error naming the setting.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..passes.insert_bn import Fairness
from .settings import SPACE, Settings

# FBN-NAS's (every candidate ends in a BatchNorm, inserted where it lacks one), then BN-NAS's (as written: skip and
# pooling candidates have none). The compiler's third mode, CHECK, trains nothing different from INSERT.
SUPERNETS = (Fairness.INSERT, Fairness.OFF)
TITLES = {Fairness.INSERT: "fairness on", Fairness.OFF: "fairness off"}


def title(fairness: Fairness) -> str:
    """How the report names the supernet trained with `fairness`."""
    return TITLES[fairness]


def compile_space(settings: Settings, fairness: Fairness):
    import fbndsl

    return fbndsl.compile(SPACE, fairness=fairness.value, **dict(settings.sets))


def train_config(settings: Settings, quiet: bool = False):
    from ..train import TrainConfig

    # one evaluated child at the end: a sanity figure for the log, not part of the benchmark
    return TrainConfig(mode="bn-only", epochs=settings.epochs, steps=settings.steps, seed=settings.seed,
                       device=settings.device, data=settings.data, sets=settings.sets, sampler=settings.sampler,
                       eval_archs=1, quiet=quiet)


def run_dir(settings: Settings, fairness: Fairness) -> Path:
    steps = f"-steps{settings.steps}" if settings.steps is not None else ""
    # a proxy (--quick's N=1) is another supernet; values are sanitised, as they name a directory
    sets = "".join(f"-{k}{re.sub(r'[^0-9A-Za-z_.]', '_', v)}" for k, v in settings.sets)
    # "val": trained without the validation split (runs trained on every training image had no such tag)
    name = f"{fairness.value}-e{settings.epochs}{steps}{sets}-{settings.sampler}-seed{settings.seed}-val"
    return settings.supernet_dir / name


def trained_supernet(space, settings: Settings, fairness: Fairness, data, quiet: bool = False):
    """The `TrainResult` of the supernet's run: trained now, or resumed from its run directory."""
    from ..train import train
    from ..train.checkpoint import NAME
    from ..train.distributed import Launch

    out = run_dir(settings, fairness)
    # in this process alone (under torchrun: rank 0's, `nb201.supernet`), as one process trains it
    return train(space, train_config(settings, quiet), data, out, resume=(out / NAME).is_file(), launch=Launch())
