"""The search part of the evaluation: regularised evolution ranking by the protocol's indicator, a fixed budget of
evaluated architectures, several seeds, the pool's first by the search's pick (protocol versions 11 and 12:
`driver.pick_for`), or with `refine_top` the K best re-ranked with their gradient explosion at the benchmark's depth
(version 4: `protocol.REFINE_BY`); the ground-truth accuracy of the architecture each returns, that of the
ranking's own first (what the search returned in versions 7 to 10), and its cost.

Every search measures its architectures afresh on the same context as the pool (the same batches), and
shares nothing with the pool or the other seeds: the reported seconds are what one such search costs.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from ..progress import Counted
from ..search.driver import measurer, refiner_for, search  # imported with the benchmark, not half an hour into it
from ..search.objective import best_k
from ..search.workers import Task, Workers
from ..train.distributed import Launch
from .protocol import REFINE_BY, REFINE_SETS

STRATEGY = "evolution"


@dataclass(frozen=True)
class SearchRun:
    seed: int
    arch: object        # the returned architecture
    accuracy: float     # its ground-truth CIFAR-10 test accuracy (%)
    seconds: float      # the search's wall time
    evaluated: int      # architectures it measured
    ranked_first: float  # the truth of the ranking's own first (the same as `accuracy` without a pick or refinement)

    def to_json(self, space) -> dict:
        return {"seed": self.seed, "arch": self.arch.text(), "nb201": space.format_arch(self.arch, "nb201"),
                "cifar10_test_acc": self.accuracy, "seconds": self.seconds, "evaluated": self.evaluated,
                "ranked_first_acc": self.ranked_first}


def run_searches(space, ctx, truth, settings, indicator, data, echo: Callable[[str], None] = lambda line: None,
                 quiet: bool = False, launch: Launch | None = None) -> list[SearchRun]:
    """One evolution search by `indicator` (an Indicator or a mean of ranks) per seed settings.seed,
    settings.seed + 1, ... (settings.search_seeds of them), each with a progress bar unless `quiet`, its
    settings.refine_top best refined as the protocol says (`data`: the held-out split, NASWOT's batch). Under
    torchrun (`launch`) every rank calls it: rank 0 searches, the others measure its rounds and get []."""
    launch = launch or Launch()
    refining, refine = {}, None  # the search refuses a way of refining without a K (off from version 7)
    if settings.refine_top:
        refining = dict(refine_top=settings.refine_top, refine_by=REFINE_BY, refine_sets=REFINE_SETS)
        refine = refiner_for(REFINE_BY, space, data, steps=None, sets=REFINE_SETS, seed=settings.seed,
                             device=ctx.device, options=settings.measuring.options())
    runs = []
    for seed in range(settings.seed, settings.seed + settings.search_seeds):
        workers = Workers(launch, {Task.MEASURE: measurer(space, ctx.supernet, None, indicator, seed=seed,
                                                          device=ctx.device, context=ctx), Task.REFINE: refine},
                          weight=lambda arch: space.cost(arch).macs)
        if not launch.main:
            workers.serve()
            continue
        bar = Counted(f"search, seed {seed}", lambda entry: f"{entry.macs / 1e6:.3f}M MACs", unit="arch", quiet=quiet)
        result = search(space, supernet=ctx.supernet, data=data, indicator=indicator, strategy=STRATEGY,
                        evals=settings.evals, seed=seed, context=ctx, on_entry=bar, workers=workers, **refining)
        bar.close()  # a search that ran out of new architectures stops short of its total
        arch, first = result.best.entry.arch, best_k(result.evaluated, indicator, 1)[0].arch
        runs.append(SearchRun(seed, arch, truth.of(space, arch), result.seconds, result.measured,
                              truth.of(space, first)))
        before = f"; the ranking's first {runs[-1].ranked_first:.2f} %" \
            if result.refined or result.pick != result.indicator else ""
        echo(f"  seed {seed}: {space.format_arch(arch, 'nb201')}  {runs[-1].accuracy:.2f} %  "
             f"({result.measured} evaluated, {result.seconds:.0f} s{before})")
    return runs


def summary(runs: list[SearchRun]) -> dict[str, float]:
    """Mean and population standard deviation (as NAS papers report mean +- std over seeds) of the accuracy;
    the mean accuracy of the ranking's own firsts; mean seconds."""
    accs = [r.accuracy for r in runs]
    return {"mean": statistics.fmean(accs), "std": statistics.pstdev(accs),
            "ranked_first_mean": statistics.fmean(r.ranked_first for r in runs),
            "seconds_mean": statistics.fmean(r.seconds for r in runs)}
