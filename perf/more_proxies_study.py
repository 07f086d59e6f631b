"""Five more zero-cost proxies of the literature, and the product of ranks, on the calibration set alone.

    python perf/more_proxies_study.py REPORT.json

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings). On the same network at initialisation and the same batch as the benchmark's zero-cost
proxies (the N = 1 proxy, NASWOT's batch), this measures for every calibration network:
- ZiCo (Li et al., ICLR 2023): the sum over convolution and linear layers of log(sum over weights of
  mean|g| / std(g)), g a weight's gradient of the cross-entropy over two half-batches;
- SWAP (Peng et al., ICLR 2024), unregularised: the number of distinct sample-wise activation patterns, each ReLU
  unit's signs over the batch's images;
- the NTK's condition number (TE-NAS, Chen et al., ICLR 2021; lower is better), from the per-image gradients of
  the summed logits with respect to every parameter, on 32 images;
- grad_norm (Abdelfattah et al., ICLR 2021): the sum of the weights' gradient norms;
- the features' isotropy (AZ-NAS' expressivity, Lee and Ham, CVPR 2024): the sum over feature maps of the entropy
  of the normalised eigenvalues of the channels' covariance over images and positions.
These are study code, not indicators of the library: none was added (docs/nb201.md, "Protocol", version 3). It
prints each one's calibration Kendall tau, and that of the default ranking with each added, as a mean and as a
product of ranks (`fbndsl.indicators.ranking`). The evaluation set is never read. The last line is the figure.
"""
from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F
from calibration_report import STUDY_DEFAULT, read_calibration, study_parser

from fbndsl.bench.nb201 import zero_cost_context
from fbndsl.bench.stats import correlation
from fbndsl.indicators import Aggregate, Ensemble, Indicator, parse_indicator, ranks, scores
from fbndsl.indicators.isotropy import spectral_entropy
from fbndsl.indicators.naswot import _RELU_INPUT
from fbndsl.indicators.observe import leaf_modules, observed_pass
from fbndsl.indicators.snip import scored_weights
from fbndsl.lower.batchnorm import probing


def _weight_grads(model, images, labels, weights):
    with probing(model), torch.enable_grad():
        return torch.autograd.grad(F.cross_entropy(model(images), labels), weights, allow_unused=True)


def zico(model, images, labels) -> float:
    weights = [w for w in scored_weights(model) if w.requires_grad]
    halves = [_weight_grads(model, images[i::2], labels[i::2], weights) for i in range(2)]
    total = 0.0
    for j in range(len(weights)):
        if halves[0][j] is None:
            continue
        g = torch.stack([h[j].flatten() for h in halves]).double()
        std, mean_abs = g.std(dim=0, unbiased=False), g.abs().mean(dim=0)
        s = float((mean_abs[std != 0] / std[std != 0]).sum())
        total += math.log(s) if s > 0 else 0.0
    return total


def grad_norm(model, images, labels) -> float:
    weights = [w for w in scored_weights(model) if w.requires_grad]
    return sum(float(g.norm()) for g in _weight_grads(model, images, labels, weights) if g is not None)


def swap(model, images) -> float:
    patterns = []
    observed_pass(model, images, [m for m in model.modules() if isinstance(m, _RELU_INPUT)],
                  lambda _m, inputs: patterns.append((inputs[0] > 0).flatten(1).T), pre=True)
    return float(torch.unique(torch.cat(patterns), dim=0).shape[0]) if patterns else 0.0


def ntk_condition(model, images) -> float:
    params = [p for p in model.parameters() if p.requires_grad]
    with probing(model), torch.enable_grad():
        out = model(images)
        rows = [torch.cat([g.flatten() for g in torch.autograd.grad(out[i].sum(), params, retain_graph=True,
                                                                      allow_unused=True) if g is not None])
                for i in range(out.shape[0])]
    grams = torch.stack(rows).double()
    eig = torch.linalg.eigvalsh(grams @ grams.T)
    return float(eig[-1] / eig[0]) if eig[0] > 0 else math.inf


def isotropy(model, images) -> float:
    """The library's isotropy (`spectral_entropy`) summed over every leaf module's map instead of each layer's."""
    entropies = []

    def hook(_m, _i, out):
        if isinstance(out, torch.Tensor) and out.dim() == 4 and out.shape[1] >= 2:
            entropies.append(spectral_entropy(out))

    observed_pass(model, images, leaf_modules(model), hook)
    return sum(entropies)


def proxies(ctx):
    """name -> (arch -> value, higher is better)."""
    labels = ctx.naswot_labels
    return {"zico": (lambda a: zico(*ctx.init_batch(a), labels), True),
            "swap": (lambda a: swap(*ctx.init_batch(a)), True),
            "ntk_condition": (lambda a: ntk_condition(*(lambda m, x: (m, x[:32]))(*ctx.init_batch(a))), False),
            "grad_norm": (lambda a: grad_norm(*ctx.init_batch(a), labels), True),
            "isotropy": (lambda a: isotropy(*ctx.init_batch(a)), True)}


def with_extra(records, default: Ensemble, column: list[float], aggregate: Aggregate) -> list[float]:
    """The default's members' ranks and the extra proxy's rank (`column`, 1 = best), aggregated as `aggregate`:
    the ensemble of the default's members and a stand-in member carrying the extra ranks."""
    stand_in = Indicator.MACS  # not a member of the default: its values are replaced by minus the extra's ranks
    assert stand_in not in dict(default.members) and stand_in.higher_is_better
    records = [{**r, stand_in: -c} for r, c in zip(records, column)]
    return scores(records, Ensemble((*default.members, (stand_in, 1)), aggregate))


def main() -> None:
    cal = read_calibration(study_parser(__doc__).parse_args().report)
    torch.set_num_threads(1)
    space, ctx = zero_cost_context(cal.settings)
    archs, truth, records = [space.parse_arch(a) for a in cal.archs], cal.truth, cal.records
    default = parse_indicator(STUDY_DEFAULT)
    default = Ensemble(default.members) if isinstance(default, Ensemble) else Ensemble(((default, 1),))

    def tau(values, higher_is_better=False):
        return correlation(values, higher_is_better, truth).kendall_tau

    print(f"{'calibration Kendall tau':28s}{'alone':>8s}{'s/arch':>8s}{'default+it, mean':>18s}{'product':>9s}")
    print(f"{default.value:28s}{'':16s}{tau(scores(records, default)):18.3f}"
          f"{tau(scores(records, Ensemble(default.members, Aggregate.PRODUCT))):9.3f}")
    for name, (fn, higher) in proxies(ctx).items():
        start = time.perf_counter()
        values = [fn(a) for a in archs]
        seconds = (time.perf_counter() - start) / len(archs)
        column = ranks(values, higher)
        mean, product = (tau(with_extra(records, default, column, g)) for g in Aggregate)
        print(f"{name:28s}{tau(values, higher):8.3f}{seconds:8.2f}{mean:18.3f}{product:9.3f}")
    print(f"more proxies study: {default.value} calibration tau as a mean "
          f"{tau(scores(records, default)):.3f}, as a product "
          f"{tau(scores(records, Ensemble(default.members, Aggregate.PRODUCT))):.3f}")


if __name__ == "__main__":
    main()
