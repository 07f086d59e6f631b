"""What the NAS-Bench-201 evaluation found: the report as text (its last line is the headline figure) and as
JSON (report.json, with every architecture's measurements, so that other statistics need no rerun)."""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import fbndsl

from ..files import atomic_write_text
from ..indicators import parse_indicator
from ..indicators.kinds import Indicator
from ..search.driver import pick_for
from .pool import Pool
from .protocol import REFINE_SETS, Choice, Row
from .searches import SearchRun, summary
from .settings import SPACE, Settings
from .stats import Correlation
from .supernets import SUPERNETS, Fairness, title
from .table1 import TOP, convolution_share, format_table

BASELINES = (Indicator.GAMMA, Indicator.NASWOT, Indicator.SYNFLOW, Indicator.JACOB_COV, Indicator.SNIP,
             Indicator.MECO, Indicator.ISOTROPY, Indicator.PROGRESSIVITY, Indicator.PARAMS, Indicator.MACS)
FBN_NAS_ACCURACY = 93.79  # FBN-NAS's published CIFAR-10 test accuracy on NAS-Bench-201
NAME = "report.json"


@dataclass(frozen=True)
class Supernet:
    """A trained supernet as the report shows it."""

    fairness: Fairness
    run_dir: Path
    steps: int
    seconds: float          # training time in all (a resumed run includes the earlier one's)
    child_accuracy: float   # test accuracy of the one child `fbndsl train` evaluates at its end

    def to_json(self) -> dict:
        return {"fairness": self.fairness.value, "run_dir": str(self.run_dir), "steps": self.steps,
                "seconds": self.seconds, "child_test_acc": self.child_accuracy}


