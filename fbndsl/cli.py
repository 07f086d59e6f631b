"""The `fbndsl` command line. The front end never imports torch, so `fbndsl compile` starts fast."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .diagnostics import UserError
from .version import __version__

COST_CONVENTION = (
    "MACs are multiply-accumulates of conv and linear layers (the 'FLOPs' of NAS-Bench-201, torchvision and "
    "NAS papers), plus one addition per output element of a layer with a bias, as NAS-Bench-201 counts; "
    "pooling, BatchNorm, activations and additions count zero. Params are learnable weights (BatchNorm "
    "gamma/beta included, running statistics not). BatchNorms inserted by the fairness pass are reported "
    "apart: they exist only while training the supernet.")


def _run(fn):
    """Run a command body: user errors print as diagnostics with exit code 1, never a traceback."""
    try:
        fn()
    except UserError as exc:
        if not getattr(exc, "quiet", False):  # under torchrun, rank 0 alone prints an error every rank finds
            click.echo(exc.render(), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # an internal error: a bug of ours, not the user's
        if os.environ.get("FBNDSL_DEBUG"):
            raise
        click.echo(f"internal compiler error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in fbndsl; rerun with FBNDSL_DEBUG=1 for a traceback and report it.", err=True)
        sys.exit(3)


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise UserError(f"--set {item}: expected NAME=VALUE, e.g. --set C=36")
        out[name.strip()] = value.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fbndsl")
def main() -> None:
    """fbndsl: a compiler for neural-architecture-search spaces."""


@main.command("compile", epilog=COST_CONVENTION)
@click.argument("spaces", nargs=-1, required=True, metavar="SPACE.nas...")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a `param` of the space.")
@click.option("--fairness", type=click.Choice(["insert", "check", "off"]), default="insert", show_default=True,
              help="BN fairness: insert a BatchNorm after every candidate operator that lacks one, only check "
                   "(error if any lacks one), or off (BN-NAS placement, as written).")
@click.option("--emit", type=click.Choice(["ir", "json", "dot"]),
              help="Print the IR, the IR as JSON, or a Graphviz graph.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--arch", help="Cost one architecture (canonical text, JSON, or NAS-Bench-201/DARTS notation).")
@click.option("--archs", type=click.Path(dir_okay=False), help="Cost every architecture in a file, one per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def compile_cmd(spaces, sets, fairness, emit, as_json, arch, archs, output):
    """Compile SPACE.nas: check it, and print its choice points, exact size, MAC/param range and
    BN-fairness report. SPACE may also name a shipped space (nb201, darts, mobilenet, bignas, ...)."""
    _run(lambda: _compile(spaces, sets, fairness, emit, as_json, arch, archs, output))


def _compile(spaces, sets, fairness, emit, as_json, arch, archs, output):
    from .emit import dot, ir_text, json_form, summary
    from .pipeline import compile as compile_space

    if (arch or archs) and len(spaces) != 1:
        raise UserError("--arch/--archs cost architectures of one space; give exactly one SPACE.nas")
    if arch and archs:
        raise UserError("give either --arch or --archs, not both")
    overrides = _overrides(sets)
    chunks = []
    for path in spaces:
        space = compile_space(path, fairness=fairness, **overrides)
        if arch is not None:
            chunks.append(_one_arch(space, arch, as_json))
        elif archs is not None:
            chunks.append(_many_archs(space, archs, as_json))
        elif emit == "ir":
            chunks.append(ir_text.dump(space.ir))
        elif emit == "json":
            chunks.append(json.dumps(json_form.ir_json(space), indent=1) + "\n")
        elif emit == "dot":
            chunks.append(dot.render(space))
        elif as_json:
            chunks.append(json.dumps(json_form.summary(space)) + "\n")
        else:
            chunks.append(summary.render(space))
    _write("".join(chunks), output)


def _arch_record(space, a) -> dict:
    c = space.cost(a)
    return {"arch": a.text(), "macs": c.macs, "params": c.params, "fairness_bn_params": c.fairness_bn_params}


def _one_arch(space, text: str, as_json: bool) -> str:
    a = space.parse_arch(text)
    rec = _arch_record(space, a)
    if as_json:
        return json.dumps(rec) + "\n"
    return (f"arch:   {rec['arch']}\nMACs:   {rec['macs']:,}\nparams: {rec['params']:,}"
            f"   (+{rec['fairness_bn_params']:,} in fairness BatchNorms while training)\n")


def _many_archs(space, path: str, as_json: bool) -> str:
    from .space import ArchError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the architectures file: {exc}") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rec = _arch_record(space, space.parse_arch(line))
        except ArchError as exc:
            raise UserError(f"{path}:{number}: {exc}") from None
        out.append(json.dumps(rec) if as_json else f"{rec['arch']}\t{rec['macs']}\t{rec['params']}")
    return "\n".join(out) + ("\n" if out else "")


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from .files import atomic_write_text

    atomic_write_text(Path(output), text)


class _UsageErrorsExitOne(click.Command):
    """`fbndsl train` exits 1 on every mistake, a bad flag (click's usage errors, normally 2) included."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise


TRAIN_EPILOG = (
    "Modes: bn-only trains only BatchNorm gamma/beta (FBN-NAS; --sampler uniform or fair); single-stage is "
    "BigNAS (sandwich rule, in-place distillation, same-patch multi-resolution, zero-init residuals, "
    "exponential LR decay to 5%, regularising only the largest child; --no-* switch each off); full is SPOS, "
    "every weight with one uniform path per step. RUN_DIR gets checkpoint.pt, space.nas, config.json and "
    "metrics.jsonl; --resume continues a run exactly where its last checkpoint left it. The network must end "
    "in one score per class of the data (e.g. --set classes=10 for digits).")


@main.command("train", cls=_UsageErrorsExitOne, epilog=TRAIN_EPILOG)
@click.option("--space", "space_path", required=True, metavar="SPACE.nas", help="The space (a path or a shipped name).")
@click.option("--mode", required=True, type=click.Choice(["bn-only", "single-stage", "full"]),
              help="What is trained, and how.")
@click.option("--data", default="digits", show_default=True, metavar="SPEC",
              help="cifar10:PATH, folder:PATH, or digits (built in, offline).")
@click.option("--epochs", required=True, type=int, metavar="N")
@click.option("--steps", type=int, metavar="N",
              help="Stop after N optimiser steps in all (smoke runs; the LR schedule spans them).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), metavar="RUN_DIR",
              help="The run directory.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a `param` of the space.")
@click.option("--batch-size", default=64, show_default=True, type=int, metavar="B")
@click.option("--lr", type=float, metavar="LR", help="Initial LR [default: 0.1; bn-only 1.0].")
@click.option("--weight-decay", type=float, metavar="WD", help="[default: 5e-4; bn-only 0].")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto: CUDA when available.")
@click.option("--resume", is_flag=True, help="Continue the run in RUN_DIR from its checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress on stderr (the final summary still prints).")
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
              resume, quiet, sampler, num_random, no_sandwich, no_distill, no_multires, no_zero_init, no_lr_decay,
              checkpoint_every, recal_batches):
    """Train the weight-sharing supernet of a space."""
    def body():
        from .train import TrainConfig
        from .train.distributed import Launch

        with Launch.from_env().alike():  # the same mistake on every process: printed once
            overrides = _overrides(sets)
            config = TrainConfig(mode=mode, epochs=epochs, steps=steps, batch_size=batch_size, lr=lr,
                                 weight_decay=weight_decay, seed=seed, device=device, data=data,
                                 sets=tuple(overrides.items()), sampler=sampler, num_random=num_random,
                                 sandwich=not no_sandwich, distill=not no_distill, multires=not no_multires,
                                 zero_init=not no_zero_init, lr_decay=not no_lr_decay,
                                 checkpoint_every=checkpoint_every, recal_batches=recal_batches, quiet=quiet)
        _train(space_path, config, out_dir, resume)

    _run(body)


def _train(space_path: str, config, out_dir: str, resume: bool) -> None:
    from .pipeline import compile as compile_space
    from .train import train
    from .train.distributed import Launch

    with Launch.from_env().alike():
        space = compile_space(space_path, **dict(config.sets))
    result = train(space, config, None, Path(out_dir), resume=resume)
    if result.rank == 0:
        click.echo(result.summary())
