"""model.onnx: a static module (the extracted subnet, never the elastic supernet) through the TorchScript-based
ONNX exporter, with a dynamic batch dimension, checked by `onnx.checker`.

The legacy exporter (`dynamo=False`) takes a fraction of a second where the torch.export-based one takes
seconds and needs onnxscript; torch marks it deprecated, so that one warning is silenced here.
"""
from __future__ import annotations

import io
import warnings

import torch
from torch import nn

OPSET = 17  # supported by onnxruntime and every recent onnx release
INPUT, OUTPUT = "input", "output"
DYNAMIC_AXES = {INPUT: {0: "batch"}, OUTPUT: {0: "batch"}}


def onnx_bytes(module: nn.Module, input_shape: tuple[int, int, int]) -> bytes:
    import onnx

    module = module.eval()
    example = torch.zeros(1, *input_shape)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(module, (example,), buffer, input_names=[INPUT], output_names=[OUTPUT],
                          dynamic_axes=DYNAMIC_AXES, opset_version=OPSET, dynamo=False)
    data = buffer.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    return data
