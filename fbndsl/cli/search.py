"""The body of `fbndsl search`: compile, train (or load) a BN-only supernet, search, print, plot.

Everything that can be refused is refused before training starts: the flags, the budget against the space's
exact cost range, the strategy against the space, and a `--resume` against the results it would continue.
The budget is always checked at the space's declared input resolution: a `--set` that changes the input
resolution (e.g. `--set resolution=16`) is a proxy for training and measuring, and the output says so.
"""
from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import UserError
from ..indicators.kinds import Indicator, parse_indicator
from ..search.budget import Budget
from ..search.driver import Plan, SearchResult, execute, make_plan, measurer, resolution
from ..search.results import NAME as RESULTS
from ..search.strategies import strategy_kind
from ..search.table import render

DEFAULT_TRAIN_EPOCHS = 3    # BN-only on the built-in digits; see docs/search.md for the main job's timing
SUPERNET_DIR = "supernet"   # under --out: the run directory of the supernet trained for the search
DEVICES = ("auto", "cpu", "cuda")
# One torch thread by default: a search runs many small batches, where a second thread gains little on an idle
# machine, and on a machine shared with other work (CI, a test suite) OpenMP threads that wait for each other made
# the same search 5 to 20 times slower in our measurements (docs/search.md, "Time"); --threads raises it.
DEFAULT_THREADS = 1


@dataclass(frozen=True)
class Options:
    """The flags of `fbndsl search`, as given."""

    space: str
    out: str
    supernet: str | None = None
    train_epochs: int | None = None
    train_steps: int | None = None
    flops: str | None = None
    params: str | None = None
    indicator: str = "cpi"
    strategy: str = "evolution"
    evals: int | None = None
    top: int = 5
    data: str = "digits"
    sets: tuple[tuple[str, str], ...] = ()
    seed: int = 0
    device: str = "auto"
    resume: bool = False
    quiet: bool = False
    recal_batches: int | None = None
    eval_images: int | None = None
    mc_samples: int | None = None
    threads: int = DEFAULT_THREADS


@dataclass(frozen=True)
class Spaces:
    """The space the supernet runs (`run`, with every --set) and the one the budget is counted on (`declared`,
    without the --set values that change the input resolution: `proxies`)."""

    run: object
    declared: object
    proxies: dict[str, str]  # name -> value of each --set that only changes the input resolution


def run(opts: Options) -> None:
    if opts.device not in DEVICES:
        raise UserError(f"--device {opts.device}: expected one of {', '.join(DEVICES)}")
    indicator = parse_indicator(opts.indicator)
    budget = Budget.parse(opts.flops, opts.params)
    _check_supernet_flags(opts, indicator)
    spaces = compile_spaces(opts.space, dict(opts.sets))
    plan = make_plan(spaces.declared, indicator, strategy_kind(opts.strategy), budget, opts.evals, opts.top,
                     opts.seed, out_dir=opts.out, resume=opts.resume, supernet_dir=_supernet_dir(opts, indicator),
                     sets={k: v for k, v in opts.sets if k not in spaces.proxies}, settings=_settings(opts, spaces),
                     plot_note=proxy_note(spaces), on_entry=None if opts.quiet else _progress)
    _check_out(opts, plan)
    space, supernet, data = supernet_for(opts, indicator, spaces)
    evaluate = measurer(space, supernet, data, indicator, seed=opts.seed, device=_device(opts.device),
                        options=_context_options(opts))
    result = execute(plan, evaluate)
    print(report(opts, plan, result, spaces))


def _check_supernet_flags(opts: Options, indicator: Indicator) -> None:
    for flag, value in (("--train-epochs", opts.train_epochs), ("--train-steps", opts.train_steps),
                        ("--threads", opts.threads),
                        *((f"--{k.replace('_', '-')}", v) for k, v in _context_options(opts).items())):
        if value is not None and value < 1:
            raise UserError(f"{flag} {value}: must be at least 1")
    if opts.supernet is not None and (opts.train_epochs is not None or opts.train_steps is not None):
        raise UserError("give either --supernet RUN_DIR (a trained supernet) or --train-epochs N, not both")
    if not indicator.needs_trained_supernet and (opts.supernet or opts.train_epochs or opts.train_steps):
        raise UserError(f"--indicator {indicator.value} is measured without a trained supernet; drop "
                        f"--supernet/--train-epochs/--train-steps")


def compile_spaces(path: str, overrides: Mapping[str, str]) -> Spaces:
    """Compile the space, and find the --set values that change its input resolution (proxies)."""
    from ..pipeline import compile as compile_space

    space = compile_space(path, **overrides)
    proxies = {k: v for k, v in overrides.items() if _changes_resolution(path, overrides, k, resolution(space))}
    if not proxies:
        return Spaces(space, space, {})
    declared = compile_space(path, **{k: v for k, v in overrides.items() if k not in proxies})
    if [(c.label, c.values) for c in declared.choices] != [(c.label, c.values) for c in space.choices]:
        raise UserError(f"--set {_sets(proxies)}: changes the choices of '{space.name}', not just its input "
                        f"resolution; the budget needs the same architectures at the declared resolution")
    return Spaces(space, declared, proxies)


def _changes_resolution(path: str, overrides: Mapping[str, str], name: str, res) -> bool:
    from ..pipeline import compile as compile_space

    try:
        without = compile_space(path, **{k: v for k, v in overrides.items() if k != name})
    except UserError:  # the space needs this value to compile at all: not a mere proxy
        return False
    return resolution(without) != res


def proxy_note(spaces: Spaces) -> str:
    if not spaces.proxies:
        return ""
    return (f"the supernet ran at the proxy input resolution {_res(resolution(spaces.run))} "
            f"(--set {_sets(spaces.proxies)}); MACs and the budget are at the declared "
            f"{_res(resolution(spaces.declared))}")


