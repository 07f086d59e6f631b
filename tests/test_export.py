"""`fbndsl.export`: the exported model.py + weights.pt and model.onnx compute the supernet's subnet, a fresh
export has the benchmarks' parameter counts, and the files are deterministic, compile, and pass ruff."""
from __future__ import annotations

import ast
import csv
import importlib.util
import itertools
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from conftest import NB201_CSV, ROOT, SPACES, shipped  # noqa: E402
from test_darts import DARTS_V2  # noqa: E402
from test_lower import _randomise_bn  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.export import export, render_model_source  # noqa: E402
from fbndsl.lower import lower, recalibrate_bn  # noqa: E402

ARCHS_PER_SPACE = 8  # random architectures per shipped space (the suite's time: 20 took 70 s in all)
# Small widths where the space has them: parity does not depend on size, and the suite must stay fast.
SMALL = {"nb201": dict(C=8, N=1), "darts": dict(C=8, layers=5), "mobilenet": dict(resolution=32, classes=10),
         "bignas": dict(classes=10), "resnet18": dict(resolution=32, classes=10),
         "mobilenetv2": dict(resolution=32, classes=10)}
NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def import_model(folder: Path, name: str = "exported_model"):
    """model.py as a user imports it: from its own folder, not through fbndsl."""
    spec = importlib.util.spec_from_file_location(f"{name}_{abs(hash(str(folder)))}", folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def loaded_model(folder: Path):
    module = import_model(folder)
    model = module.Model().eval()
    model.load_state_dict(torch.load(folder / "weights.pt", weights_only=True), strict=True)
    return module, model


def onnx_output(folder: Path, x: torch.Tensor) -> torch.Tensor:
    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"input": x.numpy()})[0])


def small_supernet(name: str, text: str | None = None):
    torch.manual_seed(0)
    net = lower(fbndsl.compile(SPACES / f"{name}.nas", text=text, **SMALL[name]))
    _randomise_bn(net)
    return net.eval()


def low_resolution_bignas() -> str:
    """bignas.nas with input resolutions of 32..64 instead of 192..320 (it has no `param` for them): every
    other choice as shipped, at a twentieth of the cost; the shipped file itself is checked on its smallest arch."""
    text = (SPACES / "bignas.nas").read_text(encoding="utf-8")
    shipped_set = "resolution in {192, 224, 256, 288, 320}"
    assert shipped_set in text
    return text.replace(shipped_set, "resolution in {32, 40, 48, 56, 64}")


def archs(space, n: int):
    return [space.sample(seed) for seed in range(n if space.size > 1 else 1)]


def check_parity(net, archs_to_check, tmp_path: Path) -> None:
    """model.py + weights.pt within 1e-5 of the supernet (batch 2, randomised BatchNorm statistics), and
    onnxruntime on model.onnx within 1e-4, for every one of the architectures."""
    worst_py = worst_onnx = 0.0
    for i, arch in enumerate(archs_to_check):
        out = tmp_path / str(i)
        export(net.space, arch, out, supernet=net)
        module, model = loaded_model(out)
        x = torch.randn(2, *module.INPUT_SHAPE, generator=torch.Generator().manual_seed(i))
        with torch.no_grad():
            want = net(x, arch)
            worst_py = max(worst_py, (model(x) - want).abs().max().item())
        worst_onnx = max(worst_onnx, (onnx_output(out, x) - want).abs().max().item())
    assert worst_py <= 1e-5, (net.space.name, worst_py)
    assert worst_onnx <= 1e-4, (net.space.name, worst_onnx)


@pytest.mark.parametrize("name", [p.stem for p in shipped()])
def test_export_computes_the_supernets_subnet(name, tmp_path):
    text = low_resolution_bignas() if name == "bignas" else None
    net = small_supernet(name, text)
    check_parity(net, archs(net.space, ARCHS_PER_SPACE), tmp_path)


def test_export_of_the_shipped_bignas_at_its_own_resolutions(tmp_path):
    net = small_supernet("bignas")
    check_parity(net, [net.space.min_arch()], tmp_path)  # 192x192: the inputs the 32..64 variant does not have


def test_every_operator_kind_exports_to_the_same_function(tmp_path):
    torch.manual_seed(0)
    net = lower(fbndsl.compile(ROOT / "tests" / "export_spaces" / "all_kinds.nas"))
    _randomise_bn(net)
    check_parity(net.eval(), list(net.space.enumerate()), tmp_path)
    source = "".join((tmp_path / str(i) / "model.py").read_text(encoding="utf-8") for i in range(2))
    for fragment in ("F.hardswish", "F.silu", "torch.sigmoid", "F.hardsigmoid", "F.relu6", "F.max_pool2d",
                     "count_include_pad=False", "torch.cat", "F.dropout", "bias=False)", "affine=False",
                     "dilation=2", "_se_reduce", "_mbconv_expand_bn", "_reduce_conv2"):
        assert fragment in source, fragment


