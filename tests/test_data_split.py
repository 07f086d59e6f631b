"""The validation split search measures on: carved from the training images, stratified, fixed."""
import torch

from fbndsl.data import load
from fbndsl.data.split import validation_split


def test_validation_split_is_disjoint_stratified_and_fixed():
    data = load("digits", augment=True, seed=0)
    split = validation_split(data)
    train, held = split.train.train, split.held_out.test
    assert len(train) + len(held) == len(data.train) and len(held) == 143
    rows = lambda d: {tuple(d.images[i].flatten()[::7].tolist()) + (int(d.labels[i]),) for i in range(len(d))}
    assert not rows(train) & rows(held)                       # no image in both
    counts = torch.bincount(held.labels, minlength=10)
    assert counts.min() >= 14 and counts.max() <= 15          # a tenth of every class
    assert split.held_out.train is train and split.train.test is data.test  # the test split is left alone
    assert held.augment is None and train.augment is data.train.augment
    again = validation_split(load("digits", augment=True, seed=5))  # another training seed, the same split
    assert torch.equal(again.held_out.test.labels, held.labels) and torch.equal(again.held_out.test.images, held.images)
