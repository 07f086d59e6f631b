"""Few-shot BN-only supernets (Zhao et al. 2021) against one more round of one-shot training, on the calibration set.

    python perf/fewshot_study.py REPORT.json [--steps S] [--edge K]

REPORT.json is what `fbndsl bench nb201 --quick` wrote (its calibration networks, their ground truth and the
settings). The one-shot BN-only supernet is trained again as that run trained it. Then, with the same extra
compute for both arms:

- **few-shot**: the supernet is split on the K-th edge of the cell (default the first, chosen before any figure
  was seen): one copy per operator of that edge, each trained BN-only S more steps (default 60) on paths that
  all take its operator, 5 uniform paths a step; every network is then measured on the copy of its operator;
- **control**: one copy trained 5 x S more steps the same way on unrestricted uniform paths, every network
  measured on it.

Both continue from the one-shot weights with bn-only's recipe (`search.refine`: LR 1.0 on a cosine spanning
the extra steps, momentum, no decay), the premise of FBN-NAS kept (frozen random weights, BatchNorm learns). The
table gives each indicator's Kendall tau against the truth on the calibration set, for the one-shot supernet
too (measured again here; the run says how many networks got exactly the report's values). The evaluation set
is never read. The last line is the figure: the default ranking's tau in both
arms.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import torch
from calibration_report import STUDY_DEFAULT, record_of

from fbndsl.bench.nb201 import context, correlate, load_data
from fbndsl.bench.settings import make_settings
from fbndsl.bench.supernets import Fairness, compile_space, trained_supernet
from fbndsl.data import first_batches
from fbndsl.indicators import Indicator, measure, parse_indicator
from fbndsl.lower.runtime import images_on
from fbndsl.search.refine import short_config
from fbndsl.train import Mode
from fbndsl.train.schedule import lr_at
from fbndsl.train.setup import build_supernet, make_optimizer
from fbndsl.train.step import single_path_step

PATHS = 5  # per step: FairNAS' count for 5 operators, drawn uniformly here
RANKINGS = ("regions", "trainability", "uncertainty", "expressivity", "cpi", STUDY_DEFAULT)
TRAINED = [Indicator.REGIONS, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.EXPRESSIVITY]


def continued(space, state, data, steps: int, seed: int, draw) -> torch.nn.Module:
    """A copy of the one-shot supernet (`state`) trained BN-only `steps` more steps on `PATHS` paths a step, each
    drawn by `draw(rng)`."""
    config = short_config(data, Mode.BN_ONLY, steps=steps, seed=seed, batch_size=64)
    net, params = build_supernet(space, config, torch.device("cpu"))
    net.load_state_dict(state)
    optimizer, rng = make_optimizer(params, config), random.Random(seed)
    net.train()
    for step, (x, y) in enumerate(first_batches(data.train, batch_size=64, seed=seed + 1, count=steps)):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(config, step, steps)
        single_path_step(net, [draw(rng) for _ in range(PATHS)], images_on(x, torch.device("cpu")), y)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return net.eval()


def draw_with(space, label: str | None, value):
    """A uniform random architecture whose choice `label` is `value` (any, with no label) that reads its input."""
    def draw(rng):
        while True:
            arch = space.sample(rng) if label is None else space.arch({**space.sample(rng), label: value})
            if space.reads_input(arch):
                return arch
    return draw


def taus(records, truth) -> dict[str, float]:
    rankings = {name: parse_indicator(name) for name in RANKINGS}
    got = correlate(records, truth, list(rankings.values()))
    return {name: got[r].kendall_tau for name, r in rankings.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report")
    ap.add_argument("--steps", type=int, default=60, help="extra steps per few-shot copy [default: 60]")
    ap.add_argument("--edge", type=int, default=0, help="the split edge, 0-based [default: 0, the first]")
    args = ap.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    given, cal = report["settings"], report["calibration_archs"]
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(True, data=given["data"], out=Path(tmp), supernet_dir=Path(tmp), seed=given["seed"],
                                 sets=tuple(given["sets"].items()))
        space, data = compile_space(settings, Fairness.INSERT), load_data(settings)
        start = time.perf_counter()
        one_shot = trained_supernet(space, settings, Fairness.INSERT, data.train, quiet=True).supernet
        print(f"one-shot supernet: {settings.steps} steps in {time.perf_counter() - start:.0f} s")
    archs = [space.parse_arch(a["arch"]) for a in cal]
    truth = [a["cifar10_test_acc"] for a in cal]
    reported = [record_of(a["values"]) for a in cal]
    state = {k: v.clone() for k, v in one_shot.state_dict().items()}
    label, values = space.choices[args.edge].label, space.choices[args.edge].values

    contexts: dict[int, object] = {}  # one per supernet: its batches are the same, its BatchNorms its own

    def measured(net_of) -> list[dict]:
        out = []
        for arch, record in zip(archs, reported):
            net = net_of(arch)
            if id(net) not in contexts:
                contexts[id(net)] = context(space, net, data.held_out, settings)
            values = measure(contexts[id(net)], arch, TRAINED)
            out.append({**{i: v for i, v in record.items() if i not in TRAINED}, **values})  # zero-cost: as reported
        return out

    start = time.perf_counter()
    one_shot_records = measured(lambda arch: one_shot)
    same = sum(all(r[i] == m[i] for i in TRAINED) for r, m in zip(reported, one_shot_records))
    print(f"one-shot: measured in {time.perf_counter() - start:.0f} s; {same} of {len(archs)} networks measure "
          f"exactly the report's values")
    start = time.perf_counter()
    control = continued(space, state, data.train, PATHS * args.steps, settings.seed, draw_with(space, None, None))
    control_records = measured(lambda arch: control)
    print(f"control: {PATHS * args.steps} more steps, measured, in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    copies = {v: continued(space, state, data.train, args.steps, settings.seed, draw_with(space, label, v))
              for v in values}
    few_records = measured(lambda arch: copies[arch[label]])
    print(f"few-shot: {len(copies)} copies split on {label}, {args.steps} more steps each, measured, in "
          f"{time.perf_counter() - start:.0f} s")

    rows = {"one-shot": taus(one_shot_records, truth), "control": taus(control_records, truth),
            "few-shot": taus(few_records, truth)}
    print(f"{'calibration Kendall tau':24s}" + "".join(f"{n[:12]:>14s}" for n in RANKINGS))
    for name, row in rows.items():
        print(f"{name:24s}" + "".join(f"{row[n]:14.3f}" for n in RANKINGS))
    print(f"few-shot study, default ranking's calibration tau: one-shot {rows['one-shot'][STUDY_DEFAULT]:.3f}, "
          f"control {rows['control'][STUDY_DEFAULT]:.3f}, few-shot {rows['few-shot'][STUDY_DEFAULT]:.3f}")


if __name__ == "__main__":
    main()
