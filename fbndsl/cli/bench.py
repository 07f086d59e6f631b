"""`fbndsl bench`: benchmarks against published ground truth. `fbndsl bench nb201` is docs/nb201.md.

The `fbndsl.bench` package has no default paths; this command has those of a checkout with `../shared/data`
beside it (said on stderr whenever one is used), and writes its results under `runs/`, never into the repository.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..diagnostics import UserError
from ..train.distributed import Launch
from .common import OneLineUsageErrors, parse_sets, run_command

SHARED = Path("../shared/data")  # relative to the current directory: a checkout's root, with the data beside it
DEFAULT_TRUTH = SHARED / "nb201" / "nb201.csv"
DEFAULT_DATA = SHARED / "cifar10-10k" / "cifar-10-batches-py"
DEFAULT_OUT, DEFAULT_QUICK_OUT = Path("runs/nb201"), Path("runs/nb201-quick")
DEFAULT_SUPERNET_DIR = Path("runs/nb201-supernets")

NB201_EPILOG = (
    "Trains a fair BN-only supernet of spaces/nb201.nas and one with fairness off (or reuses them from "
    "--supernet-dir), measures every indicator of a calibration set and of an evaluation set of K architectures "
    "(distinct, disjoint), reports Kendall's tau of each ranking on both sets and Spearman's rho on the "
    "evaluation set against the benchmark's CIFAR-10 test accuracy, makes the protocol's choices on the "
    "calibration set alone, counts the operators of the gamma indicator's top 10 on both supernets (FBN-NAS "
    "Table 1), and runs an evolution search by the chosen indicator with 3 seeds. Default paths "
    "are those of a checkout with ../shared/data beside it; run from the repository root. The last line printed "
    "is the headline figure; OUT/report.json has everything. See docs/nb201.md.")


@click.group("bench", context_settings={"help_option_names": ["-h", "--help"]})
def bench_cmd() -> None:
    """Benchmarks against published ground truth."""


@bench_cmd.command("nb201", cls=OneLineUsageErrors, epilog=NB201_EPILOG)
@click.option("--quick", is_flag=True,
              help="K=100, 100 calibration networks, 30 evaluations per search, 300 training steps: under 15 min "
                   "on one CPU thread.")
@click.option("--epochs", type=int, metavar="E", help="Supernet training epochs [default: 10; --quick: 3].")
@click.option("--steps", type=int, metavar="N", help="Stop each supernet's training after N steps [--quick: 300].")
@click.option("--archs", type=int, metavar="K",
              help="Architectures of the evaluation set [default: 1000; --quick: 100].")
@click.option("--calibration", type=int, metavar="C",
              help="Architectures of the calibration set, where every choice is made [default: 200; --quick: 100].")
@click.option("--evals", type=int, metavar="N", help="Architectures each search evaluates [default: 200; --quick: 30].")
@click.option("--search-seeds", type=int, metavar="N", help="Searches, seeds S, S+1, ... [default: 3].")
@click.option("--refine-top", type=int, metavar="K",
              help="Each search's K best re-ranked with their gradient explosion at N=5 [default: 0, off; "
                   "protocol versions 4 to 6: 10].")
@click.option("--seed", type=int, metavar="S", help="Seed of the sample, the training and the searches [default: 0].")
@click.option("--supernet-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where the supernets' run directories go, reused by reruns [default: runs/nb201-supernets].")
@click.option("--truth", metavar="CSV", help="The NAS-Bench-201 CSV [default: ../shared/data/nb201/nb201.csv].")
@click.option("--api", metavar="FILE", help="The official NAS-Bench-201 file instead (pip install nas-bench-201).")
@click.option("--data", metavar="SPEC", help="Training data [default: the CIFAR-10 subset in ../shared/data].")
@click.option("--out", type=click.Path(file_okay=False), metavar="OUT",
              help="Results folder [default: runs/nb201, --quick: runs/nb201-quick].")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Override a `param` of spaces/nb201.nas [default: N=1, a proxy; N=5 is the benchmark's].")
@click.option("--paper-measuring", is_flag=True,
              help="FBN-NAS' measuring settings: 20 recalibration batches, 1,000 held-out images, 10 Monte-Carlo "
                   "passes (about 8x slower) instead of 4, 256 and 4.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), help="Where to train and measure [default: cpu].")
@click.option("--threads", default=1, show_default=True, type=int, metavar="N",
              help="CPU threads (one on a shared machine: see docs/training.md, 'CPU threads').")
def nb201_cmd(quick, epochs, steps, archs, calibration, evals, search_seeds, refine_top, seed, supernet_dir, truth, api,
              data, out, sets, paper_measuring, device, threads):
    """Evaluate the indicators and the search on NAS-Bench-201's ground truth."""
    def body():
        from ..bench.settings import PAPER_MEASURING, make_settings

        ground_truth = load_truth(truth, api)  # before anything slow: a bad path fails at once
        spec = data or f"cifar10:{checkout_default('--data', DEFAULT_DATA)}"
        settings = make_settings(quick, epochs=epochs, steps=steps, archs=archs, calibration=calibration,
                                 evals=evals, search_seeds=search_seeds, refine_top=refine_top, seed=seed, data=spec,
                                 device=device,
                                 out=Path(out) if out else DEFAULT_QUICK_OUT if quick else DEFAULT_OUT,
                                 supernet_dir=Path(supernet_dir) if supernet_dir else DEFAULT_SUPERNET_DIR,
                                 sets=tuple(parse_sets(sets).items()) or None,
                                 measuring=PAPER_MEASURING if paper_measuring else None)
        run_nb201(settings, ground_truth, threads)

    run_command(body)


def load_truth(csv: str | None, api: str | None):
    """The ground truth from --truth or --api, or from the checkout's default CSV when neither is given."""
    from ..bench.truth import Truth

    if csv and api:
        raise UserError("--truth and --api: give one source of ground truth, not both")
    if api:
        return Truth.from_api(api)
    return Truth.from_csv(csv or checkout_default("--truth", DEFAULT_TRUTH))


def checkout_default(flag: str, path: Path) -> Path:
    """A default that exists only in a checkout with ../shared/data beside it: said on stderr when used, since
    it depends on where the command runs; a one-line error asking for the flag where there is no such path."""
    if not path.exists():
        raise UserError(f"{flag}: not given, and its default {path} does not exist here (it does in a checkout "
                        f"with ../shared/data beside it); give {flag}")
    if Launch.from_env().main:  # said once, not by every process of a torchrun launch
        click.echo(f"using {flag} {path} (the default in a checkout with ../shared/data beside it)", err=True)
    return path


def run_nb201(settings, truth, threads: int) -> None:
    """Run the evaluation (progress on stderr), write report.json, print the report (its last line the figure)."""
    import torch

    from ..bench.nb201 import run
    from ..lower.runtime import pick_device
    from ..search.workers import WAIT

    if threads < 1:
        raise UserError(f"--threads {threads}: expected at least 1")
    torch.set_num_threads(threads)
    launch = Launch.from_env()  # under torchrun: every process measures; rank 0 alone trains, writes and prints
    with launch.alike():
        device = launch.device(pick_device(settings.device))
    with launch.group(device, timeout=WAIT):
        report = run(settings, truth, echo=(lambda line: click.echo(line, err=True)) if launch.main else _silent,
                     quiet=not launch.main, launch=launch)
    if report is not None:
        report.write()
        click.echo("\n".join(report.lines()))


def _silent(line: str) -> None:
    pass