def test_onnx_has_a_dynamic_batch(tmp_path):
    net = small_supernet("nb201")
    export(net.space, NB201_ARCH, tmp_path, supernet=net)
    x = torch.randn(5, 3, 32, 32)
    with torch.no_grad():
        want = net(x, net.space.parse_arch(NB201_ARCH))
    assert (onnx_output(tmp_path, x) - want).abs().max().item() <= 1e-4


def test_recalibrated_export_equals_the_recalibrated_supernet(tmp_path):
    """BatchNorm recalibration on the given batches, as `recalibrate_bn` does it; the supernet is left as it was."""
    net = small_supernet("nb201")
    arch = net.space.sample(5)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    batches = [torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    result = export(net.space, arch, tmp_path, supernet=net, data=batches, recal_batches=2, onnx=False)
    assert result.record["weights"]["recalibration"]["batches"] == 2
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "export changed the caller's supernet"
    recalibrate_bn(net, batches, arch, max_batches=2)
    net.eval()
    _, model = loaded_model(tmp_path)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (model(x) - net(x, arch)).abs().max().item() <= 1e-5


def test_fairness_batchnorms_are_kept_with_a_supernet_and_dropped_without(tmp_path):
    net = small_supernet("nb201")
    arch = net.space.parse_arch(NB201_ARCH)
    trained = export(net.space, arch, tmp_path / "t", supernet=net, onnx=False).record
    fresh = export(net.space, arch, tmp_path / "f", onnx=False).record
    cost = net.space.cost(arch)
    assert trained["params_exported"] == cost.params_with_fairness_bn and fresh["params_exported"] == cost.params
    assert {f["handling"] for f in trained["fairness_bn"]["layers"]} == {"kept"}
    assert {f["handling"] for f in fresh["fairness_bn"]["layers"]} == {"dropped"}
    assert len(trained["fairness_bn"]["layers"]) == 9  # skip_connect (n3.n0, n3.n2), avg_pool (n2.n1); 3 cells
    assert not (tmp_path / "f" / "weights.pt").exists()



def test_model_py_docstring_tells_whether_weights_pt_is_beside_it(tmp_path):
    """With a supernet the docstring shows how to load weights.pt; without one there is none to load, and the
    docstring says the network is freshly initialised instead of pointing at a missing file."""
    net = small_supernet("nb201")
    arch = net.space.parse_arch(NB201_ARCH)
    export(net.space, arch, tmp_path / "t", supernet=net, onnx=False)
    export(net.space, arch, tmp_path / "f", onnx=False)
    trained, fresh = (ast.get_docstring(ast.parse((tmp_path / d / "model.py").read_text())) for d in "tf")
    assert (tmp_path / "t" / "weights.pt").is_file() and "weights.pt beside this file" in trained
    assert 'model.load_state_dict(torch.load("weights.pt"' in trained
    assert not (tmp_path / "f" / "weights.pt").exists()
    assert "freshly initialised" in fresh and "no weights file" in fresh
    assert "beside" not in fresh and "load_state_dict(torch.load" not in fresh

# -- a fresh export: the architecture as written, with the benchmarks' parameter counts ----------------------
def fresh_params(space, arch) -> int:
    module = import_source(render_model_source(space, arch))
    return sum(p.numel() for p in module.Model().parameters())


def import_source(source: str):
    module = type(sys)("fresh_model")
    exec(compile(source, "model.py", "exec"), module.__dict__)
    return module


@pytest.mark.parametrize("name, sets, arch, params", [
    ("resnet18", {}, "", 11_689_512),                        # torchvision's resnet18()
    ("mobilenetv2", {}, "", 3_504_872),                      # torchvision's mobilenet_v2()
    ("darts", {"C": 36, "layers": 20}, DARTS_V2, 3_349_342),  # DARTS_V2, CIFAR-10, no auxiliary head
    ("nb201", {}, NB201_ARCH, 802_426),                      # nb201.csv row 1
])
def test_fresh_export_has_the_reference_parameter_count(name, sets, arch, params):
    space = fbndsl.compile(name, **sets)
    assert fresh_params(space, space.parse_arch(arch)) == params


@pytest.mark.skipif(not NB201_CSV.is_file(), reason="needs ../shared/data/nb201/nb201.csv")
def test_fresh_nb201_exports_match_the_benchmark_table():
    space = fbndsl.compile("nb201")
    with NB201_CSV.open(newline="") as f:
        rows = list(itertools.islice(csv.DictReader(f), 0, 15625, 781))  # 21 rows across the table
    for row in rows:
        n = fresh_params(space, space.parse_arch(row["arch_str"]))
        assert n == round(float(row["cifar10_params_M"]) * 1e6), row["arch_str"]


def test_none_edges_are_left_out_and_what_feeds_only_them_is_declared_not_computed(tmp_path):
    """n1's conv reaches the output only through 'none' edges: its parameters count (the benchmark builds it),
    but forward neither computes it nor adds zeros; the function is still the supernet's."""
    text = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
    net = small_supernet("nb201")
    arch = net.space.parse_arch(text)
    export(net.space, arch, tmp_path, supernet=net, onnx=False)
    source = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "self.s1_0_n1_n0_nor_conv_3x3_conv = nn.Conv2d" in source and "mul(0.0)" not in source
    assert "self.s1_0_n1_n0_nor_conv_3x3_conv(" not in source
    _, model = loaded_model(tmp_path)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (model(x) - net(x, arch)).abs().max().item() <= 1e-5
    space = fbndsl.compile("nb201")
    assert fresh_params(space, space.parse_arch(text)) == space.cost(space.parse_arch(text)).params


# -- the files ------------------------------------------------------------------------------------------------
def test_exporting_twice_gives_identical_files(tmp_path):
    net = small_supernet("darts")
    arch = net.space.sample(3)
    for out in ("a", "b"):
        export(net.space, arch, tmp_path / out, supernet=net)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["arch.json", "model.onnx", "model.py", "weights.pt"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize("name", [p.stem for p in shipped()])
def test_model_py_compiles_and_passes_ruff(name, tmp_path):
    space = fbndsl.compile(name, **SMALL[name])
    path = tmp_path / f"{name}.py"
    path.write_text(render_model_source(space, space.max_arch()), encoding="utf-8")
    py_compile.compile(str(path), doraise=True)
    assert_ruff_clean(path)


def assert_ruff_clean(path: Path) -> None:
    """`ruff check` with its default rules (E, F, W; line length 88) and no configuration of ours."""
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = subprocess.run([ruff, "check", "--isolated", "--select", "E,F,W", str(path)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout


def test_state_dict_keys_are_readable_names(tmp_path):
    space = fbndsl.compile("resnet18", **SMALL["resnet18"])
    keys = list(import_source(render_model_source(space, space.arch({}))).Model().state_dict())
    assert keys[:3] == ["stem_conv.weight", "stem_bn.weight", "stem_bn.bias"]
    assert "layer2_0_b1_conv.weight" in keys and "layer1_0_b0_conv2.weight" in keys and keys[-1] == "head_linear.bias"


def test_an_edited_head_still_loads_the_other_weights_by_name(tmp_path):
    net = small_supernet("nb201")
    arch = net.space.parse_arch(NB201_ARCH)
    export(net.space, arch, tmp_path, supernet=net, onnx=False)
    source = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "nn.Linear(32, 10)" in source
    (tmp_path / "model.py").write_text(source.replace("nn.Linear(32, 10)", "nn.Linear(32, 7)"), encoding="utf-8")
    module = import_model(tmp_path, "edited")
    model = module.Model().eval()
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(torch.load(tmp_path / "weights.pt", weights_only=True))
    skipped, missing = module.load_weights(model, str(tmp_path / "weights.pt"))
    assert skipped == missing == ["head_linear.bias", "head_linear.weight"]
    trained = dict(net.named_modules())["ops"]
    stem = next(m for n, m in trained.named_children() if n.startswith("stem__") and hasattr(m, "sliced"))
    assert torch.equal(model.stem_conv.weight, stem.sliced()[0])
    with torch.no_grad():
        assert model(torch.randn(2, 3, 32, 32)).shape == (2, 7)


def test_the_benchmarks_reference_is_the_same_network(tmp_path):
    """perf/export_speed.py compares model.py with xautodl's NAS-Bench-201 network (or the transcription in
    tests/reference): with the reference's weights copied in order, both give the same output."""
    spec = importlib.util.spec_from_file_location("bench_export_speed", ROOT / "perf" / "export_speed.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    _, reference = bench.reference_network()
    ours = bench.exported(tmp_path)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    assert bench.same_function(ours, reference.eval(), x) <= 1e-5
