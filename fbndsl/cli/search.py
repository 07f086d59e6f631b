"""`fbndsl search`: compile, train (or load) a BN-only supernet, search, print, plot.

Everything that can be refused is refused before training starts: the flags, the budget against the space's
exact cost range, the strategy against the space, and a `--resume` against the results it would continue.
The budget is always checked at the space's declared input resolution: a `--set` that changes the input
resolution (e.g. `--set resolution=16`) is a proxy for training and measuring, and the output says so.
"""
from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import click

from ..diagnostics import UserError
from ..files import locked
from ..fit import input_resolution
from ..indicators.ensemble import Ensemble, parse_indicator
from ..indicators.kinds import Indicator
from ..pipeline import compile as compile_space
from ..progress import end_progress, say
from ..search.budget import Budget
from ..search.driver import (
    DEFAULT_INDICATOR,
    DEFAULT_PICK,
    DEFAULT_REFINE_STEPS,
    Plan,
    SearchResult,
    execute,
    make_plan,
    measurer,
    pick_for,
    recompiled,
    refiner_for,
)
from ..search.proxy import Spaces, compile_spaces, format_resolution, proxy_note
from ..search.refinement import Refinement, refinement
from ..search.results import NAME as RESULTS
from ..search.strategies import strategy_kind
from ..search.table import render, versus_median
from ..search.workers import WAIT, Task, Workers, sigterm_stops
from ..train.distributed import Launch, from_rank0
from .common import SETS_OPTION, SPACE_OPTION, OneLineUsageErrors, bind_to_data, parse_sets, run_command

# BN-only steps when neither --train-epochs nor --train-steps is given: 30 epochs of the built-in digits, about a
# minute on one CPU thread. Measured there (nb201 with N=1, uniform paths, training accuracy of the last epoch):
# 300 steps 16%, 660 steps 20% (LR 5: 22%); at N=5 still 11% after 330 steps at LR 5 (docs/search.md, "What the
# main job shows").
DEFAULT_TRAIN_STEPS = 600
EVAL_CHILDREN = 3  # sampled children evaluated after training: how well the supernet trained, in the summary
SUPERNET_DIR = "supernet"   # under --out: the run directory of the supernet trained for the search
DEVICES = ("auto", "cpu", "cuda")
# One torch thread by default: a search runs many small batches, where a second thread gains little on an idle
# machine, and on a machine shared with other work (CI, a test suite) OpenMP threads that wait for each other made
# the same search 5 to 20 times slower in our measurements (docs/search.md, "Time"); --threads raises it.
DEFAULT_THREADS = 1

SEARCH_EPILOG = (
    "Trains a BN-only supernet into DIR/supernet (FBN-NAS; or loads --supernet RUN_DIR), then searches: "
    "random sampling, aging evolution, BigNAS coarse-to-fine, or exhaustive enumeration. Budgets take K/M/G "
    "suffixes and are checked with the analytic cost model at the space's declared input resolution before "
    "anything is evaluated. DIR gets results.json (written after every evaluation; --resume continues it) and "
    "search.png. See docs/search.md.")


@click.command("search", cls=OneLineUsageErrors, epilog=SEARCH_EPILOG)
@SPACE_OPTION
@click.option("--out", "out_dir", required=True, type=click.Path(), metavar="DIR", help="Where results go.")
@click.option("--supernet", metavar="RUN_DIR", help="A trained supernet (the --out of `fbndsl train --mode bn-only`).")
@click.option("--train-epochs", type=int, metavar="N", help="Train a BN-only supernet for N epochs.")
@click.option("--train-steps", type=int, metavar="N",
              help=f"...or for N steps; with --train-epochs, stop it after N [default: {DEFAULT_TRAIN_STEPS} steps].")
@click.option("--flops", metavar="B", help="MACs budget, e.g. 330M (K/M/G suffixes).")
@click.option("--params", metavar="B", help="Parameter budget, e.g. 5M.")
@click.option("--indicator", default=DEFAULT_INDICATOR, show_default=True, metavar="NAME[+NAME...]",
              help=f"{', '.join(i.value for i in Indicator)}; or a rank ensemble: NAME+NAME, weighted W*NAME "
                   f"(2*cpi+synflow), or a product of ranks, product(NAME+NAME).")
