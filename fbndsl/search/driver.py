"""`search`: run a strategy over a space under a budget, ranking by an indicator; results.json and the plot.

    >>> import fbndsl
    >>> from fbndsl.search import Budget, search
    >>> space = fbndsl.compile("nb201", C=8, N=1)
    >>> result = search(space, indicator="naswot", budget=Budget.parse(flops="20M"), evals=20)  # doctest: +SKIP
    >>> result.top[0].entry.arch                                                                 # doctest: +SKIP

The order of work: check the budget against the space's exact cost range and the strategy against the space
(one-line errors, before anything is built), then let the strategy propose; the `SearchLoop` admits only
architectures within the budget by the analytic cost model, measures each once, and the pool is written to
`out_dir/results.json` as it grows. At the end the top-k are the pool's best, ranked over the whole pool; with
`refine_top` K, the K best are each refined and listed first (`refinement`): trained BN-only alone and ordered by
that accuracy (`refine`), or ordered with their gradient explosion at initialisation; then it is drawn.
"""
from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import UserError
from ..fit import input_resolution
from ..indicators.ensemble import Ensemble, parse_indicator, ranks_alike
from ..indicators.kinds import Indicator
from ..ir.choices import Arch
from ..train.distributed import Launch
from . import results
from .budget import Budget
from .feasible import admits, sample_feasible
from .loop import Evaluator, SearchLoop
from .objective import Ranked, best_k, goodness, top_k
from .refinement import Refinement, refinement
from .strategies import Strategy, StrategyKind, make
from .strategies.base import Entry
from .workers import Stopped, Task, WorkerLost, Workers

DEFAULT_EVALS = 30  # sized for the main job: a NAS-Bench-201 search within 5 minutes on 2 CPU cores, training included
DEFAULT_TOP = 5
# The ranking a search uses unless told: the candidate that the calibration set of the full `fbndsl bench nb201`
# (200 networks) chose by the rule of docs/nb201.md, "Protocol", version 15 (calibration Kendall tau 0.818): CPI
# (its linear-region reading) beside the zero-cost proxies MeCo, jacob_cov, synflow, isotropy and progressivity, the
# parameter count and `min_mixing` (the fewest weighted or pooling layers from input to output: the one member that
# reads a shortcut), one product of ranks (AZ-NAS' aggregation). On that protocol's disjoint 1,000 evaluation
# networks: 0.802, where version 5's default, without `min_mixing`, scored 0.758 (docs/nb201.md).
DEFAULT_INDICATOR = "product(cpi+meco+jacob_cov+params+synflow+isotropy+progressivity+min_mixing)"
# The ranking of what a search by the default indicator returns (`pick_for`): the evolution explores by the default,
# whose order over all pairs of networks is the best measured, and returns the first of everything it evaluated by
# this product of three of its members and `min_depth`, the fewest weighted layers from input to output (a prior:
# residual paths train well), whose first was the best of 254 such products on twelve calibration searches' pools
# (docs/nb201.md, "Protocol", version 12: 94.33% there, against version 11's `product(jacob_cov+synflow)`, 93.86%).
# On eighteen fresh searches (two draws of the supernet): 94.18% against 93.48% for the default's own first; with the
# zero-cost proxies read on the network as written (version 14), 94.15% on nine more (93.62%). A prior
# chosen with NAS-Bench-201's truth in view (its best cells are residual), unmeasured on other spaces. Free: the
# three are measured already, and min_depth reads the architecture alone.
DEFAULT_PICK = "product(cpi+params+synflow+min_depth)"
DEFAULT_REFINE_STEPS = 300  # BN-only steps per refined architecture; docs/search.md, "Refinement", for its cost
# Proposals per process in a round of random sampling, a grid or an enumeration under torchrun: enough that the
# processes, each taking the next architecture when free (`workers`), stay busy to a round's end; few enough that
# an interrupted search loses little (results.json is written after a round). One process measures one at a time.
ROUND_PER_WORKER = 8

Refiner = Callable[[Arch], float]  # arch -> its refined value (`refiner`, `explosion_refiner`)


