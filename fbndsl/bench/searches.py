"""The search part of the evaluation: regularised evolution ranking by the protocol's indicator, a fixed budget of
evaluated architectures, several seeds; the ground-truth accuracy of the architecture each returns, and its cost.

Every search measures its architectures afresh on the same context as the pool (the same batches), and
shares nothing with the pool or the other seeds: the reported seconds are what one such search costs.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from ..progress import Counted
from ..search.driver import measurer, search  # imported with the benchmark, not half an hour into it
from ..search.workers import Task, Workers
from ..train.distributed import Launch

STRATEGY = "evolution"


@dataclass(frozen=True)
class SearchRun:
    seed: int
    arch: object        # the returned architecture
    accuracy: float     # its ground-truth CIFAR-10 test accuracy (%)
    seconds: float      # the search's wall time
    evaluated: int      # architectures it measured

    def to_json(self, space) -> dict:
        return {"seed": self.seed, "arch": self.arch.text(), "nb201": space.format_arch(self.arch, "nb201"),
                "cifar10_test_acc": self.accuracy, "seconds": self.seconds, "evaluated": self.evaluated}


def run_searches(space, ctx, truth, settings, indicator, echo: Callable[[str], None] = lambda line: None,
                 quiet: bool = False, launch: Launch | None = None) -> list[SearchRun]:
    """One evolution search by `indicator` (an Indicator or a mean of ranks) per seed settings.seed,
    settings.seed + 1, ... (settings.search_seeds of them), each with a progress bar unless `quiet`. Under
    torchrun (`launch`) every rank calls it: rank 0 searches, the others measure its rounds and get []."""
    launch = launch or Launch()
    runs = []
    for seed in range(settings.seed, settings.seed + settings.search_seeds):
        workers = Workers(launch, {Task.MEASURE: measurer(space, ctx.supernet, None, indicator, seed=seed,
                                                          device=ctx.device, context=ctx)},
                          weight=lambda arch: space.cost(arch).macs)
        if not launch.main:
            workers.serve()
            continue
        bar = Counted(f"search, seed {seed}", lambda entry: f"{entry.macs / 1e6:.3f}M MACs", unit="arch", quiet=quiet)
        result = search(space, supernet=ctx.supernet, indicator=indicator, strategy=STRATEGY, evals=settings.evals,
                        seed=seed, context=ctx, on_entry=bar, workers=workers)
        bar.close()  # a search that ran out of new architectures stops short of its total
        arch = result.best.entry.arch
        runs.append(SearchRun(seed, arch, truth.of(space, arch), result.seconds, result.measured))
        echo(f"  seed {seed}: {space.format_arch(arch, 'nb201')}  {runs[-1].accuracy:.2f} %  "
             f"({result.measured} evaluated, {result.seconds:.0f} s)")
    return runs


def summary(runs: list[SearchRun]) -> dict[str, float]:
    """Mean and population standard deviation (as NAS papers report mean +- std over seeds) of the accuracy;
    mean seconds."""
    accs = [r.accuracy for r in runs]
    return {"mean": statistics.fmean(accs), "std": statistics.pstdev(accs),
            "seconds_mean": statistics.fmean(r.seconds for r in runs)}
