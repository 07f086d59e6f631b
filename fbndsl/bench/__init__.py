"""Benchmarks against published ground truth: `fbndsl bench nb201` (NAS-Bench-201).

    >>> from fbndsl.bench import Truth
    >>> truth = Truth.from_csv("nb201.csv")                              # doctest: +SKIP
    >>> truth.of(space, arch)   # CIFAR-10 test accuracy (%), hp=200      # doctest: +SKIP

- `truth`: the ground truth, from the benchmark's CSV or the official file through `NASBench201API`.
- `stats`: Kendall's tau-b and Spearman's rho of an indicator against it.
- `table1`: operators counted in an indicator's top architectures (the FBN-NAS paper's Table 1).
- `nb201`: the whole evaluation, which `fbndsl bench nb201` runs; docs/nb201.md.

Importing this package does not import torch; training and measuring do. It has no default paths: its data,
ground truth and output folders are given (`settings.make_settings`), and it writes nowhere else.
"""
from .stats import Correlation, correlation, kendall_tau, spearman_rho
from .table1 import count_operators, top_archs
from .truth import Truth

__all__ = ["Truth", "Correlation", "correlation", "kendall_tau", "spearman_rho", "count_operators", "top_archs"]
