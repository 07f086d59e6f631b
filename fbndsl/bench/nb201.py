"""The NAS-Bench-201 evaluation, `fbndsl bench nb201`: how well each indicator ranks
architectures against the benchmark's ground truth, the FBN-NAS paper's two claims, and what a CPI search finds.

The steps, in `run`'s order (docs/nb201.md):

1. draw the calibration and the evaluation set (`protocol`: distinct networks, disjoint, fixed seeds) and look
   up their ground truth (before anything trains, so a truth that misses one fails in a second, not after the
   training);
2. train (or reuse) the fair BN-only supernet; measure every indicator of each architecture of both sets; rank
   correlations with the truth on each set; the protocol's choices (CPI's expressivity reading, the search's
   indicator) from the calibration figures alone; claim (2) is gamma's correlation against CPI's;
3. train (or reuse) the supernet with fairness off; the gamma indicator of each evaluation architecture on it;
   claim (1): the operators of gamma's top 10 on each supernet (Table 1);
4. regularised evolution by the chosen indicator on the fair supernet, one search per seed; the truth of what
   each returns.

Under torchrun every process runs `run`: rank 0 trains the supernets alone and sends their weights to the others
(so every figure is the one a single process gets), every process measures the sets and the searches' rounds
(`search.workers`), and rank 0 alone judges and reports; the others return None. A search's evolution stays one
child per cycle (`Search.batch` 1): its figures are those of one process, only its random population is shared.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ..indicators import parse_indicator
from ..indicators.ensemble import Ensemble
from ..indicators.kinds import Indicator
from ..indicators.ranking import scores
from ..train.distributed import Launch, from_rank0
from .pool import Pool, measure_pool
from .protocol import CANDIDATES, CPI_READINGS, choose, draw_sets, judge, ranking_names
from .report import Report, Supernet
from .searches import run_searches
from .settings import Settings
from .stats import Correlation, correlation
from .supernets import SUPERNETS, Fairness, compile_space, title, trained_supernet
from .table1 import count_operators, top_archs
from .truth import Truth

Echo = Callable[[str], None]


def run(settings: Settings, truth: Truth, echo: Echo = print, quiet: bool = False,
        launch: Launch | None = None) -> Report | None:
    """The evaluation: each step's line to `echo`, and the progress bars of the long ones on stderr unless
    `quiet`. Under torchrun (`launch`), the report on rank 0 and None on the others."""
    launch = launch or Launch()
    start = time.perf_counter()
    space = compile_space(settings, Fairness.INSERT)
    sets = draw_sets(space, settings.calibration, settings.archs, settings.seed)
    cal_accuracy = tuple(truth.of(space, a) for a in sets.calibration)
    accuracy = tuple(truth.of(space, a) for a in sets.evaluation)
    data = load_data(settings)  # the supernets train on data.train; indicators measure on data.held_out

    fair, fair_net = supernet(space, settings, Fairness.INSERT, data.train, echo, quiet, launch)
    ctx = context(space, fair_net, data.held_out, settings)
    echo(f"measuring every indicator of {len(sets.calibration)} calibration and {len(sets.evaluation)} evaluation "
         f"architectures on the fair supernet")
    cal_pool = measure_pool(ctx, sets.calibration, what="calibration", quiet=quiet, launch=launch)
    pool = measure_pool(ctx, sets.evaluation, what="evaluation", quiet=quiet, launch=launch)
    rows = choices = None
    if launch.main:
        rows = {n: judge(n, cal_pool.records, cal_accuracy, pool.records, accuracy) for n in ranking_names()}
        choices = (choose("CPI's expressivity reading", CPI_READINGS, rows),
                   choose("the search's indicator", CANDIDATES, rows))

    off_space = compile_space(settings, Fairness.OFF)
    off, off_net = supernet(off_space, settings, Fairness.OFF, data.train, echo, quiet, launch)
    echo(f"measuring gamma of the {len(sets.evaluation)} evaluation architectures on the fairness-off supernet")
    off_gamma = measure_pool(gamma_context(off_space, off_net, data.held_out, settings), sets.evaluation,
                             [Indicator.GAMMA], what="gamma, fairness off", quiet=quiet, launch=launch)

    indicator = parse_indicator(launch.on_main(lambda: choices[1].chosen))  # every rank measures by it
    echo(f"searching: regularised evolution by {indicator.value}, {settings.evals} evaluations per seed")
    runs = run_searches(space, ctx, truth, settings, indicator, data.held_out, echo, quiet, launch)
    if not launch.main:
        return None
    table1 = {f: count_operators(space, top_archs(pool.archs, p.records, Indicator.GAMMA))
              for f, p in zip(SUPERNETS, (pool, off_gamma))}
    return Report(settings, truth.source, space, accuracy, (fair, off), pool,
                  {i: rows[i.value].evaluation for i in Indicator}, off_gamma,
                  correlate(off_gamma.records, accuracy, [Indicator.GAMMA])[Indicator.GAMMA], table1, tuple(runs),
                  time.perf_counter() - start, cal_pool, cal_accuracy, tuple(rows.values()), choices)


def load_data(settings: Settings):
    """The training images less a validation split, and that split: the CIFAR-10 test images, behind the
    benchmark's ground truth too, are never used (data/split.py)."""
    from ..data import load
    from ..data.split import validation_split

    return validation_split(load(settings.data, augment=True, seed=settings.seed))