def _sets(sets: Mapping[str, str]) -> str:
    return " --set ".join(f"{k}={v}" for k, v in sets.items())


def _res(r) -> str:
    return f"{r}x{r}" if isinstance(r, int) else "/".join(map(str, r))


def _supernet_dir(opts: Options, indicator: Indicator) -> str | None:
    if not indicator.needs_trained_supernet:
        return None
    return opts.supernet if opts.supernet is not None else str(Path(opts.out) / SUPERNET_DIR)


def _settings(opts: Options, spaces: Spaces) -> dict:
    """What else a resumed search must repeat (the names are the flags')."""
    return {"data": opts.data, "train_epochs": opts.train_epochs, "train_steps": opts.train_steps,
            "proxy": dict(spaces.proxies), **_context_options(opts)}


def _context_options(opts: Options) -> dict:
    given = {"recal_batches": opts.recal_batches, "eval_images": opts.eval_images, "mc_samples": opts.mc_samples}
    return {k: v for k, v in given.items() if v is not None}


def _check_out(opts: Options, plan: Plan) -> None:
    out = Path(opts.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, not a directory; choose another --out")
    results, checkpoint = out / RESULTS, out / SUPERNET_DIR / "checkpoint.pt"
    if opts.resume and not results.is_file() and not checkpoint.is_file():
        raise UserError(f"--resume: {out} holds no search to resume; drop --resume to start one there")
    if not opts.resume and (results.exists() or checkpoint.exists()):
        raise UserError(f"--out {out} already holds a search; pass --resume to continue it, or choose another --out")
    if opts.resume and results.is_file():  # the settings are checked now, before any training or loading
        from ..search import results as results_file

        results_file.check_resume(results, results_file.read(results), plan.header)


def supernet_for(opts: Options, indicator: Indicator, spaces: Spaces):
    """(space, supernet or None, data): trained now, resumed, or loaded from --supernet."""
    import torch

    from ..data import load
    from ..data.split import validation_split

    torch.set_num_threads(opts.threads)
    # measured on a validation split of the training images, never on the data's test split (data/split.py)
    split = validation_split(load(opts.data, augment=True, seed=opts.seed))
    data = split.held_out
    if not indicator.needs_trained_supernet:
        return spaces.run, None, data
    if opts.supernet is not None:
        return (*load_supernet(opts.supernet, spaces.run, opts.device), data)
    if opts.resume and (Path(opts.out) / RESULTS).is_file():  # results.json is first written after training ended
        return (*load_supernet(str(Path(opts.out) / SUPERNET_DIR), spaces.run, opts.device), data)
    return spaces.run, train_supernet(opts, spaces.run, split.train), data


def load_supernet(run_dir: str, space, device: str):
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


def train_supernet(opts: Options, space, data):
    """BN-only training (FBN-NAS) into --out/supernet; continued from its checkpoint when one is there."""
    from ..train import TrainConfig, train

    config = TrainConfig(mode="bn-only", epochs=opts.train_epochs or DEFAULT_TRAIN_EPOCHS, steps=opts.train_steps,
                         data=opts.data, sets=opts.sets, seed=opts.seed, device=opts.device, quiet=opts.quiet,
                         eval_archs=1)
    run_dir = Path(opts.out) / SUPERNET_DIR
    result = train(space, config, data, run_dir, resume=(run_dir / "checkpoint.pt").is_file())
    if not opts.quiet:
        print(result.summary().splitlines()[0], file=sys.stderr)
    return result.supernet


def _device(name: str) -> str:
    from ..lower.runtime import pick_device

    return str(pick_device(name))


def _progress(entry, done: int, total: int) -> None:
    values = "  ".join(f"{i.value} {v:.4g}" for i, v in entry.values.items())
    print(f"  [{done}/{total}] {entry.macs / 1e6:.3f}M MACs  {values}", file=sys.stderr, flush=True)


def report(opts: Options, plan: Plan, result: SearchResult, spaces: Spaces) -> str:
    lines = [f"searched '{result.space.name}' ({result.strategy.value}, by {result.indicator.value}): "
             f"{len(result.evaluated)} architectures evaluated ({result.measured} measured now) in "
             f"{result.seconds:.1f} s" + ("; stopped early: the last 1,000 proposals had all been evaluated "
                                         "already" if result.exhausted else ""),
             f"budget: {plan.budget.describe()} at the space's declared input resolution "
             f"{_res(resolution(spaces.declared))}"]
    if spaces.proxies:
        lines.append(f"note: {proxy_note(spaces)}")
    if result.indicator is Indicator.CPI:
        lines.append("CPI is a mean rank (1 = best), here among the top-k below; each indicator's rank in brackets")
    lines += ["", render(result.space, result.top).rstrip(), "",
              f"results: {Path(opts.out) / RESULTS}   plot: {Path(opts.out) / 'search.png'}",
              *export_hint(opts, spaces, trained=plan.header.supernet is not None)]
    return "\n".join(lines)


def export_hint(opts: Options, spaces: Spaces, trained: bool) -> list[str]:
    """The `fbndsl export` command for the winner. With a supernet trained at a proxy resolution, the export is at
    that resolution (export checks that the space is the one the weights were trained on)."""
    out = Path(opts.out)
    proxy = "".join(f" --set {shlex.quote(f'{k}={v}')}" for k, v in spaces.proxies.items()) if trained else ""
    why = " (at the proxy resolution its supernet weights were trained at)" if proxy else ""
    return [f"export the winner{why}:",
            f"  fbndsl export --space {shlex.quote(opts.space)} --from {shlex.quote(str(out / RESULTS))} --rank 1"
            f"{proxy} --out {shlex.quote(str(out / 'winner'))}"]