@dataclass(frozen=True)
class SearchResult:
    space: Any                        # the space searched (its cost model: the declared resolution)
    indicator: Indicator | Ensemble
    pick: Indicator | Ensemble        # the ranking of `top` (`pick_for`; the indicator unless --pick or the default)
    strategy: StrategyKind
    budget: Budget
    evaluated: tuple[Entry, ...]      # in the order of evaluation
    top: tuple[Ranked, ...]           # best first, ranked over the whole evaluated pool
    measured: int                     # evaluated by this call; the rest came from results.json (--resume)
    seconds: float                    # search time in all (a resumed search adds the earlier run's)
    exhausted: bool                   # the strategy ran out of new architectures before the evaluation budget
    out_dir: Path | None = None
    refined: Mapping[Arch, float] = field(default_factory=dict)  # refine_top's: arch -> accuracy trained alone

    @property
    def best(self) -> Ranked:
        """The first of the final ranking: the best refined architecture when there are refined ones."""
        return self.top[0]


@dataclass(frozen=True)
class Plan:
    """What a search does, settled before it starts."""

    space: Any
    indicator: Indicator | Ensemble
    pick: Indicator | Ensemble  # the ranking of the returned top-k (`pick_for`)
    strategy: Strategy
    budget: Budget
    evals: int
    top: int
    seed: int
    header: results.Header
    out_dir: Path | None = None
    resume: bool = False
    plot_note: str = ""
    on_entry: Callable[[Entry, int, int], None] = field(default=lambda entry, done, total: None)
    refine_top: int = 0                         # the K best of the pool refined at the end (0: none)
    refine_steps: int = DEFAULT_REFINE_STEPS    # BN-only steps each
    on_refined: Callable[[Entry, float, int, int], None] = field(default=lambda entry, accuracy, done, total: None)
    batch: int = 1       # `Search.batch`: children per generation (evolution, coarse-to-fine's fine stage)
    round_size: int = 1  # `Search.round_size`: proposals per round of random sampling, a grid, an enumeration
    refine_by: Refinement = Refinement.ACCURACY  # what refining reads, and how it re-ranks the K


def search(space, *, supernet=None, data: Any = "digits", indicator: Indicator | Ensemble | str = DEFAULT_INDICATOR,
           strategy: StrategyKind | str | Strategy = StrategyKind.EVOLUTION, budget: Budget | None = None,
           evals: int | None = None, top: int = DEFAULT_TOP, seed: int = 0, out_dir=None, resume: bool = False,
           device: str = "cpu", cost_space=None, context=None, evaluate: Evaluator | None = None,
           context_options: Mapping[str, int] | None = None, supernet_dir: str | None = None,
           settings: Mapping[str, Any] | None = None, on_entry=None, refine_top: int = 0,
           refine_steps: int | None = None, refine_by: Refinement | str = Refinement.ACCURACY,
           refine_sets: Mapping[str, str] | None = None, workers: Workers | None = None,
           pick: Indicator | Ensemble | str | None = None) -> SearchResult:
    """Search `space` for the best architectures by `indicator` within `budget`: an `Indicator`, a rank `Ensemble`
    of them, or the text of either ("naswot", "2*cpi+synflow").

    `supernet` is the BN-only trained supernet (needed by CPI, its components and gamma; None for the indicators
    at initialisation and cost); `data` a loaded `fbndsl.data.Data` or a `--data` spec. `cost_space` is the space
    whose cost model the budget and the reported MACs use (default `space`; `fbndsl search` passes the space at
    its declared resolution when the supernet runs at a proxy one). `evaluate` replaces the indicator
    measurement by your own function arch -> {indicator: value} (`context`, `supernet` and `data` are then
    unused). `out_dir` receives results.json and search.png; `resume=True` continues the search recorded there.
    `refine_top` K > 0 trains each of the K best alone, BN-only, for `refine_steps` steps on `data`'s training
    split and ranks them first by their accuracy on its test split (`refine.refined_accuracy`); with `refine_by`
    "explosion", it reads their gradient explosion at initialisation on the space recompiled with `refine_sets`
    (e.g. {"N": "5"}: the depth a network searched at a proxy depth will be trained at) and lists them by the
    product of their two ranks among the K (`refinement`). `pick` orders the returned top-k (`pick_for`: by
    default the indicator, or `DEFAULT_PICK` for the default indicator). `workers`, on rank 0 of a torchrun launch,
    measure and refine on every process (the others `serve` them meanwhile).
    """
    indicator = parse_indicator(indicator)
    plan = make_plan(cost_space or space, indicator, strategy, budget or Budget(), evals, top, seed, pick=pick,
                     out_dir=out_dir, resume=resume, supernet_dir=supernet_dir, settings=settings, on_entry=on_entry,
                     refine_top=refine_top, refine_steps=refine_steps, refine_by=refine_by, refine_sets=refine_sets,
                     workers=workers.launch.world if workers is not None else 1)
    if isinstance(data, str) and refine_top:  # refinement reads it (`measurer` loads a spec it needs itself)
        from ..data import load

        data = load(data, augment=True, seed=seed)
    if evaluate is None:
        evaluate = measurer(space, supernet, data, indicator, seed=seed, device=device, context=context,
                            options=context_options, pick=plan.pick)
    refine = refiner_for(refine_by, space, data, steps=refine_steps, sets=refine_sets, seed=seed, device=device,
                         options=context_options) if refine_top and workers is None else None  # workers have theirs
    return execute(plan, evaluate, refine, workers)


