"""`fbndsl train`: train the weight-sharing supernet of a space (bn-only, single-stage or full); torch is
imported only when the command runs."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from .common import SETS_OPTION, SPACE_OPTION, OneLineUsageErrors, bind_to_data, parse_sets, run_command

TRAIN_EPILOG = (
    "Modes: bn-only trains only BatchNorm gamma/beta (FBN-NAS; --sampler uniform or fair); single-stage is "
    "BigNAS (sandwich rule, in-place distillation, same-patch multi-resolution, zero-init residuals, "
    "exponential LR decay to 5%, regularising only the largest child; --no-* switch each off); full is SPOS, "
    "every weight with one uniform path per step. RUN_DIR gets checkpoint.pt, space.nas, config.json and "
    "metrics.jsonl; --resume continues a run exactly where its last checkpoint left it. The network must end "
    "in one score per class of the data: a space's `param classes` is bound from the data, as is a declared input "
    "resolution far above the data's (both said on stderr; --set overrides).")


@click.command("train", cls=OneLineUsageErrors, epilog=TRAIN_EPILOG)
@SPACE_OPTION
@click.option("--mode", required=True, type=click.Choice(["bn-only", "single-stage", "full"]),
              help="What is trained, and how.")
@click.option("--data", default="digits", show_default=True, metavar="SPEC",
              help="cifar10:PATH, folder:PATH, or digits (built in, offline).")
@click.option("--epochs", required=True, type=int, metavar="N")
@click.option("--steps", type=int, metavar="N",
              help="Stop after N optimiser steps in all (smoke runs; the LR schedule spans them).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), metavar="RUN_DIR",
              help="The run directory.")
@SETS_OPTION
@click.option("--batch-size", default=64, show_default=True, type=int, metavar="B")
@click.option("--lr", type=float, metavar="LR", help="Initial LR [default: 0.1; bn-only 1.0].")
@click.option("--weight-decay", type=float, metavar="WD", help="[default: 5e-4; bn-only 0].")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto: CUDA when available.")
@click.option("--resume", is_flag=True, help="Continue the run in RUN_DIR from its checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress on stderr (the final summary still prints).")
@click.option("--force", is_flag=True,
              help="Start even when the estimate says the run exceeds the memory available or an hour.")
@click.option("--sampler", type=click.Choice(["uniform", "fair"]), default="uniform", show_default=True,
              help="bn-only/full paths: SPOS uniform, or FairNAS strict fairness.")
@click.option("--num-random", default=2, show_default=True, type=int, metavar="N",
              help="single-stage: random children per step besides the largest and smallest.")
@click.option("--no-sandwich", is_flag=True, help="single-stage: do not force the smallest child.")
@click.option("--no-distill", is_flag=True, help="single-stage: every child learns from the labels.")
@click.option("--no-multires", is_flag=True, help="single-stage: resize each child's batch from the data itself.")
@click.option("--no-zero-init", is_flag=True, help="single-stage: keep residual blocks' last BN gamma at 1.")
@click.option("--no-lr-decay", is_flag=True, help="Constant LR.")
@click.option("--checkpoint-every", type=int, metavar="STEPS",
              help="Also checkpoint every STEPS steps (always at each epoch's end).")
@click.option("--recal-batches", default=20, show_default=True, type=int, metavar="K",
              help="Training batches that recalibrate BatchNorm before each final evaluation.")
def train_cmd(space_path, mode, data, epochs, steps, out_dir, sets, batch_size, lr, weight_decay, seed, device,
              resume, quiet, force, sampler, num_random, no_sandwich, no_distill, no_multires, no_zero_init,
              no_lr_decay, checkpoint_every, recal_batches):
    """Train the weight-sharing supernet of a space."""
    def body():
        from ..train import TrainConfig
        from ..train.distributed import Launch

        with Launch.from_env().alike():  # the same mistake on every process: printed once
            overrides = parse_sets(sets)
            config = TrainConfig(mode=mode, epochs=epochs, steps=steps, batch_size=batch_size, lr=lr,
                                 weight_decay=weight_decay, seed=seed, device=device, data=data,
                                 sets=tuple(overrides.items()), sampler=sampler, num_random=num_random,
                                 sandwich=not no_sandwich, distill=not no_distill, multires=not no_multires,
                                 zero_init=not no_zero_init, lr_decay=not no_lr_decay,
                                 checkpoint_every=checkpoint_every, recal_batches=recal_batches, quiet=quiet)
        _train(space_path, config, out_dir, resume, force)

    run_command(body)


def _train(space_path: str, config, out_dir: str, resume: bool, force: bool) -> None:
    from ..data import load
    from ..pipeline import compile as compile_space
    from ..train import train
    from ..train.distributed import Launch
    from ..train.rundir import RunDir

    launch = Launch.from_env()
    with launch.alike():  # each process estimates its share of the batch: all refuse alike
        as_given = compile_space(space_path, **dict(config.sets))  # first: a bad space fails before the data loads
        RunDir(Path(out_dir)).prepare(resume)  # and a run already there (`train` checks again, holding its lock)
        data = load(config.data, augment=True, seed=config.seed)  # as `train` would load it
        sets = bind_to_data(space_path, as_given, data, dict(config.sets), budgets=False,
                            quiet=config.quiet or not launch.main)
        config = replace(config, sets=tuple(sets.items()))
        space = compile_space(space_path, **sets)
        note = _preflight(space, config, len(data.train), launch, force or resume)
    if launch.main and not config.quiet:
        click.echo(note, err=True)
    result = train(space, config, data, Path(out_dir), resume=resume)
    if result.rank == 0:
        click.echo(result.summary())


def _preflight(space, config, train_images: int, launch, force: bool) -> str:
    """The run's estimate, or a refusal before anything is written (`train.estimate`). A resumed run is not
    refused: it was accepted when it started."""
    from ..fit import resolution_params
    from ..lower.runtime import pick_device
    from ..train.estimate import Flags, preflight

    params = sorted(resolution_params(space, dict(config.sets))) if space.program is not None else []
    flags = Flags(resolution=f"--set {params[0]}" if params else None)
    return preflight(space, config, train_images, launch.device(pick_device(config.device)), force=force,
                     flags=flags, processes=launch.world)
