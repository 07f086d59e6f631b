"""`fbndsl export --aux-head`: DARTS's auxiliary head, added for training the exported network from scratch."""
import json

import pytest
import torch
from test_darts import DARTS_V2
from test_export import import_model
from torch import nn

import fbndsl
from fbndsl.diagnostics import UserError
from fbndsl.export import export


class AuxiliaryHeadCIFAR(nn.Module):
    """quark0/darts cnn/model.py, written independently of the exporter (first ReLU not in place, see aux_head)."""

    def __init__(self, C, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(), nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
            nn.Conv2d(C, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU())
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.fixture(scope="module")
def darts_v2(tmp_path_factory):
    out = tmp_path_factory.mktemp("darts_v2")
    space = fbndsl.compile("darts", C=36, layers=20)
    result = export(space, space.parse_arch(DARTS_V2), out, onnx=False, aux_head="reduce2")
    return out, result, import_model(out)


def test_published_count_without_the_head_and_darts_head_with_it(darts_v2):
    out, result, module = darts_v2
    plain, with_aux = module.Model(), module.Model(auxiliary=True)
    assert count(plain) == 3_349_342  # DARTS_V2 at C=36, 20 cells, as published (no auxiliary head)
    reference = AuxiliaryHeadCIFAR(576, 10)  # reduce2 outputs 4 x 144 channels at 8 x 8
    assert count(with_aux) - count(plain) == count(reference) == 476_426
    record = json.loads((out / "arch.json").read_text())
    assert record["params"] == 3_349_342 and record["aux_head"]["params"] == 476_426
    assert record["aux_head"]["at"] == "reduce2" and record["aux_head"]["in_shape"] == [576, 8, 8]


def test_training_returns_both_logits_and_the_trunk_is_untouched(darts_v2):
    _, _, module = darts_v2
    torch.manual_seed(0)
    model = module.Model(auxiliary=True).train()
    seen = {}
    model.aux_head.register_forward_hook(lambda m, inputs, out: seen.update(x=inputs[0].clone(), out=out))
    x = torch.randn(2, 3, 32, 32)
    logits, aux = model(x)
    assert logits.shape == aux.shape == (2, 10)
    reference = AuxiliaryHeadCIFAR(576, 10).train()
    params = [p for p in model.aux_head.parameters()]
    for mine, theirs in zip(params, [*reference.features.parameters(), *reference.classifier.parameters()]):
        theirs.data.copy_(mine.data)
    assert torch.allclose(reference(seen["x"]), aux, atol=1e-6)
    head = model.aux_head
    model.aux_head = None  # the same network without the head: its logits must not change
    assert torch.equal(model(x), logits)
    model.aux_head = head
    assert model.eval()(x).shape == (2, 10)  # inference: logits only


def test_bad_statement_or_feature_size_is_a_one_line_error(tmp_path):
    space = fbndsl.compile("darts", C=8, layers=8)
    arch = space.parse_arch(DARTS_V2)
    with pytest.raises(UserError, match="no statement 'nope'.*statements are cells1, cells2, cells3, head"):
        export(space, arch, tmp_path / "a", onnx=False, aux_head="nope")
    with pytest.raises(UserError, match="8x8 feature map, but 'reduce1' outputs 16x16"):
        export(space, arch, tmp_path / "b", onnx=False, aux_head="reduce1")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