def make_plan(space, indicator: Indicator | Ensemble, strategy, budget: Budget, evals: int | None, top: int,
              seed: int, *, out_dir=None, resume: bool = False, supernet_dir: str | None = None,
              sets: Mapping[str, str] | None = None, settings: Mapping[str, Any] | None = None, plot_note: str = "",
              on_entry=None, refine_top: int = 0, refine_steps: int | None = None,
              refine_by: Refinement | str = Refinement.ACCURACY, refine_sets: Mapping[str, str] | None = None,
              on_refined=None, batch: int = 1, workers: int = 1,
              pick: Indicator | Ensemble | str | None = None) -> Plan:
    """Check everything that can be checked before a forward pass, and settle the defaults. `workers` is the
    number of processes that measure (torchrun's); `batch` the children per generation of a strategy whose
    proposals read earlier scores, recorded (when not 1) so that a resume, with any number of processes,
    repeats the same search."""
    indicator = parse_indicator(indicator)
    pick = pick_for(indicator, pick)
    strategy = make(strategy)
    _positive("--top", top)
    if evals is not None:
        _positive("--evals", evals)
    _count("--refine-top", refine_top, 0)
    refine_by = refinement(refine_by)
    refining = _refining(refine_top, refine_steps, refine_by, refine_sets)
    refine_steps = refine_steps or DEFAULT_REFINE_STEPS
    _positive("--batch", batch)
    batched = strategy.batched and batch > 1  # a batch of 1 is today's search: results.json as it always was
    strategy.check(space, evals)
    budget.check_feasible(space)
    if strategy.kind is not StrategyKind.EXHAUSTIVE:  # a budget too tight to draw from fails here, before training
        sample_feasible(space, budget, functools.partial(admits, space, budget), random.Random(seed))
    if evals is None:
        evals = space.size if strategy.kind is StrategyKind.EXHAUSTIVE else DEFAULT_EVALS
    header = results.Header(space=space_record(space, sets), seed=seed, indicator=indicator,
                            strategy=strategy.kind.value,
                            budget=budget.to_json() | {"at_resolution": input_resolution(space)},
                            supernet=supernet_dir, settings={"evals": evals, **(settings or {}),
                                                             **_picking(indicator, pick), **refining,
                                                             **({"batch": batch} if batched else {})})
    return Plan(space, indicator, pick, strategy, budget, evals, top, seed, header,
                None if out_dir is None else Path(out_dir), resume, plot_note,
                on_entry or (lambda entry, done, total: None), refine_top, refine_steps,
                on_refined or (lambda entry, accuracy, done, total: None), batch if batched else 1,
                ROUND_PER_WORKER * workers if workers > 1 else 1, refine_by)


def pick_for(indicator: Indicator | Ensemble | str, pick: Indicator | Ensemble | str | None = None
             ) -> Indicator | Ensemble:
    """The ranking of a search's returned top-k: `pick` when given, which must read only what `indicator` measures
    and structural indicators (`Indicator.structural`: read from the architecture alone), so that a pick costs no
    measurement of note; else `DEFAULT_PICK` for the default indicator, the indicator itself for any other (the
    default pick was chosen on the default's searches; its members written in another order are the default
    still)."""
    indicator = parse_indicator(indicator)
    if pick is None:
        default = ranks_alike(indicator, parse_indicator(DEFAULT_INDICATOR))
        return parse_indicator(DEFAULT_PICK) if default else indicator
    pick = parse_indicator(pick)
    unmeasured = [c.value for c in pick.components if c not in indicator.components and not c.structural]
    if unmeasured:
        structural = ", ".join(i.value for i in Indicator if i.structural)
        raise UserError(f"--pick {pick.value}: reads {', '.join(unmeasured)}, which --indicator {indicator.value} "
                        f"does not measure; a pick ranks what the search measured (use its members: "
                        f"{', '.join(c.value for c in indicator.components)}; or {structural}, which read the "
                        f"architecture alone)")
    return pick


