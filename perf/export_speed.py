"""Forward latency of an exported model.py against an independent hand-written network, and of model.onnx in
onnxruntime against the PyTorch module.

    python perf/export_speed.py [--quick]

The network is NAS-Bench-201's, one arch string, at the benchmark's size (C=16, N=5, CIFAR-10). The
independent implementation is xautodl's `infer.tiny` TinyNetwork (`pip install --no-deps xautodl`); without
xautodl the bench says so and falls back to tests/reference/nb201.py, a transcription of the same code. Same
process, same input batch, eval mode, no autograd, one thread each (ours, theirs and onnxruntime), repeats
interleaved so that a slower moment of the machine hits every contender alike; medians.
Goal: model.py at most 1.05x the reference. The last line is the figure.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.export import export  # noqa: E402

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
C, N, CLASSES = 16, 5, 10
GOAL = 1.05


def reference_network():
    """(name, module): xautodl's own TinyNetwork, or the test suite's transcription of it."""
    try:
        from xautodl.config_utils import dict2config
        from xautodl.models import get_cell_based_tiny_net
    except ImportError:
        print("xautodl is not installed (pip install --no-deps xautodl): falling back to tests/reference/nb201.py,"
              " a transcription of xautodl's TinyNetwork")
        sys.path.insert(0, str(ROOT / "tests"))
        from reference.nb201 import TinyNetwork, parse_arch

        return "tests/reference/nb201.py TinyNetwork", _logits_only(TinyNetwork(C, N, parse_arch(ARCH), CLASSES))
    config = dict2config({"name": "infer.tiny", "C": C, "N": N, "arch_str": ARCH, "num_classes": CLASSES}, None)
    return "xautodl infer.tiny TinyNetwork", _logits_only(get_cell_based_tiny_net(config))


class _logits_only(torch.nn.Module):  # noqa: N801 - a thin wrapper, named for what it returns
    """xautodl's network returns (features, logits)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        out = self.net(x)
        return out[1] if isinstance(out, tuple) else out


def exported(folder: Path):
    space = fbndsl.compile("nb201", C=C, N=N, classes=CLASSES)
    export(space, space.parse_arch(ARCH), folder)
    spec = importlib.util.spec_from_file_location("exported_nb201", folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Model().eval()


def same_function(ours, reference, x) -> float:
    """Both networks hold the same tensors in the same order; give the exported one the reference's (with
    non-trivial BatchNorm statistics) and compare outputs: the two implement one network."""
    with torch.no_grad():
        for name, t in reference.state_dict().items():
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape) + 0.5)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn(t.shape) * 0.1)
        ours.load_state_dict(dict(zip(ours.state_dict(), reference.state_dict().values())))
        return (ours(x) - reference(x)).abs().max().item()


def onnx_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def interleaved(contenders: dict, repeats: int, warmup: int = 3) -> dict[str, float]:
    """Median seconds per call of each contender, calling them in turn on each repeat."""
    times = {name: [] for name in contenders}
    with torch.no_grad():
        for i in range(warmup + repeats):
            for name, call in contenders.items():
                start = time.perf_counter()
                call()
                if i >= warmup:
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batch, fewer repeats (about 20 s)")
    args = parser.parse_args()
    batch, repeats = (16, 15) if args.quick else (64, 40)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    ref_name, reference = reference_network()
    reference.eval()
    with tempfile.TemporaryDirectory() as tmp:
        ours = exported(Path(tmp))
        session = onnx_session(Path(tmp) / "model.onnx")
        x = torch.randn(batch, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        x_np = x.numpy()
        n_ours, n_ref = (sum(p.numel() for p in m.parameters()) for m in (ours, reference))
        assert n_ours == n_ref, (n_ours, n_ref)
        diff = same_function(ours, reference, x)
        t = interleaved({"model.py": lambda: ours(x), "reference": lambda: reference(x),
                         "onnx": lambda: session.run(None, {"input": x_np})}, repeats)
    print(f"NB201 {ARCH} C={C} N={N}: {n_ours:,} parameters in both; batch {batch} at 32x32, one thread, "
          f"{repeats} interleaved repeats, medians")
    print(f"same function: with the reference's weights copied in order, outputs differ by at most {diff:.1e}")
    print(f"reference: {ref_name}: {t['reference'] * 1e3:.2f} ms")
    print(f"exported model.py:       {t['model.py'] * 1e3:.2f} ms")
    print(f"onnxruntime model.onnx:  {t['onnx'] * 1e3:.2f} ms ({t['onnx'] / t['model.py']:.2f}x the PyTorch module)")
    ratio = t["model.py"] / t["reference"]
    print(f"exported model.py / {ref_name.split(':')[0]}: {ratio:.3f}x forward latency (goal <= {GOAL}x)")


if __name__ == "__main__":
    main()
