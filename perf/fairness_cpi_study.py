"""CPI read on the fairness-off supernet beside the fair one, on the calibration set alone.

    python perf/fairness_cpi_study.py REPORT.json [--supernet-dir DIR]

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings, the supernet folder). The benchmark trains two BatchNorm-only supernets, the fair one (a
BatchNorm after every candidate operator, what CPI and the search read) and the fairness-off one (as BN-NAS: only the
convolutions' own BatchNorms), and reads only gamma on the second, for the paper's claims. This measures what reads
a trained supernet (`regions`, `trainability`, `uncertainty`, `expressivity`) of every calibration network on both
supernets as found in the report's folder (or `--supernet-dir`; trained with the report's settings if absent, 14
and 10 minutes on one core), and prints the calibration Kendall tau of each, of CPI, and of the default ranking with
its CPI from either supernet; the report's own values (its fair supernet's, which a retraining does not give back
bit for bit) beside them. The evaluation set is never read. The last line is the figure: CPI's and the default
ranking's calibration tau on the fair and on the fairness-off supernet.
"""
from __future__ import annotations

import time

from calibration_report import STUDY_DEFAULT_V5, supernet_study

from fbndsl.bench.nb201 import context, correlate, load_data
from fbndsl.bench.supernets import Fairness, compile_space, trained_supernet
from fbndsl.indicators import Indicator, measure, parse_indicator

TRAINED = (Indicator.REGIONS, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.EXPRESSIVITY)
RANKINGS = ("cpi", "regions", "trainability", "uncertainty", "expressivity", "expressivity+trainability+uncertainty",
            STUDY_DEFAULT_V5)


def measured_on(settings, data, fairness: Fairness, archs: list[str]) -> list[dict]:
    """`TRAINED` of each network, read on the supernet of `fairness` (each network as that space compiles it)."""
    space = compile_space(settings, fairness)
    net = trained_supernet(space, settings, fairness, data.train, quiet=True).supernet
    ctx = context(space, net, data.held_out, settings)
    start = time.perf_counter()
    values = [measure(ctx, space.parse_arch(a), TRAINED) for a in archs]
    print(f"fairness {fairness.value}: {(time.perf_counter() - start) / len(archs):.2f} s per network", flush=True)
    return values


def main() -> None:
    _, cal = supernet_study(__doc__)
    settings = cal.settings
    data = load_data(settings)
    columns = {"report": cal.records}
    for name, fairness in (("fair", Fairness.INSERT), ("off", Fairness.OFF)):
        columns[name] = [{**r, **m} for r, m in zip(cal.records, measured_on(settings, data, fairness, cal.archs))]
    rankings = [parse_indicator(n) for n in RANKINGS]
    taus = {name: correlate(records, cal.truth, rankings) for name, records in columns.items()}
    print(f"\n{'calibration Kendall tau':70s}" + "".join(f"{name:>10s}" for name in columns))
    for r in rankings:
        print(f"{r.value:70s}" + "".join(f"{taus[name][r].kendall_tau:10.3f}" for name in columns))
    cpi, default = rankings[0], rankings[-1]
    fair, off = "fair", "off"
    print(f"fairness CPI study: calibration tau of CPI, fair {taus[fair][cpi].kendall_tau:.3f}, fairness off "
          f"{taus[off][cpi].kendall_tau:.3f}; of the default ranking, fair {taus[fair][default].kendall_tau:.3f}, "
          f"fairness off {taus[off][default].kendall_tau:.3f}")


if __name__ == "__main__":
    main()