@click.option("--pick", metavar="NAME[+NAME...]",
              help=f"The ranking of the returned architectures, among what --indicator measures and the structural "
                   f"{', '.join(i.value for i in Indicator if i.structural)} [default: "
                   f"{DEFAULT_PICK} with the default --indicator, else the --indicator].")
@click.option("--strategy", default="evolution", show_default=True, metavar="NAME",
              help="evolution (aging), random, coarse-to-fine (BigNAS), exhaustive (small spaces).")
@click.option("--evals", type=int, metavar="N", help="Architectures to evaluate [default: 30; exhaustive: all].")
@click.option("--top", default=5, show_default=True, type=int, metavar="K", help="Architectures in the final table.")
@click.option("--refine-top", default=0, show_default=True, type=int, metavar="K",
              help="Refine the K best and list them first (--refine-by); 0: off.")
@click.option("--refine-by", default="accuracy", show_default=True, metavar="accuracy|explosion",
              help="accuracy: each trained BN-only alone, by that held-out accuracy; explosion: by the product of "
                   "its rank and its gradient explosion's rank among the K (NAS-Bench-201's choice, docs/search.md).")
@click.option("--refine-steps", type=int, metavar="S",
              help=f"BN-only training steps per refined architecture (accuracy) [default: {DEFAULT_REFINE_STEPS}].")
@click.option("--refine-set", "refine_sets", multiple=True, metavar="NAME=VALUE",
              help="Override a `param` of the network explosion reads, e.g. N=5: the depth a space searched at a "
                   "proxy depth will be trained at.")
@click.option("--data", default="digits", show_default=True, metavar="SPEC",
              help="cifar10:PATH, folder:PATH, or digits (built in, offline).")
@SETS_OPTION
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--device", default="auto", show_default=True, metavar="auto|cpu|cuda", help="auto: CUDA when available.")
@click.option("--recal-batches", type=int, metavar="K", help="Batches that recalibrate BatchNorm per architecture.")
@click.option("--eval-images", type=int, metavar="N", help="Held-out images for expressivity and uncertainty.")
@click.option("--mc-samples", type=int, metavar="T", help="Monte-Carlo BatchNorm passes for uncertainty.")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=int, metavar="N",
              help="CPU threads for torch.")
@click.option("--batch", type=int, metavar="B",
              help="New networks per generation of evolution and coarse-to-fine (their proposals read earlier scores) "
                   "[default: 1; under torchrun the number of processes; with --resume the search's own].")
@click.option("--resume", is_flag=True, help="Continue the search in DIR without evaluating anything again.")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--force", is_flag=True,
              help="Train the supernet even when the estimate says it exceeds the memory available or an hour.")