def _picking(indicator: Indicator | Ensemble, pick: Indicator | Ensemble) -> dict:
    """results.json's record of the pick: none when it is the indicator (as before `--pick` existed)."""
    return {} if pick == indicator else {"pick": pick.value}


def _refining(top: int, steps: int | None, by: Refinement, sets: Mapping[str, str] | None) -> dict:
    """results.json's record of the refinement (none when off; as before `--refine-by` existed for accuracy),
    after checking that each flag applies to it."""
    if steps is not None:
        _positive("--refine-steps", steps)
    if not top:
        for flag, given in (("--refine-steps", steps is not None), ("--refine-by", by is not Refinement.ACCURACY),
                            ("--refine-set", bool(sets))):
            if given:
                raise UserError(f"{flag}: applies to refinement; give --refine-top K too")
        return {}
    if by is Refinement.ACCURACY:
        if sets:
            raise UserError("--refine-set: applies to --refine-by explosion (accuracy trains the space searched)")
        return {"refine_top": top, "refine_steps": steps or DEFAULT_REFINE_STEPS}
    if steps is not None:
        raise UserError("--refine-steps: applies to --refine-by accuracy (explosion trains nothing)")
    return {"refine_top": top, "refine_by": by.value, **({"refine_sets": dict(sets)} if sets else {})}


def _positive(flag: str, value) -> None:
    _count(flag, value, 1)


