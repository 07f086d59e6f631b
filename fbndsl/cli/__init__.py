"""The `fbndsl` command line. The front end never imports torch, so `fbndsl compile` starts fast."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..diagnostics import UserError
from ..version import __version__
from .common import OneLineUsageErrors

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


# Options several commands share, spelt once.
SPACE_OPTION = click.option("--space", "space_path", required=True, metavar="SPACE.nas",
                            help="The space (a path or a shipped name).")
SETS_OPTION = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                           help="Override a `param` of the space.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fbndsl")
def main() -> None:
    """fbndsl: a compiler for neural-architecture-search spaces."""


@main.command("compile", epilog=COST_CONVENTION)
@click.argument("spaces", nargs=-1, required=True, metavar="SPACE.nas...")
@SETS_OPTION
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
    from ..emit import dot, ir_text, json_form, summary
    from ..pipeline import compile as compile_space

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
    from ..diagnostics import ArchError

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
    from ..files import atomic_write_text

    atomic_write_text(Path(output), text)


TRAIN_EPILOG = (
    "Modes: bn-only trains only BatchNorm gamma/beta (FBN-NAS; --sampler uniform or fair); single-stage is "
    "BigNAS (sandwich rule, in-place distillation, same-patch multi-resolution, zero-init residuals, "
    "exponential LR decay to 5%, regularising only the largest child; --no-* switch each off); full is SPOS, "
    "every weight with one uniform path per step. RUN_DIR gets checkpoint.pt, space.nas, config.json and "
    "metrics.jsonl; --resume continues a run exactly where its last checkpoint left it. The network must end "
    "in one score per class of the data (e.g. --set classes=10 for digits).")


@main.command("train", cls=OneLineUsageErrors, epilog=TRAIN_EPILOG)
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
        from ..train import TrainConfig
        from ..train.distributed import Launch

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
    from ..pipeline import compile as compile_space
    from ..train import train
    from ..train.distributed import Launch

    with Launch.from_env().alike():
        space = compile_space(space_path, **dict(config.sets))
    result = train(space, config, None, Path(out_dir), resume=resume)
    if result.rank == 0:
        click.echo(result.summary())


SEARCH_EPILOG = (
    "Trains a BN-only supernet into DIR/supernet (FBN-NAS; or loads --supernet RUN_DIR), then searches: "
    "random sampling, aging evolution, BigNAS coarse-to-fine, or exhaustive enumeration. Budgets take K/M/G "
    "suffixes and are checked with the analytic cost model at the space's declared input resolution before "
    "anything is evaluated. DIR gets results.json (written after every evaluation; --resume continues it) and "
    "search.png. See docs/search.md.")


@main.command("search", cls=OneLineUsageErrors, epilog=SEARCH_EPILOG)
@SPACE_OPTION
@click.option("--out", "out_dir", required=True, type=click.Path(), metavar="DIR", help="Where results go.")
@click.option("--supernet", metavar="RUN_DIR", help="A trained supernet (the --out of `fbndsl train --mode bn-only`).")
@click.option("--train-epochs", type=int, metavar="N", help="Train a BN-only supernet for N epochs [default: 3].")
@click.option("--train-steps", type=int, metavar="N", help="Stop that training after N steps (smoke runs).")
@click.option("--flops", metavar="B", help="MACs budget, e.g. 330M (K/M/G suffixes).")
@click.option("--params", metavar="B", help="Parameter budget, e.g. 5M.")
@click.option("--indicator", default="cpi", show_default=True, metavar="NAME",
              help="cpi, expressivity, trainability, uncertainty, gamma, naswot, synflow, params, macs.")
@click.option("--strategy", default="evolution", show_default=True, metavar="NAME",
              help="evolution (aging), random, coarse-to-fine (BigNAS), exhaustive (small spaces).")
@click.option("--evals", type=int, metavar="N", help="Architectures to evaluate [default: 30; exhaustive: all].")
@click.option("--top", default=5, show_default=True, type=int, metavar="K", help="Architectures in the final table.")
@click.option("--data", default="digits", show_default=True, metavar="SPEC",
              help="cifar10:PATH, folder:PATH, or digits (built in, offline).")
@SETS_OPTION
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--device", default="auto", show_default=True, metavar="auto|cpu|cuda", help="auto: CUDA when available.")
@click.option("--recal-batches", type=int, metavar="K", help="Batches that recalibrate BatchNorm per architecture.")
@click.option("--eval-images", type=int, metavar="N", help="Held-out images for expressivity and uncertainty.")
@click.option("--mc-samples", type=int, metavar="T", help="Monte-Carlo BatchNorm passes for uncertainty.")
@click.option("--threads", default=1, show_default=True, type=int, metavar="N", help="CPU threads for torch.")
@click.option("--resume", is_flag=True, help="Continue the search in DIR without evaluating anything again.")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def search_cmd(space_path, out_dir, supernet, train_epochs, train_steps, flops, params, indicator, strategy, evals,
               top, data, sets, seed, device, recal_batches, eval_images, mc_samples, threads, resume, quiet):
    """Search a space for the best architectures within a MACs/params budget."""
    def body():
        from .search import Options, run

        run(Options(space=space_path, out=out_dir, supernet=supernet, train_epochs=train_epochs,
                    train_steps=train_steps, flops=flops, params=params, indicator=indicator, strategy=strategy,
                    evals=evals, top=top, data=data, sets=tuple(_overrides(sets).items()), seed=seed, device=device,
                    resume=resume, quiet=quiet, recal_batches=recal_batches, eval_images=eval_images,
                    mc_samples=mc_samples, threads=threads))

    _run(body)


EXPORT_EPILOG = (
    "DIR gets model.py (standalone PyTorch, readable names, each layer's source line), weights.pt (with "
    "--supernet: the subnet's weights sliced from the supernet after BatchNorm recalibration; BatchNorms inserted "
    "by BN fairness are kept), model.onnx (dynamic batch) and arch.json (the arch, the space's sha256, --set "
    "values, version, MACs, params). Without --supernet the architecture is exported as written, freshly "
    "initialised, to be trained. See docs/export.md.")


@main.command("export", cls=OneLineUsageErrors, epilog=EXPORT_EPILOG)
@SPACE_OPTION
@click.option("--arch", help="The architecture (canonical text, JSON, or NAS-Bench-201/DARTS notation).")
@click.option("--from", "from_path", metavar="RESULTS.json", help="Take the architecture from fbndsl search results.")
@click.option("--rank", type=int, metavar="N", help="With --from: the rank to export [default: 1].")
@click.option("--supernet", "supernet_dir", metavar="RUN_DIR",
              help="Slice the weights from this fbndsl train run [default with --from: the results' supernet].")
@SETS_OPTION
@click.option("--data", metavar="SPEC", help="BatchNorm recalibration data [default: the run's --data].")
@click.option("--recal-batches", type=int, metavar="K",
              help="Batches that recalibrate BatchNorm; 0 keeps the supernet's statistics [default: the run's].")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="The folder to write (created if needed).")
@click.option("--no-onnx", is_flag=True, help="Do not write model.onnx.")
@click.option("--aux-head", metavar="STATEMENT",
              help="Add DARTS's auxiliary head after this statement of the network (e.g. reduce2), for training "
                   "from scratch: Model(auxiliary=True).")
def export_cmd(space_path, arch, from_path, rank, supernet_dir, sets, data, recal_batches, out_dir, no_onnx,
               aux_head):
    """Export one architecture of a space as standalone PyTorch source, weights, ONNX and arch.json."""
    _run(lambda: _export(space_path, arch, from_path, rank, supernet_dir, _overrides(sets), data, recal_batches,
                         Path(out_dir), not no_onnx, aux_head))


def _export(space_path, arch, from_path, rank, supernet_dir, overrides, data, recal_batches, out: Path, onnx,
            aux_head=None):
    from ..data import parse_data_spec
    from ..export.results import check_space, read_ranked
    from ..pipeline import compile as compile_space

    _check_export_flags(arch, from_path, rank, out)
    ranked = read_ranked(from_path, 1 if rank is None else rank) if from_path else None
    if ranked is not None:
        arch, overrides = ranked.arch, {**ranked.sets, **overrides}  # an explicit --set wins
        supernet_dir = supernet_dir or ranked.supernet
    if supernet_dir is None and (data is not None or recal_batches is not None):
        raise UserError("--data and --recal-batches recalibrate a supernet's BatchNorms; give --supernet RUN_DIR "
                        "or drop them")
    if data is not None:
        parse_data_spec(data)  # a bad spec fails now, before anything slow
    if recal_batches is not None and recal_batches < 0:
        raise UserError(f"--recal-batches {recal_batches}: must be 0 (no recalibration) or more")
    space = compile_space(space_path, **overrides)
    if ranked is not None:
        check_space(ranked, space)
    click.echo(_exported(space, arch, out, supernet_dir, overrides, data, recal_batches, onnx, aux_head), nl=False)


def _check_export_flags(arch, from_path, rank, out: Path) -> None:
    if (arch is None) == (from_path is None):
        raise UserError("give the architecture with either --arch ARCH or --from RESULTS.json (one of them)")
    if rank is not None and from_path is None:
        raise UserError("--rank picks an architecture of --from RESULTS.json; give --from, or drop --rank")
    if rank is not None and rank < 1:
        raise UserError(f"--rank {rank}: ranks start at 1")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, not a directory; choose another --out")


def _exported(space, arch, out: Path, supernet_dir, overrides, data, recal_batches, onnx: bool, aux_head) -> str:
    from ..export.bundle import export

    if supernet_dir is None:
        result = export(space, arch, out, None, None, onnx, sets=overrides, aux_head=aux_head)
    else:
        from ..train import load_run

        run = load_run(supernet_dir)
        k = run.config.recal_batches if recal_batches is None else recal_batches
        result = export(space, arch, out, run.supernet, data or run.config.data, onnx, recal_batches=k,
                        batch_size=run.config.batch_size, seed=run.config.seed, data_epoch=run.config.epochs,
                        sets=overrides, supernet_dir=str(supernet_dir), aux_head=aux_head)
    return _export_summary(out, result)


def _export_summary(out: Path, result) -> str:
    rec = result.record
    weights, recal = rec["weights"], rec["weights"]["recalibration"]
    if weights["file"] is None:
        how = "fresh init, no weights.pt"
    else:
        how = f"weights from {weights['supernet'] or 'the supernet'}" + (
            f", BatchNorm recalibrated on {recal['batches']} batches of {recal['data']}" if recal else "")
    kept = rec["params_exported"] - rec["params"]
    extra = f" + {kept:,} in fairness BatchNorms" if kept else ""
    aux = rec["aux_head"]
    aux_line = (f"aux head: {aux['params']:,} params after {aux['at']}, for training: Model(auxiliary=True)\n"
                if aux else "")
    return (f"{out}: {', '.join(p.name for p in result.files)}\narch:   {rec['arch']}\nMACs:   {rec['macs']:,}\n"
            f"params: {rec['params']:,}{extra}   ({how})\n{aux_line}")


from .bench import bench  # noqa: E402

main.add_command(bench)
