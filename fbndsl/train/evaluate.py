"""The end of a run: recalibrate each evaluated child's BatchNorms on K training batches, then test it.

Weight-shared BatchNorm statistics belong to no child (single-stage training keeps none at all), so every
child is evaluated with statistics recomputed from its own activations, as BigNAS and FBN-NAS do.
"""
from __future__ import annotations

import random

import torch

from ..data import epoch_loader
from ..data.seeding import mix
from ..lower import recalibrate_bn
from ..lower.runtime import at_resolution, images_on
from . import losses
from .config import Mode

EVAL_STREAM = 0xE7A1  # seeds the archs evaluated at the end, apart from the training streams


def archs_to_evaluate(space, config) -> list[tuple[str, object]]:
    """(role, arch): single-stage its largest and smallest child; the other modes a few sampled ones."""
    if config.mode is Mode.SINGLE_STAGE:
        return [("largest", space.max_arch()), ("smallest", space.min_arch())]
    rng = random.Random(mix(config.seed, EVAL_STREAM))
    out, seen = [], set()
    for _ in range(config.eval_archs * 4):
        arch = space.sample(rng)
        if arch not in seen:
            seen.add(arch)
            out.append((f"sample{len(out)}", arch))
        if len(out) == config.eval_archs:
            break
    return out


def recalibrate_child(supernet, arch, data, config, device) -> int:
    """The child's BatchNorm statistics recomputed on `config.recal_batches` training batches, those of the epoch
    after the last trained one; the number of batches used."""
    recal = epoch_loader(data.train, batch_size=config.batch_size, seed=config.seed, epoch=config.epochs,
                         drop_last=True)
    return recalibrate_bn(supernet, (at_resolution(images_on(x, device), supernet, arch) for x, _ in recal),
                          arch=arch, max_batches=config.recal_batches)


def evaluate(supernet, arch, data, config, device) -> dict:
    """Test loss and top-1 accuracy of one child, after recalibrating its BatchNorms."""
    used = recalibrate_child(supernet, arch, data, config, device)
    supernet.eval()
    total_loss, right, n = 0.0, 0, 0
    test = epoch_loader(data.test, batch_size=max(config.batch_size, 256), seed=config.seed, epoch=0, shuffle=False)
    with torch.no_grad():
        for x, y in test:
            x, y = images_on(x, device), y.to(device)
            logits = supernet(at_resolution(x, supernet, arch), arch)
            total_loss += losses.cross_entropy(logits, y).item() * len(y)
            right += int(losses.correct(logits, y))
            n += len(y)
    supernet.train()
    return {"loss": total_loss / max(n, 1), "acc": right / max(n, 1), "recal_batches": used, "test_images": n}
