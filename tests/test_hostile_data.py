"""Data files built to cost time or memory, or to run a decoder nobody asked for (issue 14), and the data limits
of docs/training.md ("Limits on data files"), each at the limit and just past it.
"""
from __future__ import annotations

import pickle
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from fbndsl.data import cifar, load
from fbndsl.diagnostics import UserError


def _one_line_error(fn, *fragments: str) -> str:
    with pytest.raises(UserError) as info:
        fn()
    text = str(info.value)
    assert "\n" not in text and all(f in text for f in fragments), text
    return text


def _bounded(fn, seconds: float = 5, megabytes: int = 500):
    """Run `fn`, asserting it ends within `seconds` and allocates at most `megabytes` at its peak (numpy's
    buffers included: numpy reports them to tracemalloc)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        return fn()
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        assert elapsed < seconds and peak < megabytes, (elapsed, peak)


# ------------------------------------------------------------------------------------------------- CIFAR-10

def _batch(path: Path, data, labels, protocol: int = 4) -> None:
    path.write_bytes(pickle.dumps({"batch_label": "b", "data": data, "labels": labels}, protocol=protocol))


def _cifar(root: Path, n: int = 4) -> Path:
    root.mkdir(exist_ok=True)
    for name in ("data_batch_1", "test_batch"):
        _batch(root / name, np.zeros((n, 3072), np.uint8), [i % 10 for i in range(n)])
    return root


def test_shared_sublists_are_refused_before_numpy_expands_them(tmp_path):
    """A few KB that reference one list of 1,000 a thousand times, a thousand times: 10^9 labels by reference."""
    root = _cifar(tmp_path / "c")
    labels = [[[0] * 1000] * 1000] * 1000
    _batch(root / "data_batch_1", np.zeros((1, 3072), np.uint8), labels, protocol=2)
    assert (root / "data_batch_1").stat().st_size < 10_000
    _bounded(lambda: _one_line_error(lambda: load(f"cifar10:{root}"), "data_batch_1: mislabelled: 'labels' is "
                                     "not a list of integers"))


@pytest.mark.parametrize("labels, fragment", [
    ([1, [2]], "'labels' is not a list of integers"),
    ([True, False], "'labels' is not a list of integers"),
    (np.zeros((2, 1), np.int64), "'labels' is not a list of integers"),
    ([0, 10**30], "label 1000000000000000000000000000000 at index 1 is outside 0..9"),
    ([0, 1, 2], "2 images but 3 labels"),
])
def test_labels_are_checked_as_unpickled(tmp_path, labels, fragment):
    root = _cifar(tmp_path / "c")
    _batch(root / "test_batch", np.zeros((2, 3072), np.uint8), labels)
    _one_line_error(lambda: load(f"cifar10:{root}"), f"test_batch: mislabelled: {fragment}")


@pytest.mark.parametrize("labels", [[3, 9], (3, 9), np.array([3, 9], np.int32), np.array([3, 9], np.uint8)])
def test_flat_integer_labels_of_any_kind_load(tmp_path, labels):
    root = _cifar(tmp_path / "c")
    _batch(root / "test_batch", np.zeros((2, 3072), np.uint8), labels)
    assert load(f"cifar10:{root}").test.labels.tolist() == [3, 9]


def test_a_batch_at_the_size_limit_loads_and_one_past_it_is_refused_unread(tmp_path, monkeypatch):
    root = _cifar(tmp_path / "c")
    size = (root / "data_batch_1").stat().st_size
    monkeypatch.setattr(cifar, "MAX_BATCH_BYTES", size)
    assert len(load(f"cifar10:{root}").train) == 4
    monkeypatch.setattr(cifar, "MAX_BATCH_BYTES", size - 1)
    monkeypatch.setattr(cifar, "load_pickle", lambda *a: pytest.fail("unpickled a batch over the limit"))
    _one_line_error(lambda: load(f"cifar10:{root}"), f"data_batch_1 is {size:,} bytes",
                    f"may have at most {size - 1:,}")


def test_the_batch_size_limit_is_above_an_official_batch_in_any_protocol():
    """10,000 images: 31 MB with protocols 2 to 5; protocol 0 escapes bytes, 6x as long for black images."""
    assert 6 * 10_000 * 3072 < cifar.MAX_BATCH_BYTES < 300_000_000


def test_a_huge_batch_file_is_refused_without_reading_it(tmp_path):
    root = _cifar(tmp_path / "c")
    with (root / "test_batch").open("r+b") as f:
        f.truncate(cifar.MAX_BATCH_BYTES + 1)  # sparse: nothing is written
    _bounded(lambda: _one_line_error(lambda: load(f"cifar10:{root}"), "test_batch is 256,000,001 bytes"),
             seconds=2, megabytes=50)


# ---------------------------------------------------------------------------------------------- image folders

def _png(path: Path, size=(8, 8)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (10, 20, 30)).save(path)


def _folder(root: Path) -> Path:
    _png(root / "train/a/1.png")
    _png(root / "val/a/1.png")
    return root


POSTSCRIPT = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nnewpath 0 0 moveto 8 8 lineto stroke\nshowpage\n"


def test_a_postscript_file_named_png_is_refused_without_a_decoder(tmp_path, monkeypatch):
    """Pillow would hand it to its EPS plugin, which runs Ghostscript; only PNG and JPEG decoders may run."""
    import subprocess

    root = _folder(tmp_path / "imgs")
    (root / "train/a/2.png").write_bytes(POSTSCRIPT)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail(f"ran {a[0]!r}"))
    _bounded(lambda: _one_line_error(lambda: load(f"folder:{root}", resolution=8), f"folder:{root}: cannot read "
                                     f"image {root / 'train/a/2.png'} (not a PNG or JPEG image); replace or remove it"))


def test_other_formats_are_refused_whatever_their_name(tmp_path):
    from PIL import Image

    root = _folder(tmp_path / "imgs")
    Image.new("RGB", (8, 8)).save(root / "val/a/2.png", format="GIF")
    _one_line_error(lambda: load(f"folder:{root}", resolution=8), "val/a/2.png (not a PNG or JPEG image)")


def test_a_jpeg_named_png_is_still_a_jpeg(tmp_path):
    from PIL import Image

    root = _folder(tmp_path / "imgs")
    Image.new("RGB", (8, 8), (200, 0, 0)).save(root / "val/a/2.png", format="JPEG")
    assert len(load(f"folder:{root}", resolution=8).test) == 2


@pytest.mark.parametrize("size, refused", [((8, 8), False), ((8, 9), True), ((16, 16), True)])
def test_pixels_at_the_limit_load_and_past_it_are_refused(tmp_path, monkeypatch, size, refused):
    """Pillow's MAX_IMAGE_PIXELS, made 64 here: up to twice it Pillow only warns; it is an error all the same."""
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64)
    root = tmp_path / "imgs"
    _png(root / "train/a/1.png", size)
    _png(root / "val/a/1.png")
    if not refused:
        assert len(load(f"folder:{root}", resolution=8).train) == 1
        return
    _one_line_error(lambda: load(f"folder:{root}", resolution=8), f"{root / 'train/a/1.png'} is too large to "
                    f"decode (Image size ({size[0] * size[1]} pixels) exceeds limit of", "shrink or remove")


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width x height and whose one data chunk holds almost nothing."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    """10,000 x 10,000 claimed (300 MB of RGB), between Pillow's warning and its error: refused before decoding."""
    root = _folder(tmp_path / "imgs")
    _png_header_only(root / "train/a/2.png", 10_000, 10_000)
    _bounded(lambda: _one_line_error(lambda: load(f"folder:{root}", resolution=8), "train/a/2.png is too large "
                                     "to decode (Image size (100000000 pixels) exceeds limit of 89478485 pixels"))