def _count(flag: str, value, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise UserError(f"{flag} {value!r}: expected a {'positive' if least else 'non-negative'} integer")


def space_record(space, sets: Mapping[str, str] | None) -> dict:
    """results.json's "space": the file, name and sha256, and the `--set` values that recompile it (every `param`
    as resolved, when not given: the same space either way)."""
    from ..ir.choices import format_value

    if sets is None:
        sets = {k: format_value(v) for k, v in space.ir.params.items()}
    return {"file": str(space.file), "name": space.name, "sha256": space.source_sha256, "sets": dict(sets)}


def measurer(space, supernet, data, indicator: Indicator | Ensemble, *, seed: int, device: str, context=None,
             options: Mapping[str, int] | None = None, pick: Indicator | Ensemble | str | None = None) -> Evaluator:
    """arch -> the measured components of the indicator and of its pick (`pick_for`: a pick may add structural
    indicators), on a context built once (its batches fixed by `seed`)."""
    from ..indicators.context import IndicatorContext
    from ..indicators.measure import measure

    if indicator.needs_trained_supernet and supernet is None and context is None:
        raise UserError(f"--indicator {indicator.value} needs a trained supernet: pass --supernet RUN_DIR or "
                        f"--train-epochs N (naswot, synflow, params and macs need none)")
    if context is None:
        if isinstance(data, str):
            from ..data import load

            data = load(data, augment=True, seed=seed)
        context = IndicatorContext.build(space, supernet, data, device=device, seed=seed, **dict(options or {}))
    wanted = [indicator, pick_for(indicator, pick)]
    return lambda arch: measure(context, arch, wanted)


def refiner(space, data, *, steps: int, seed: int, device: str) -> Refiner:
    """arch -> its accuracy on `data`'s test split after `steps` BN-only steps alone on its training split
    (`refine.refined_accuracy`, looked up at each call)."""
    from ..indicators.context import held_out
    from ..lower.runtime import check_data_fits
    from . import refine

    check_data_fits(space, data)
    images = held_out(data, len(data.test))
    return lambda arch: refine.refined_accuracy(space, arch, data, images, steps=steps, seed=seed, device=device)


def refiner_for(by: Refinement | str, space, data, *, steps: int | None, sets: Mapping[str, str] | None, seed: int,
                device: str, options: Mapping[str, int] | None = None) -> Refiner:
    """What `--refine-by` reads: `refiner` for accuracy, `explosion_refiner` on `space` recompiled with `sets`."""
    if refinement(by) is Refinement.ACCURACY:
        return refiner(space, data, steps=steps or DEFAULT_REFINE_STEPS, seed=seed, device=device)
    return explosion_refiner(recompiled(space, sets or {}), data, seed=seed, device=device, options=options)


def recompiled(space, sets: Mapping[str, str]):
    """`space` compiled again with `sets` added to its parameters, which must leave its choices as they are."""
    from ..fit import same_choices
    from ..ir.choices import format_value
    from ..pipeline import compile as compile_space

    if not sets:
        return space
    shown = " ".join(f"--refine-set {k}={v}" for k, v in sets.items())
    try:
        other = compile_space(str(space.file), fairness=space.fairness.mode,
                              **{**{k: format_value(v) for k, v in space.ir.params.items()}, **sets})
    except UserError as exc:  # name the flag that gave the value
        text = str(exc)
        raise UserError(f"--refine-{text[2:]}" if text.startswith("--set ") else f"{shown}: {text}") from None
    if not same_choices(other, space):
        raise UserError(f"{shown}: changes the choices of '{space.name}'; explosion must read the networks searched")
    return other


def explosion_refiner(space, data, *, seed: int, device: str, options: Mapping[str, int] | None = None) -> Refiner:
    """arch -> its gradient explosion at initialisation (`indicators.explosion`) built on `space`, on a context of
    its own (NASWOT's batch from `data`, `seed`), made at the first call."""
    from ..indicators.context import IndicatorContext
    from ..indicators.explosion import explosion_of

    made = {}

    def refine(arch: Arch) -> float:
        if not made:
            made["ctx"] = IndicatorContext.build(space, None, data, device=device, seed=seed, **dict(options or {}))
        return explosion_of(made["ctx"], space.parse_arch(arch.text()))

    return refine


def execute(plan: Plan, evaluate: Evaluator, refine: Refiner | None = None,
            workers: Workers | None = None) -> SearchResult:
    """Run the plan's strategy to the end, writing results.json as the pool grows (when there is an out_dir);
    then refine the plan's `refine_top` best with `refine` (needed when it is not 0). Under torchrun, rank 0
    calls this with the launch's `workers` (which measure and refine with their own `evaluate` and `refine`)
    while the other ranks `serve`."""
    workers = workers or Workers(Launch(), {Task.MEASURE: evaluate, Task.REFINE: refine})
    assert workers.tasks.get(Task.REFINE) is not None or not plan.refine_top, "refine_top needs a refiner"
    try:
        return _execute(plan, workers)
    finally:
        workers.stop()


def _execute(plan: Plan, workers: Workers) -> SearchResult:
    recorded, earlier, refined = _recorded(plan)
    writer = _Writer(plan, earlier, refined)
    loop = SearchLoop(plan.space, plan.budget, None, goodness(plan.indicator), evals=plan.evals, seed=plan.seed,
                      recorded=recorded, on_entry=lambda entry: plan.on_entry(entry, len(loop.pool), plan.evals),
                      measure_round=lambda archs: workers.map(Task.MEASURE, archs), batch=plan.batch,
                      round_size=plan.round_size, on_round=lambda: writer.maybe_write(loop.pool))
    # Ctrl-C, an error, a lost worker: keep every evaluation made, for --resume
    with _keeping(plan, writer, loop, workers.launch.several):
        plan.strategy.run(loop)
    if not loop.pool:
        raise UserError(f"no architecture of '{plan.space.name}' is within the budget ({plan.budget.describe()})")
    top, refined = top_k(loop.pool, plan.indicator, max(plan.top, plan.refine_top), plan.pick), {}
    if plan.refine_top:
        with _keeping(plan, writer, loop, workers.launch.several):  # and every refinement made
            refined = _refine(plan, writer, loop.pool, workers)
        top = plan.refine_by.first(top, refined)
    writer.write(loop.pool, top, done=True)
    result = SearchResult(plan.space, plan.indicator, plan.pick, plan.strategy.kind, plan.budget, tuple(loop.pool),
                          tuple(top), loop.measured, writer.seconds(), loop.exhausted, plan.out_dir, refined)
    if plan.out_dir is not None:
        draw(plan, result)
    return result


@contextmanager
def _keeping(plan: Plan, writer: _Writer, loop: SearchLoop, several: bool):
    """results.json as the pool stands when the body fails; a lost worker's error says what it keeps."""
    try:
        yield
    except (WorkerLost, Stopped) as exc:
        writer.write(loop.pool, (), done=False)
        kept = f"{plan.out_dir / results.NAME} keeps" if plan.out_dir is not None else "this search kept"
        why = exc if isinstance(exc, WorkerLost) else "stopped by SIGTERM" + (
            " (torchrun sends it to every process when one of them fails: see their output)" if several else "")
        raise WorkerLost(f"{why}; {kept} the {len(loop.pool)} evaluations of the rounds before it: rerun with "
                         f"--resume (with any number of processes) to continue") from None
    except BaseException:
        writer.write(loop.pool, (), done=False)
        raise


def _refine(plan: Plan, writer: _Writer, pool, workers: Workers) -> dict[Arch, float]:
    """arch -> refined accuracy of the plan's `refine_top` best of the pool, in the pool's order; a value
    recorded by the run being resumed is taken as it is. One architecture per process at a time, results.json
    written after each such round."""
    best = best_k(pool, plan.indicator, plan.refine_top, plan.pick)
    per_round = workers.launch.world
    for start in range(0, len(best), per_round):
        chunk = best[start:start + per_round]
        missing = [e.arch for e in chunk if e.arch not in writer.refined]
        if missing:
            writer.refined.update(zip(missing, workers.map(Task.REFINE, missing)))
            writer.write(pool, (), done=False)
        for done, entry in enumerate(chunk, start + 1):
            plan.on_refined(entry, writer.refined[entry.arch], done, len(best))
    return {e.arch: writer.refined[e.arch] for e in best}


def _recorded(plan: Plan) -> tuple[dict, float, dict]:
    """The evaluations, search seconds and refined accuracies of the run being resumed, after checking it is
    the same search."""
    if plan.out_dir is None:
        assert not plan.resume, "resume needs an out_dir"
        return {}, 0.0, {}
    path = plan.out_dir / results.NAME
    if not plan.resume:
        if path.exists():
            raise UserError(f"--out {plan.out_dir} already holds a search ({results.NAME}); pass --resume to "
                            f"continue it, or choose another --out")
        return {}, 0.0, {}
    if not path.exists():  # interrupted before its first evaluation (e.g. while training): nothing to replay
        return {}, 0.0, {}
    record = results.read(path)
    results.check_resume(path, record, plan.header)
    return (results.recorded_entries(plan.space, record, path), float(record.get("seconds") or 0.0),
            results.recorded_refined(plan.space, record, path))


class _Writer:
    """results.json after every evaluation, unless evaluating is much faster than writing the whole file (cheap
    indicators over thousands of architectures): then no more often than keeps writing under a third of the time."""

    def __init__(self, plan: Plan, earlier_seconds: float, refined: Mapping[Arch, float] | None = None):
        self.plan, self.earlier = plan, earlier_seconds
        self.refined = dict(refined or {})  # arch -> refined accuracy, recorded ones included: every write keeps them
        self.start = time.perf_counter()
        self.last_end, self.last_cost = self.start, 0.0
        if plan.out_dir is not None:
            plan.out_dir.mkdir(parents=True, exist_ok=True)

    def seconds(self) -> float:
        return self.earlier + time.perf_counter() - self.start

    def maybe_write(self, pool) -> None:
        if time.perf_counter() - self.last_end >= 2 * self.last_cost:
            self.write(pool, (), done=False)

    def write(self, pool, top, done: bool) -> None:
        if self.plan.out_dir is None:
            return
        begin = time.perf_counter()
        results.write(self.plan.out_dir / results.NAME, self.plan.header, pool, top, done, self.seconds(),
                      self.refined)
        self.last_end = time.perf_counter()
        self.last_cost = self.last_end - begin


def draw(plan: Plan, result: SearchResult) -> None:
    from . import plot

    picked = f", returned by {plan.pick.value}" if plan.pick != plan.indicator else ""
    title = (f"{plan.space.name}: {result.strategy.value}, {plan.indicator.value}{picked}, "
             f"{len(result.evaluated)} evaluated"
             + (f"\n{plan.plot_note}" if plan.plot_note else ""))
    # the y axis is the pick's score, the order of the table and of the star on rank 1
    plot.draw(plan.out_dir / plot.NAME, result.evaluated, result.top, plan.pick, plan.budget, title)
