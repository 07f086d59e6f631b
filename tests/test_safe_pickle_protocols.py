"""The safe CIFAR-10 unpickler reads a genuine batch re-saved from Python 3 with any pickle protocol (2 and 5
spell bytes and arrays through other reconstructors than the official files), and still refuses the rest.

The reference is the shared batch read by plain `pickle` (the shared files are trusted)."""
from __future__ import annotations

import os
import pickle
import pickletools
from pathlib import Path

import numpy as np
import pytest

from fbndsl.data import load
from fbndsl.data.safe_pickle import load_pickle
from fbndsl.diagnostics import UserError

CIFAR = Path(__file__).resolve().parents[1].parent / "shared/data/cifar10-10k/cifar-10-batches-py"
needs_cifar = pytest.mark.skipif(not CIFAR.is_dir(), reason=f"{CIFAR} absent")
PROTOCOLS = [2, 3, 4, 5]
try:
    from numpy._core.numeric import _frombuffer  # numpy 2
except ImportError:
    from numpy.core.numeric import _frombuffer  # numpy 1
FROMBUFFER = f"{_frombuffer.__module__}._frombuffer"


class _Call:
    """Unpickling this calls `func(*args)`."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args



def plain(name: str, encoding: str) -> dict:
    with (CIFAR / name).open("rb") as f:
        return pickle.load(f, encoding=encoding)


def resaved(root: Path, protocol: int, encoding: str) -> Path:
    """The shared test batch, loaded as Python 3 code loads it (str keys with latin1, bytes keys with the
    `encoding="bytes"` of CIFAR-10's own instructions) and saved again: train and test batch alike."""
    root.mkdir()
    for name in ("data_batch_1", "test_batch"):
        (root / name).write_bytes(pickle.dumps(plain("test_batch", encoding), protocol=protocol))
    return root


def globals_of(data: bytes) -> set[str]:
    """Every module and name a pickle imports, GLOBAL or STACK_GLOBAL (whose operands are the strings before)."""
    found, strings = set(), []
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
        elif op.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif isinstance(arg, str):
            strings.append(arg)
    return found


@needs_cifar
@pytest.mark.parametrize("encoding", ["latin1", "bytes"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_resaved_batch_loads_with_the_same_arrays(tmp_path, protocol, encoding):
    root = resaved(tmp_path / "cifar", protocol, encoding)
    want = plain("test_batch", "latin1")
    data = load(f"cifar10:{root}")
    assert np.array_equal(data.test.images.numpy().reshape(-1, 3072), want["data"])
    assert data.test.labels.tolist() == want["labels"]
    assert np.array_equal(data.train.images.numpy(), data.test.images.numpy())


@needs_cifar
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_load_pickle_returns_what_plain_pickle_returns(tmp_path, protocol):
    path = resaved(tmp_path / "cifar", protocol, "bytes") / "test_batch"
    got, want = load_pickle(path, "test"), plain("test_batch", "bytes")
    assert got.keys() == want.keys() and got[b"batch_label"] == want[b"batch_label"]
    assert got[b"filenames"] == want[b"filenames"] and got[b"labels"] == want[b"labels"]
    assert got[b"data"].dtype == np.uint8 and np.array_equal(got[b"data"], want[b"data"])


@needs_cifar
def test_protocols_2_and_5_are_the_ones_that_need_the_new_reconstructors(tmp_path):
    """Guards the test above: if numpy stopped using these, it would no longer test what it claims."""
    batch = plain("test_batch", "bytes")
    assert "_codecs.encode" in globals_of(pickle.dumps(batch, protocol=2))
    assert FROMBUFFER in globals_of(pickle.dumps(batch, protocol=5))
    for protocol in (3, 4):
        assert not globals_of(pickle.dumps(batch, protocol=protocol)) & {"_codecs.encode", FROMBUFFER}


@pytest.mark.parametrize("module", ["numpy.core.numeric", "numpy._core.numeric"])
def test_numpy1_and_numpy2_names_of_frombuffer_both_load(tmp_path, module):
    """numpy 1 names `numpy.core.numeric._frombuffer`; protocol 2's GLOBAL is plain text, easy to rename."""
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    data = pickle.dumps({"data": _Call(_frombuffer, (array.tobytes(), array.dtype, array.shape, "C"))}, protocol=2)
    written = f"c{_frombuffer.__module__}\n_frombuffer\n".encode()
    assert written in data
    (tmp_path / "b").write_bytes(data.replace(written, f"c{module}\n_frombuffer\n".encode()))
    assert np.array_equal(load_pickle(tmp_path / "b", "test")["data"], array)


# -- still refused ----------------------------------------------------------------------------------------------

def refused(tmp_path: Path, obj, protocol: int, *fragments: str) -> str:
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({"data": obj, "labels": [0]}, protocol=protocol))
    with pytest.raises(UserError) as info:
        load_pickle(path, "cifar10:x")
    text = str(info.value)
    assert "\n" not in text and str(path) in text and "disallowed object" in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_os_system_is_refused_in_every_protocol(tmp_path, protocol):
    marker = tmp_path / "pwned"
    refused(tmp_path, _Call(os.system, (f"touch '{marker}'",)), protocol, "system")
    assert not marker.exists()


@pytest.mark.parametrize("encoding", ["rot13", "zlib_codec", "base64", "utf-8"])
def test_codecs_encode_is_admitted_for_latin1_only(tmp_path, encoding):
    import codecs

    refused(tmp_path, _Call(codecs.encode, ("text", encoding)), 2, "_codecs.encode", repr(encoding))


@pytest.mark.parametrize("name", ["_codecs.decode", "_codecs.lookup", "numpy.frombuffer", "numpy.load",
                                  "numpy._core.numeric.fromstring", "numpy._core.multiarray.scalar",
                                  "copyreg._reconstructor", "builtins.getattr", "builtins.bytearray"])
def test_neighbours_of_the_admitted_names_stay_refused(tmp_path, name):
    module, _, attr = name.rpartition(".")
    data = pickle.dumps({"data": None, "labels": [0]}, protocol=2)
    data = data.replace(b"N", b"c" + module.encode() + b"\n" + attr.encode() + b"\n", 1)  # 'None' -> the global
    (tmp_path / "data_batch_1").write_bytes(data)
    with pytest.raises(UserError, match="disallowed object") as info:
        load_pickle(tmp_path / "data_batch_1", "cifar10:x")
    assert name in str(info.value) and "\n" not in str(info.value)