def supernet(space, settings: Settings, fairness: Fairness, data, echo: Echo, quiet: bool = False,
             launch: Launch | None = None) -> tuple[Supernet | None, object]:
    """Train or reuse the supernet; (its line of the report, the trained `Supernet` module). Under torchrun,
    rank 0 trains it alone and every rank gets its weights (the report's line: rank 0's; None elsewhere)."""
    launch = launch or Launch()
    echo(f"training the BN-only supernet, {title(fairness)}")
    trained = {}

    def train_here() -> None:
        result = trained["result"] = trained_supernet(space, settings, fairness, data, quiet)
        child = result.evals[0]["acc"] if result.evals else float("nan")
        trained["line"] = Supernet(fairness, result.run_dir, result.steps, result.seconds, child)

    from ..lower import lower
    from ..lower.runtime import pick_device

    launch.on_main(train_here)
    built = trained["result"].supernet if launch.main else None
    net = from_rank0(launch, built, lambda: lower(space), pick_device(settings.device))
    return trained.get("line"), net


def context(space, supernet, data, settings: Settings):
    from ..indicators.context import IndicatorContext

    return IndicatorContext.build(space, supernet, data, device=settings.device, seed=settings.seed,
                                  **settings.measuring.options())


def zero_cost_context(settings: Settings):
    """(space, context without a supernet) to measure zero-cost proxies again as a report with `settings` measured
    them (`Settings.from_json` reads a report's). What the calibration studies of perf/ measure with."""
    space = compile_space(settings, Fairness.INSERT)
    return space, context(space, None, load_data(settings).held_out, settings)


def gamma_context(space, supernet, data, settings: Settings):
    """A context for gamma alone: gamma reads the BatchNorms' learnt scales, never their running statistics, so
    one recalibration batch, one held-out image and the two Monte-Carlo passes the context requires (unused)
    give the same values as the full context at a fraction of its cost."""
    from ..indicators.context import IndicatorContext

    m = settings.measuring
    return IndicatorContext.build(space, supernet, data, device=settings.device, seed=settings.seed, recal_batches=1,
                                  eval_images=1, mc_samples=2, batch_size=m.batch_size, naswot_batch=m.naswot_batch)


def correlate(records: Sequence[dict], accuracy: Sequence[float], indicators: Sequence[Indicator | Ensemble] = tuple(
        Indicator)) -> dict[Indicator | Ensemble, Correlation]:
    """Each indicator's (or rank ensemble's) rank correlation with the accuracies; CPI and ensembles from the
    records' pool."""
    return {i: correlation(scores(records, i), i.higher_is_better, accuracy) for i in indicators}


__all__ = ["run", "Report", "Settings", "Truth", "Pool"]
