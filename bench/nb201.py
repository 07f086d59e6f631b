"""NAS-Bench-201 evaluation of the indicators, the FBN-NAS paper's two claims, and the CPI search.

    python bench/nb201.py [--quick] [--epochs E] [--archs K] [--seed S] [--supernet-dir DIR]
                          [--truth CSV | --api FILE] [--out DIR] ...

The same command as `fbndsl bench nb201` (every flag: `python bench/nb201.py --help`); run it from the
repository root, where its default paths (../shared/data, bench/results/) point. `--quick` trains both
supernets, measures 100 architectures and runs three searches within 30 minutes on one thread of a shared
2-core CPU, on an N=1 proxy of the network (docs/nb201.md, "Settings"). Supernets are kept in
runs/nb201-supernets/ and reused by a rerun with the same settings.
The last line printed is the figure; bench/results/nb201[-quick]/report.json has every number.
See docs/nb201.md for what is measured and the figures we measured.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbndsl.cli_bench import nb201_cmd  # noqa: E402

if __name__ == "__main__":
    nb201_cmd.main(args=sys.argv[1:], prog_name="bench/nb201.py")