@dataclass(frozen=True)
class Report:
    settings: Settings
    truth_source: str
    space: object
    accuracy: tuple[float, ...]                  # ground truth of each pool architecture
    supernets: tuple[Supernet, Supernet]          # fairness on, fairness off (SUPERNETS' order)
    pool: Pool                                    # on the fair supernet, every indicator
    correlations: Mapping[Indicator, Correlation]  # on the fair supernet
    off_gamma: Pool                               # on the fairness-off supernet, gamma only
    off_gamma_correlation: Correlation
    table1: Mapping[Fairness, Mapping[str, int]]  # operators in gamma's top 10, per supernet
    searches: tuple[SearchRun, ...]
    seconds: float                                # the whole evaluation's wall time
    calibration: Pool                             # the calibration set, every indicator
    calibration_accuracy: tuple[float, ...]       # its ground truth
    rows: tuple[Row, ...]                         # every ranking judged on both sets (protocol.ranking_names)
    choices: tuple[Choice, ...]                   # made on the calibration set: CPI's reading, the search's indicator

    @property
    def default(self) -> Row:
        """The row of the indicator the search ranks by (the calibration set's choice)."""
        return self.row(self.choices[-1].chosen)

    def row(self, name: str) -> Row:
        key = parse_indicator(name).value
        return next(r for r in self.rows if r.name == key)

    def best_baseline(self) -> tuple[Indicator, float]:
        """The single indicator, besides CPI and its parts, of highest Kendall tau on the evaluation set."""
        taus = [(i, self.correlations[i].kendall_tau) for i in BASELINES]
        finite = [(i, t) for i, t in taus if math.isfinite(t)]
        return max(finite, key=lambda it: it[1]) if finite else (BASELINES[0], math.nan)

    def figure(self) -> str:
        base, base_tau = self.best_baseline()
        s = summary(list(self.searches))
        # three decimals: the goal is 0.75, and two would print 0.746 as 0.75
        return (f"nb201: {self.default.name} Kendall tau {self.default.evaluation.kendall_tau:.3f} on the "
                f"evaluation set (CPI {self.correlations[Indicator.CPI].kendall_tau:.3f}; best single baseline "
                f"{base.value} {base_tau:.3f}); search {s['mean']:.2f} +- {s['std']:.2f} % "
                f"(FBN-NAS {FBN_NAS_ACCURACY}%)")

    def lines(self) -> list[str]:
        return [*self._header(), *self._correlation_lines(), *self._choice_lines(), *self._claim_lines(),
                *self._search_lines(),
                f"wall time: {self.seconds:.0f} s; report: {self.settings.out / NAME}", self.figure()]

    def _header(self) -> list[str]:
        st = self.settings
        steps = f", at most {st.steps} steps" if st.steps is not None else ""
        lines = [f"NAS-Bench-201 evaluation{' (--quick)' if st.quick else ''}: {len(self.calibration.archs)} "
                 f"calibration and K={len(self.pool.archs)} evaluation architectures, distinct and disjoint "
                 f"(seed {st.seed}), ground truth {self.truth_source} (CIFAR-10 test accuracy, 200 epochs)",
                 f"supernets: bn-only, {st.sampler} sampler, {st.epochs} epoch(s){steps}, data {st.data}",
                 f"network: spaces/nb201.nas{proxy(st.sets)}"]
        for sn in self.supernets:
            lines.append(f"  {title(sn.fairness):<13} {sn.steps} steps, {sn.seconds:.0f} s, a child's test accuracy "
                         f"{sn.child_accuracy:.3f}  ({sn.run_dir})")
        return lines

    def _correlation_lines(self) -> list[str]:
        t = self.pool.timing()
        m = self.settings.measuring
        lines = [f"rankings vs ground truth on the fair supernet: {t['mean']:.2f} s per architecture for every "
                 f"indicator (median {t['median']:.2f} s; {m.recal_batches} recalibration batches, {m.eval_images} "
                 f"held-out images, {m.mc_samples} Monte-Carlo passes); s/arch: what measuring one ranking alone "
                 f"costs (its indicators, and the BatchNorm recalibration shared if one reads the trained supernet)"]
        names = [row.name + ("" if row.higher_is_better else " (lower better)") for row in self.rows]
        width = max(64, *map(len, names))  # the longest ranking's name, so that the columns stay aligned
        lines.append(f"  {'ranking':<{width}}{'calibration tau':>16}{'evaluation tau':>15}{'rho':>8}{'s/arch':>8}")
        for name, row in zip(names, self.rows):
            cost = self.pool.seconds_of(parse_indicator(row.name))
            lines.append(f"  {name:<{width}}{row.calibration.kendall_tau:>16.3f}{row.evaluation.kendall_tau:>15.3f}"
                         f"{row.evaluation.spearman_rho:>8.3f}{cost:>8.2f}")
        return lines

    def _choice_lines(self) -> list[str]:
        lines = [f"chosen on the calibration set: {c.what}: {c.chosen}" for c in self.choices]
        reading = parse_indicator(self.choices[0].chosen).components
        if reading != Indicator.CPI.components:
            lines.append(f"note: fbndsl's cpi is {'+'.join(i.value for i in Indicator.CPI.components)}; this "
                         f"calibration set prefers {self.choices[0].chosen}")
        refuted = [r.name for r in self.rows if "+" not in r.name and r.calibration.kendall_tau < 0]
        if refuted:
            lines.append(f"directions the calibration set refutes (tau < 0): {', '.join(refuted)}")
        return lines

    def _claim_lines(self) -> list[str]:
        gamma, cpi, off = (self.correlations[Indicator.GAMMA], self.correlations[Indicator.CPI],
                           self.off_gamma_correlation)
        columns = {title(f): self.table1[f] for f in (Fairness.OFF, Fairness.INSERT)}
        shares = {f: convolution_share(self.table1[f]) for f in SUPERNETS}
        return [f"claim (2), fair supernet: gamma Kendall tau {gamma.kendall_tau:.3f} vs CPI {cpi.kendall_tau:.3f} "
                f"(gamma on the fairness-off supernet: tau {off.kendall_tau:.3f}, rho {off.spearman_rho:.3f})",
                f"claim (1), operators in gamma's top {TOP} (Table 1): convolutions {shares[Fairness.OFF]:.0%} with "
                f"fairness off, {shares[Fairness.INSERT]:.0%} with it on",
                *format_table(columns)]

    def search_pick(self):
        """What the searches returned the first of (`driver.pick_for` the chosen ranking; versions 11 and 12)."""
        return pick_for(parse_indicator(self.default.name))

    def _search_lines(self) -> list[str]:
        s = summary(list(self.searches))
        k = self.settings.refine_top
        ranking = parse_indicator(self.default.name)
        pick = self.search_pick()
        how = (f"; the pool's first by {pick.value} (`--pick`, protocol version 12)" if pick != ranking else "") + (
            f"; its {k} best re-ranked by the product of their rank and their gradient explosion's rank at "
            f"{', '.join(f'{n}={v}' for n, v in REFINE_SETS.items())}" if k else "")
        shown = bool(how)  # the ranking's own first beside what the search returned, when they can differ
        lines = [f"search: regularised evolution by {self.default.name}, {self.settings.evals} evaluated "
                 f"architectures, {len(self.searches)} seeds{how}" + (" (the ranking's own first in brackets)"
                                                                      if shown else "")]
        for r in self.searches:
            before = f" ({r.ranked_first:.2f} %)" if shown else ""
            lines.append(f"  seed {r.seed}: {r.accuracy:.2f} %{before}  {r.seconds:.0f} s  "
                         f"{self.space.format_arch(r.arch, 'nb201')}")
        first = f" (the ranking's first: {s['ranked_first_mean']:.2f} %)" if shown else ""
        lines.append(f"  CIFAR-10 test accuracy {s['mean']:.2f} +- {s['std']:.2f} %{first} (FBN-NAS "
                     f"{FBN_NAS_ACCURACY}%), {s['seconds_mean']:.0f} s per search")
        return lines

    def to_json(self) -> dict:
        base, base_tau = self.best_baseline()
        return {
            "benchmark": "nb201", "settings": self.settings.to_json(), "truth": self.truth_source,
            "supernets": [sn.to_json() for sn in self.supernets],
            "seconds_per_arch": self.pool.timing(),
            "correlations": {i.value: c.to_json() for i, c in self.correlations.items()},
            "rankings": {r.name: {**r.to_json(), "seconds_per_arch": _finite(self.pool.seconds_of(
                parse_indicator(r.name)))} for r in self.rows},
            "choices": [c.to_json() for c in self.choices],
            "calibration_archs": [{"arch": self.space.format_arch(a, "nb201"), "cifar10_test_acc": acc,
                                   "values": {i.value: _finite(v) for i, v in rec.items()}}
                                  for a, acc, rec in zip(self.calibration.archs, self.calibration_accuracy,
                                                         self.calibration.records)],
            "best_baseline": {"indicator": base.value, "kendall_tau": _finite(base_tau)},
            "claim1_table1": {f.value: dict(self.table1[f]) for f in SUPERNETS},
            "claim2": {"gamma": self.correlations[Indicator.GAMMA].to_json(),
                       "cpi": self.correlations[Indicator.CPI].to_json(),
                       "gamma_fairness_off": self.off_gamma_correlation.to_json()},
            "search": {"runs": [r.to_json(self.space) for r in self.searches], **summary(list(self.searches)),
                       "pick": self.search_pick().value, "fbn_nas": FBN_NAS_ACCURACY},
            "archs": self._arch_records(),
            "seconds": self.seconds, "figure": self.figure()}

    def _arch_records(self) -> list[dict]:
        return [{"arch": self.space.format_arch(a, "nb201"), "cifar10_test_acc": acc, "seconds": sec,
                 "values": {i.value: _finite(v) for i, v in rec.items()},
                 "gamma_fairness_off": _finite(off[Indicator.GAMMA])}
                for a, acc, sec, rec, off in zip(self.pool.archs, self.accuracy, self.pool.seconds, self.pool.records,
                                                 self.off_gamma.records)]

    def write(self) -> Path:
        path = self.settings.out / NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(self.to_json(), indent=1) + "\n")
        return path


def _finite(value: float) -> float | str:
    """JSON has no NaN or infinity: those are written as strings ("nan", "inf", "-inf")."""
    return value if math.isfinite(value) else str(value)


def proxy(sets) -> str:
    """How the measured network differs from the benchmark's (spaces/nb201.nas as declared: C=16, N=5, 32x32):
    "" when it does not, as when `--quick --set N=5` sets a value back to the declared one."""
    declared = _declared()
    benchmark = f"C={declared['C']}, N={declared['N']}"
    differs = [(k, v) for k, v in sets if str(declared.get(k)) != str(v)]
    if not differs:
        return f" as the benchmark's ({benchmark})"
    given = ", ".join(f"{k}={v}" for k, v in differs)
    return f" with {given} (a proxy: the ground truth is the benchmark's {benchmark})"


@functools.cache
def _declared() -> dict:
    return dict(fbndsl.compile(SPACE).program.params)