def search_cmd(space_path, out_dir, supernet, train_epochs, train_steps, flops, params, indicator, pick, strategy,
               evals, top, refine_top, refine_by, refine_steps, refine_sets, data, sets, seed, device, recal_batches,
               eval_images, mc_samples, threads, batch, resume, quiet, force):
    """Search a space for the best architectures within a MACs/params budget."""
    def body(launch, on):
        with launch.alike():  # the same mistake on every process: printed once
            given = parse_sets(sets)
            deeper = parse_sets(refine_sets, flag="--refine-set")
            training = Training(train_epochs, train_steps, data, tuple(given.items()), seed, device, quiet, force)
            measuring = Measuring(recal_batches, eval_images, mc_samples)
            kind = parse_indicator(indicator)
            returned_by = pick_for(kind, pick)
            budget = Budget.parse(flops, params)
            check_supernet_flags(supernet, training, measuring, threads, kind)
            _check_batch(batch, strategy)
            as_given = compile_space(space_path, **given)  # first: a mistake in the space fails before the data loads
            if refine_top and deeper:  # and one in the network explosion would read
                recompiled(as_given, deeper)
        if resume:
            launch.on_main(lambda: check_results_file(Path(out_dir)))  # and one in the results it would continue
        loud = not quiet and launch.main
        say(f"loading {data}", not loud)                # torch's import alone takes seconds
        with launch.alike():
            split = load_split(data, seed, threads)
            overrides = bind_to_data(space_path, as_given, split.train, given, budgets=True, quiet=not loud)
            training = replace(training, sets=tuple(overrides.items()))
            spaces = compile_spaces(space_path, overrides)
        from ..lower import lower

        mine = {}  # rank 0's plan and supernet (the plan's callbacks and the weights are not broadcast)

        def prepare():
            plan = make_plan(spaces.declared, kind, strategy_kind(strategy), budget, evals, top, seed,
                             out_dir=out_dir, resume=resume, supernet_dir=supernet_dir(supernet, kind, out_dir),
                             sets={k: v for k, v in overrides.items() if k not in spaces.proxies},
                             settings=resume_settings(training, measuring, spaces), plot_note=proxy_note(spaces),
                             on_entry=None if quiet else _progress(), refine_top=refine_top,
                             refine_steps=refine_steps, refine_by=refine_by, refine_sets=deeper,
                             on_refined=None if quiet else _refined_progress(refine_by),
                             batch=batch or recorded_batch(Path(out_dir), resume) or launch.world,
                             workers=launch.world, pick=returned_by)
            check_out(plan)
            mine["plan"] = plan
            space, mine["net"], trained = supernet_for(plan, supernet, spaces.run, split.train, training)
            return space, trained, mine["net"] is not None

        space, trained, has_net = launch.on_main(prepare)
        net = from_rank0(launch, mine.get("net"), lambda: lower(space), on) if has_net else None
        evaluate = measurer(space, net, split.held_out, kind, seed=seed, device=str(on), options=measuring.options(),
                            pick=returned_by)
        refine = refiner_for(refine_by, space, split.held_out, steps=refine_steps, sets=deeper, seed=seed,
                             device=str(on), options=measuring.options()) if refine_top else None
        workers = Workers(launch, {Task.MEASURE: evaluate, Task.REFINE: refine},
                          weight=lambda arch: space.cost(arch).macs)
        if not launch.main:
            workers.serve()
            return
        plan = mine["plan"]
        with sigterm_stops():
            result = execute(plan, evaluate, refine, workers)
        end_progress()  # a search that stops short of --evals leaves its bar open
        print(report(plan, result, spaces, space_path, trained))

    def locked_body():
        launch = Launch.from_env()
        with launch.alike():
            _check_device(device)
            on = launch.device(torch_device(device))
        with launch.group(on, timeout=WAIT), ExitStack() as lock:
            # first of all on rank 0 (which alone writes --out): of two runs started at once on one --out, the
            # second is refused here, before either could pass check_out's "already holds a search" test; held
            # to the end, the supernet's training included
            launch.on_main(lambda: lock.enter_context(locked(Path(out_dir), "fbndsl search")))
            body(launch, on)

    run_command(locked_body)


@dataclass(frozen=True)
class Training:
    """How the search trains its BN-only supernet (FBN-NAS) when no --supernet is given; `data` and `seed` are
    also those of the held-out images the indicators measure on."""

    epochs: int | None          # --train-epochs; None: as many as the steps need
    steps: int | None           # --train-steps; None with no --train-epochs either: DEFAULT_TRAIN_STEPS
    data: str
    sets: tuple[tuple[str, str], ...]
    seed: int
    device: str
    quiet: bool
    force: bool = False         # --force: train even where the estimate says the run is too big or too long

    def config(self, data):
        """The run's `TrainConfig` on `data` (the loaded training images: they count the epochs that steps need)."""
        from ..train import TrainConfig
        from ..train.setup import steps_per_epoch

        config = TrainConfig(mode="bn-only", steps=self.steps, data=self.data, sets=self.sets, seed=self.seed,
                             device=self.device, quiet=self.quiet, eval_archs=EVAL_CHILDREN)
        if self.epochs is not None:
            return replace(config, epochs=self.epochs)
        steps = self.steps or DEFAULT_TRAIN_STEPS
        return replace(config, epochs=-(-steps // steps_per_epoch(data, config)), steps=steps)


@dataclass(frozen=True)
class Measuring:
    """--recal-batches, --eval-images and --mc-samples as given: None keeps the indicators' own default, and
    only the values given are passed on (and recorded for a resume to repeat)."""

    recal_batches: int | None = None
    eval_images: int | None = None
    mc_samples: int | None = None

    def options(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _check_batch(batch: int | None, strategy: str) -> None:
    from ..search.strategies import make

    if batch is not None and batch < 1:
        raise UserError(f"--batch {batch}: must be at least 1")
    if batch is not None and not make(strategy_kind(strategy)).batched:
        raise UserError(f"--batch: --strategy {strategy} proposes without reading scores, and its rounds are measured "
                        f"in parallel as they are; --batch applies to evolution and coarse-to-fine: drop it")


def recorded_batch(out: Path, resume: bool) -> int | None:
    """The --batch of the search a --resume continues (1 when it recorded none), so that it is repeated whatever
    the number of processes now; None when not resuming one."""
    from ..search import results as results_file

    if not resume or not (out / RESULTS).is_file():
        return None
    return results_file.read(out / RESULTS).get("settings", {}).get("batch", 1)


def _check_device(device: str) -> None:
    if device not in DEVICES:
        raise UserError(f"--device {device}: expected one of {', '.join(DEVICES)}")


def check_supernet_flags(supernet: str | None, training: Training, measuring: Measuring, threads: int,
                         indicator: Indicator | Ensemble) -> None:
    """Counts are positive; a supernet is either given or trained, and only for an indicator that reads one."""
    for flag, value in (("--train-epochs", training.epochs), ("--train-steps", training.steps),
                        ("--threads", threads),
                        *((f"--{k.replace('_', '-')}", v) for k, v in measuring.options().items())):
        if value is not None and value < 1:
            raise UserError(f"{flag} {value}: must be at least 1")
    if supernet is not None and (training.epochs is not None or training.steps is not None):
        raise UserError("give either --supernet RUN_DIR (a trained supernet) or --train-epochs N, not both")
    if not indicator.needs_trained_supernet and (supernet or training.epochs or training.steps):
        raise UserError(f"--indicator {indicator.value} is measured without a trained supernet; drop "
                        f"--supernet/--train-epochs/--train-steps")


def supernet_dir(supernet: str | None, indicator: Indicator | Ensemble, out: str) -> str | None:
    """The supernet the results name: --supernet, or the one trained into OUT/supernet; none when unused."""
    if not indicator.needs_trained_supernet:
        return None
    return supernet if supernet is not None else str(Path(out) / SUPERNET_DIR)


def resume_settings(training: Training, measuring: Measuring, spaces: Spaces) -> dict:
    """What else a resumed search must repeat (the names are the flags')."""
    return {"data": training.data, "train_epochs": training.epochs, "train_steps": training.steps,
            "proxy": dict(spaces.proxies), **measuring.options()}


def check_out(plan: Plan) -> None:
    """--out is a directory that holds no search, or, with --resume, the search to continue (its settings
    checked now, before any training or loading)."""
    out = plan.out_dir
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, not a directory; choose another --out")
    results, checkpoint = out / RESULTS, out / SUPERNET_DIR / "checkpoint.pt"
    if plan.resume and not results.is_file() and not checkpoint.is_file():
        raise UserError(f"--resume: {out} holds no search to resume; drop --resume to start one there")
    if not plan.resume and (results.exists() or checkpoint.exists()):
        raise UserError(f"--out {out} already holds a search; pass --resume to continue it, or choose another --out")
    if plan.resume and results.is_file():
        from ..search import results as results_file

        results_file.check_resume(results, results_file.read(results), plan.header)


def check_results_file(out: Path) -> None:
    """A --resume's results.json, checked against its schema now, before the data loads; whether it is this
    search's is checked once the plan is made (`check_out`)."""
    from ..search import results as results_file

    if (out / RESULTS).is_file():
        results_file.read(out / RESULTS)


def load_split(data: str, seed: int, threads: int):
    """The training images less a validation split, and that split, which the indicators measure on: never the
    data's test split (data/split.py). Sets torch's threads first: loading is the first thing that uses torch."""
    import torch

    from ..data import load
    from ..data.split import validation_split

    torch.set_num_threads(threads)
    return validation_split(load(data, augment=True, seed=seed))


def supernet_for(plan: Plan, supernet: str | None, space, images, training: Training):
    """(space, supernet or None, what the summary says of it): none for an indicator that needs none; loaded from
    --supernet or from a resumed search's OUT/supernet; otherwise trained now."""
    if not plan.indicator.needs_trained_supernet:
        return space, None, "no supernet: every indicator is measured at initialisation"
    if supernet is not None:
        return *load_supernet(supernet, space, training.device), f"the supernet of {supernet} (--supernet)"
    if plan.resume and (plan.out_dir / RESULTS).is_file():  # results.json is first written after training ended
        run_dir = plan.out_dir / SUPERNET_DIR
        return *load_supernet(str(run_dir), space, training.device), f"the supernet of {run_dir} (resumed)"
    result = train_supernet(space, images, training, plan.out_dir / SUPERNET_DIR)
    return space, result.supernet, trained_story(result, images)


def trained_story(result, data) -> str:
    """One line: what was trained, on what, how long, and how well (its last epoch's training accuracy, on the
    random paths it trained, and its sampled children's on held-out images) against chance."""
    line = (f"a BN-only supernet (FBN-NAS), {result.steps} steps on {data.name} ({len(data.train):,} images) in "
            f"{result.seconds:.0f} s")
    epochs = [m for m in result.metrics if m.get("kind") == "epoch"]
    chance = 1 / data.num_classes
    if epochs:
        line += f"; training accuracy {epochs[-1]['acc']:.1%} in its last epoch (chance {chance:.1%})"
    if result.evals:
        accs = [e["acc"] for e in result.evals]
        line += (f"; {len(accs)} sampled children, BatchNorm recalibrated, score "
                 f"{'/'.join(f'{a:.1%}' for a in accs)} on {result.evals[0]['test_images']} held-out images")
        if sum(accs) / len(accs) < 1.5 * chance:
            line += ("; near chance: what reads the trained supernet (trainability, uncertainty, regions) tells "
                     "little; --train-steps N trains longer")
    return line


def load_supernet(run_dir: str, space, device: str):
    """(the run's space, its supernet), refused unless trained on this very space with these params."""
    from ..train.trained import load_run

    trained = load_run(run_dir, _device(device))
    if trained.space.source_sha256 != space.source_sha256:
        raise UserError(f"--supernet {run_dir}: was trained on another space (sha256 "
                        f"{trained.space.source_sha256[:12]}... vs {space.source_sha256[:12]}... of {space.file})")
    if dict(trained.space.ir.params) != dict(space.ir.params):
        raise UserError(f"--supernet {run_dir}: was trained with the params {_params(trained.space)}, not "
                        f"{_params(space)}; pass the run's --set values")
    return trained.space, trained.supernet


def _params(space) -> str:
    return ", ".join(f"{k}={v}" for k, v in space.ir.params.items())


def train_supernet(space, images, training: Training, run_dir: Path):
    """BN-only training (FBN-NAS) into `run_dir`; continued from its checkpoint when one is there."""
    from ..fit import resolution_param
    from ..train import train
    from ..train.estimate import Flags, preflight

    config, resume = training.config(images), (run_dir / "checkpoint.pt").is_file()
    param = resolution_param(space)
    flags = Flags(steps="--train-steps", epochs="--train-epochs", resolution=param and f"--set {param}")
    # a resumed training is not refused: it was accepted when it started
    note = preflight(space, config, len(images.train), _device(training.device), force=training.force or resume,
                     flags=flags)
    say(note, training.quiet)
    result = train(space, config, images, run_dir, resume=resume, launch=Launch())  # alone: see docs/search.md
    if not training.quiet:
        print(result.summary().splitlines()[0], file=sys.stderr)
    return result


def _device(name: str) -> str:
    return str(torch_device(name))


def torch_device(name: str):
    from ..lower.runtime import pick_device

    return pick_device(name)


def _progress():
    """`on_entry`: a bar over the evaluations (--evals); its postfix the last architecture's MACs and values."""
    from ..progress import Counted

    def last(entry) -> str:
        values = "  ".join(f"{i.value} {v:.4g}" for i, v in entry.values.items())
        return f"{entry.macs / 1e6:.3f}M MACs  {values}"

    return Counted("measuring", last, unit="arch")


def _refined_progress(by: str):
    """`on_refined`: a bar over the --refine-top architectures refined."""
    from ..progress import Counted

    what = refinement(by).value
    return Counted("refining", lambda entry, value: f"{entry.macs / 1e6:.3f}M MACs  {what} {value:.4g}", unit="arch")


def report(plan: Plan, result: SearchResult, spaces: Spaces, space_path: str, trained: str) -> str:
    lines = [f"searched '{result.space.name}' ({result.strategy.value}, by {result.indicator.value}): "
             f"{len(result.evaluated)} architectures evaluated ({result.measured} measured now) in "
             f"{result.seconds:.1f} s" + ("; stopped early: the last 1,000 proposals had all been evaluated "
                                         "already" if result.exhausted else ""),
             f"budget: {plan.budget.describe()} at the space's declared input resolution "
             f"{format_resolution(input_resolution(spaces.declared))}"]
    if spaces.proxies:
        lines.append(f"note: {proxy_note(spaces)}")
    if result.indicator is Indicator.CPI:
        lines.append("CPI is a mean rank (1 = best) over every architecture evaluated; each indicator's rank among "
                     "them in brackets")
    elif isinstance(result.indicator, Ensemble):
        lines.append(f"{result.indicator.value} is a {result.indicator.score_name} ({result.indicator.best_score} = "
                     f"best) over every architecture evaluated; each indicator's rank among them in brackets")
    if result.pick != result.indicator:
        lines.append(listed_by(result.pick, result.indicator))
    if result.refined:
        lines.append(refined_line(plan, len(result.refined)))
    lines += ["", render(result.space, result.top, result.refined, plan.refine_by.column).rstrip(), "",
              *summary(plan, result, trained), "",
              f"results: {plan.out_dir / RESULTS}   plot: {plan.out_dir / 'search.png'}",
              *export_hint(space_path, plan.out_dir, spaces.proxies, trained=plan.header.supernet is not None)]
    return "\n".join(lines)


def listed_by(pick: Indicator | Ensemble, indicator: Indicator | Ensemble) -> str:
    """Why the table's order is not the search's ranking: its --pick (docs/search.md, "The pick")."""
    score = f" (a {pick.score_name}, {pick.best_score} = best, over every architecture evaluated)" \
        if isinstance(pick, Ensemble) else ""
    return f"listed by {pick.value}{score}, the --pick among what {indicator.value} measured"


def refined_line(plan: Plan, count: int) -> str:
    if plan.refine_by is Refinement.ACCURACY:
        return (f"refined: the {count} best each trained BN-only alone for {plan.refine_steps} steps, listed first "
                f"by that held-out accuracy (column 'refined')")
    sets = plan.header.settings.get("refine_sets", {})
    at = f" at {', '.join(f'{k}={v}' for k, v in sets.items())}" if sets else ""
    return (f"refined: the {count} best listed first by the product of their rank and their rank by gradient "
            f"explosion at initialisation{at} (column 'explosion', lower is better)")


def summary(plan: Plan, result: SearchResult, trained: str) -> list[str]:
    """What was trained and how well, what was measured, and how the winner compares with the median."""
    if not result.top:
        return []
    kind = "mean of ranks" if result.indicator is Indicator.CPI else "value"
    if isinstance(result.indicator, Ensemble):
        kind = result.indicator.kind
    return ["summary:",
            f"  trained:  {trained}",
            f"  measured: {len(result.evaluated)} distinct architectures within {plan.budget.describe()}, ranked by "
            f"{result.indicator.value} ({kind})",
            f"  winner:   {versus_median(result.best.entry, result.evaluated)}"]


def export_hint(space_path: str, out: Path, proxies: Mapping[str, str], trained: bool) -> list[str]:
    """The `fbndsl export` command for the winner. With a supernet trained at a proxy resolution, the export is at
    that resolution (export checks that the space is the one the weights were trained on)."""
    proxy = "".join(f" --set {shlex.quote(f'{k}={v}')}" for k, v in proxies.items()) if trained else ""
    why = " (at the proxy resolution its supernet weights were trained at)" if proxy else ""
    return [f"export the winner{why}:",
            f"  fbndsl export --space {shlex.quote(space_path)} --from {shlex.quote(str(out / RESULTS))} --rank 1"
            f"{proxy} --out {shlex.quote(str(out / 'winner'))}"]
