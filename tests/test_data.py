"""fbndsl.data: `--data` specs, CIFAR-10 read through a restricted unpickler, image folders, the built-in
digits, and reproducible augmentation and batching.

Numbers are checked against independent computations: the raw pickles read by plain `pickle` (the shared
files are trusted), numpy's own padding and flipping, a hand-built bilinear matrix, scikit-learn's labels.
"""
from __future__ import annotations

import os
import pickle
import pickletools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from fbndsl.data import Augment, DataKind, DataSpec, ImageDataset, epoch_loader, epoch_seed, load, parse_data_spec
from fbndsl.data.digits import stratified_split, upsample
from fbndsl.data.safe_pickle import load_pickle
from fbndsl.diagnostics import UserError

CIFAR = Path(__file__).resolve().parents[1].parent / "shared/data/cifar10-10k/cifar-10-batches-py"
needs_cifar = pytest.mark.skipif(not CIFAR.is_dir(), reason=f"{CIFAR} absent")
ROOT = Path(__file__).resolve().parents[1]


def user_error(fn, *fragments: str) -> str:
    """Run `fn`, expect a one-line UserError containing every fragment; return its text."""
    with pytest.raises(UserError) as info:
        fn()
    text = str(info.value)
    assert "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


# ---------------------------------------------------------------------------------------------- specs

@pytest.mark.parametrize("text, kind, path", [
    ("cifar10:/x/cifar-10-batches-py", DataKind.CIFAR10, Path("/x/cifar-10-batches-py")),
    ("folder:rel/images", DataKind.FOLDER, Path("rel/images")),
    ("digits", DataKind.DIGITS, None),
])
def test_parse_valid_specs(text, kind, path):
    spec = parse_data_spec(text)
    assert spec == DataSpec(kind, path)
    assert str(spec) == text


@pytest.mark.parametrize("text, fragments", [
    ("imagenet:/x", ("'imagenet:/x'", "unknown data source", "cifar10:PATH", "folder:PATH", "digits")),
    ("/data/cifar", ("'/data/cifar'", "unknown data source", "cifar10:PATH")),
    ("CIFAR10:/x", ("unknown data source",)),
    ("cifar10:", ("'cifar10:'", "needs a path", "cifar10:PATH")),
    ("folder:  ", ("needs a path",)),
    ("digits:/x", ("'digits:/x'", "takes no path")),
])
def test_parse_invalid_specs(text, fragments):
    user_error(lambda: parse_data_spec(text), *fragments)


def test_parsing_a_spec_imports_no_torch():
    code = ("import sys, fbndsl.data as d; d.parse_data_spec('cifar10:/x'); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------------------------- CIFAR-10

@pytest.fixture(scope="module")
def cifar():
    if not CIFAR.is_dir():
        pytest.skip(f"{CIFAR} absent")
    return load(f"cifar10:{CIFAR}", seed=7)


@pytest.fixture(scope="module")
def cifar_raw():
    """The shared (trusted) batches read by plain pickle: the independent reference."""
    def read(name):
        with open(CIFAR / name, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        return batch[b"data"].reshape(-1, 3, 32, 32), np.array(batch[b"labels"])
    if not CIFAR.is_dir():
        pytest.skip(f"{CIFAR} absent")
    return read("data_batch_1"), read("test_batch")


@needs_cifar
def test_cifar_sizes_and_class_balance(cifar):
    assert (cifar.name, cifar.num_classes, cifar.channels, cifar.resolution) == ("cifar10", 10, 3, 32)
    assert cifar.classes[:3] == ("airplane", "automobile", "bird") and len(cifar.classes) == 10
    assert cifar.train.images.shape == (10_000, 3, 32, 32) and cifar.train.images.dtype == torch.uint8
    assert cifar.test.images.shape == (2_000, 3, 32, 32)
    assert torch.bincount(cifar.train.labels).tolist() == [1000] * 10
    assert torch.bincount(cifar.test.labels).tolist() == [200] * 10
    image, label = cifar.test[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and type(label) is int


@needs_cifar
def test_cifar_pixels_match_the_raw_pickles(cifar, cifar_raw):
    (train_x, train_y), (test_x, test_y) = cifar_raw
    assert np.array_equal(cifar.train.images.numpy(), train_x) and np.array_equal(cifar.train.labels, train_y)
    assert np.array_equal(cifar.test.images.numpy(), test_x) and np.array_equal(cifar.test.labels, test_y)
    mean = train_x.astype(np.float64).mean(axis=(0, 2, 3))
    std = train_x.astype(np.float64).std(axis=(0, 2, 3))
    assert np.allclose(np.array(cifar.mean) * 255, mean, atol=1e-6)
    assert np.allclose(np.array(cifar.std) * 255, std, atol=1e-6)
    # the known CIFAR-10 statistics; this subset (and its JPEG round trip) is within half a level of them
    assert np.allclose(mean, [125.3, 122.9, 113.9], atol=0.5), mean


@needs_cifar
def test_cifar_items_are_normalised_with_train_statistics(cifar, cifar_raw):
    (_, _), (test_x, test_y) = cifar_raw
    mean, std = np.array(cifar.mean)[:, None, None], np.array(cifar.std)[:, None, None]
    for i in (0, 1, 1999):
        image, label = cifar.test[i]
        assert np.allclose(image.numpy(), (test_x[i] / 255.0 - mean) / std, atol=1e-5) and label == test_y[i]


@needs_cifar
def test_restricted_unpickler_reads_the_official_layout():
    batch = load_pickle(CIFAR / "test_batch", "test")
    assert batch["data"].dtype == np.uint8 and batch["data"].shape == (2000, 3072)
    assert isinstance(batch["labels"], list) and len(batch["labels"]) == 2000
    assert load_pickle(CIFAR / "batches.meta", "test")["label_names"][9] == "truck"
    globals_ = {arg for op, arg, _ in pickletools.genops((CIFAR / "test_batch").read_bytes()) if op.name == "GLOBAL"}
    assert globals_ == {"numpy._core.multiarray _reconstruct", "numpy ndarray", "numpy dtype"}


@needs_cifar
def test_restricted_unpickler_reads_numpy1_pickles(tmp_path):
    """The official download was written by numpy 1, which names `numpy.core.multiarray`."""
    data = (CIFAR / "test_batch").read_bytes()
    old = data.replace(b"cnumpy._core.multiarray\n_reconstruct\n", b"cnumpy.core.multiarray\n_reconstruct\n")
    assert old != data
    (tmp_path / "test_batch").write_bytes(old)
    assert np.array_equal(load_pickle(tmp_path / "test_batch", "test")["data"],
                          load_pickle(CIFAR / "test_batch", "test")["data"])


# ---------------------------------------------------------------------------------------------- augmentation

@needs_cifar
def test_augmentation_is_pad_crop_flip(cifar, cifar_raw):
    """Each augmented item is numpy's zero-pad, crop at Augment.params, mirror: checked pixel for pixel."""
    (train_x, _), _ = cifar_raw
    mean, std = np.array(cifar.mean)[:, None, None], np.array(cifar.std)[:, None, None]
    for i in range(12):
        top, left, flip = cifar.train.augment.params(i)
        window = np.pad(train_x[i], ((0, 0), (4, 4), (4, 4)))[:, top:top + 32, left:left + 32]
        window = window[:, :, ::-1] if flip else window
        assert np.allclose(cifar.train[i][0].numpy(), (window / 255.0 - mean) / std, atol=1e-5), i


def test_augmentation_parameters_cover_every_offset():
    params = [Augment(seed=3, epoch=2).params(i) for i in range(5000)]
    assert {p[0] for p in params} == set(range(9)) == {p[1] for p in params}
    assert 0.45 < sum(p[2] for p in params) / len(params) < 0.55
    assert Augment(seed=3, epoch=2, flip=False).params(1)[2] is False
    assert [Augment(seed=3, epoch=2).params(i) for i in range(50)] == params[:50]
    assert [Augment(seed=3, epoch=3).params(i) for i in range(50)] != params[:50]
    assert epoch_seed(0, 1) != epoch_seed(1, 0) and 0 <= epoch_seed(-5, 10**9) < 2**63


@pytest.fixture(scope="module")
def cifar_again():
    """A second, independent load with the same seed: what a resumed process would build."""
    if not CIFAR.is_dir():
        pytest.skip(f"{CIFAR} absent")
    return load(f"cifar10:{CIFAR}", seed=7)


@needs_cifar
def test_augmentation_depends_on_seed_epoch_index_only(cifar, cifar_again):
    again = cifar_again
    other = ImageDataset(cifar.train.images, cifar.train.labels, cifar.mean, cifar.std, Augment(seed=8))
    same = [torch.equal(cifar.train[i][0], again.train[i][0]) for i in range(20)]
    assert all(same)
    assert not all(torch.equal(cifar.train[i][0], other[i][0]) for i in range(20))
    later = cifar.train.at_epoch(1)
    assert not all(torch.equal(cifar.train[i][0], later[i][0]) for i in range(20))
    assert torch.equal(cifar.train[-1][0], cifar.train[len(cifar.train) - 1][0])
    assert cifar.test.at_epoch(5) is cifar.test  # the test split is never augmented
    plain = ImageDataset(cifar.train.images, cifar.train.labels, cifar.mean, cifar.std)
    assert plain.at_epoch(4) is plain and not torch.equal(plain[3][0], cifar.train[3][0])


def first_batches(dataset, epoch: int, n: int = 3, **kw) -> list[tuple[torch.Tensor, torch.Tensor]]:
    loader = epoch_loader(dataset, batch_size=32, seed=11, epoch=epoch, **kw)
    return [batch for batch, _ in zip(loader, range(n))]


def same_batches(a, b) -> bool:
    return all(torch.equal(x1, x2) and torch.equal(y1, y2) for (x1, y1), (x2, y2) in zip(a, b))


@needs_cifar
def test_epochs_replay_exactly_after_a_resume(cifar, cifar_again):
    """A run over epochs 0, 1, 2 and a fresh process resumed at epoch 2 see identical batches."""
    run = [first_batches(cifar.train, epoch) for epoch in range(3)]
    resumed = first_batches(cifar_again.train, 2)
    assert same_batches(run[2], resumed)
    assert not same_batches(run[0], run[1])
    assert run[0][0][0].shape == (32, 3, 32, 32) and run[0][0][1].dtype == torch.int64


# ---------------------------------------------------------------------------------------------- the safe unpickler

class _Payload:
    """Unpickling this runs `func(*args)`: what a doctored batch would do to a plain pickle.load."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _payloads(marker: Path) -> dict[str, _Payload]:
    return {
        "os.system": _Payload(os.system, (f"touch '{marker}'",)),
        "builtins.eval": _Payload(eval, (f"open({str(marker)!r}, 'w').close()",)),
        "subprocess.call": _Payload(subprocess.call, (["touch", str(marker)],)),
    }


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "subprocess.call"])
def test_malicious_pickle_is_rejected_not_executed(tmp_path, name):
    live = tmp_path / "live"
    pickle.loads(pickle.dumps(_payloads(live)[name]))  # the payload is real: plain pickle runs it
    assert live.exists()
    marker = tmp_path / "pwned"
    root = tmp_path / "cifar"
    root.mkdir()
    doctored = {"data": _payloads(marker)[name], "labels": [0]}
    (root / "data_batch_1").write_bytes(pickle.dumps(doctored, protocol=2))
    write_batch(root / "test_batch", np.zeros((1, 3072), np.uint8), [0])
    text = user_error(lambda: load(f"cifar10:{root}"), str(root / "data_batch_1"), "disallowed object")
    assert name.split(".")[1] in text
    assert not marker.exists()


# ---------------------------------------------------------------------------------------------- CIFAR errors

def write_batch(path: Path, data, labels) -> None:
    path.write_bytes(pickle.dumps({"batch_label": "test", "data": data, "labels": labels}, protocol=4))


def fake_cifar(root: Path, n: int = 20) -> Path:
    root.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for name in ("data_batch_1", "data_batch_2", "test_batch"):
        write_batch(root / name, rng.integers(0, 256, (n, 3072), dtype=np.uint8), [i % 10 for i in range(n)])
    return root


def test_fake_cifar_loads_batches_in_order(tmp_path):
    root = fake_cifar(tmp_path / "c")
    write_batch(root / "data_batch_10", np.full((1, 3072), 7, np.uint8), [3])
    data = load(f"cifar10:{root}")
    assert len(data.train) == 41 and len(data.test) == 20
    assert data.train.labels[-1] == 3 and int(data.train.images[-1].max()) == 7  # data_batch_10 comes last


def test_parent_of_the_batches_directory_is_accepted(tmp_path):
    fake_cifar(tmp_path / "cifar-10-batches-py")
    assert len(load(f"cifar10:{tmp_path}").test) == 20


def _corrupt(root: Path) -> None:
    good = (root / "data_batch_1").read_bytes()
    (root / "data_batch_1").write_bytes(good[: len(good) // 2])


CIFAR_ERRORS = {
    "truncated": (_corrupt, ("data_batch_1", "truncated or corrupt", "download the CIFAR-10 python version")),
    "garbage": (lambda r: (r / "data_batch_1").write_bytes(b"this is not a pickle"), ("truncated or corrupt",)),
    "not a dict": (lambda r: (r / "data_batch_1").write_bytes(pickle.dumps([1, 2, 3])),
                   ("data_batch_1 is not a CIFAR-10 batch",)),
    "wrong shape": (lambda r: write_batch(r / "data_batch_1", np.zeros((5, 100), np.uint8), [0] * 5),
                    ("'data' is uint8 array of shape (5, 100), expected uint8 N x 3072",)),
    "wrong dtype": (lambda r: write_batch(r / "data_batch_1", np.zeros((5, 3072), np.int64), [0] * 5),
                    ("'data' is int64 array of shape (5, 3072)",)),
    "no images": (lambda r: write_batch(r / "test_batch", np.zeros((0, 3072), np.uint8), []),
                  ("test_batch holds no images",)),
    "label range": (lambda r: write_batch(r / "test_batch", np.zeros((5, 3072), np.uint8), [0, 1, 2, 3, 12]),
                    ("test_batch: mislabelled: label 12 at index 4 is outside 0..9",)),
    "negative label": (lambda r: write_batch(r / "data_batch_2", np.zeros((2, 3072), np.uint8), [-1, 0]),
                       ("data_batch_2: mislabelled: label -1 at index 0",)),
    "label count": (lambda r: write_batch(r / "data_batch_1", np.zeros((5, 3072), np.uint8), [0] * 4),
                    ("mislabelled: 5 images but 4 labels",)),
    "label type": (lambda r: write_batch(r / "data_batch_1", np.zeros((2, 3072), np.uint8), ["a", "b"]),
                   ("mislabelled: 'labels' is not a list of integers",)),
    "no test batch": (lambda r: (r / "test_batch").unlink(), ("no test_batch file in",)),
    "no train batch": (lambda r: [p.unlink() for p in r.glob("data_batch_*")],
                       ("no data_batch_* files in", "give the CIFAR-10 python directory (cifar-10-batches-py)")),
    "bad meta": (lambda r: (r / "batches.meta").write_bytes(pickle.dumps({"label_names": ["a"]})),
                 ("batches.meta has no list of 10 'label_names'",)),
}


@pytest.mark.parametrize("case", list(CIFAR_ERRORS))
def test_cifar_errors(tmp_path, case):
    root = fake_cifar(tmp_path / "c")
    damage, fragments = CIFAR_ERRORS[case]
    damage(root)
    user_error(lambda: load(f"cifar10:{root}"), f"cifar10:{root}: ", *fragments)


def test_cifar_missing_directory(tmp_path):
    user_error(lambda: load(f"cifar10:{tmp_path}/nope"), f"cifar10:{tmp_path}/nope: ", "does not exist",
               "cifar-10-batches-py")
    (tmp_path / "file").write_text("x")
    user_error(lambda: load(f"cifar10:{tmp_path}/file"), "is not a directory")


def test_bad_resolution():
    user_error(lambda: load("digits", resolution=0), "resolution must be a positive integer")


# ---------------------------------------------------------------------------------------------- image folders

def png(path: Path, color, size=(8, 8), mode="RGB") -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


def test_folder_with_train_and_val(tmp_path):
    png(tmp_path / "train/dog/b.png", (10, 200, 30), size=(40, 20))
    png(tmp_path / "train/dog/a.png", (1, 2, 3))
    png(tmp_path / "train/cat/x.png", 77, size=(5, 9), mode="L")  # grey: replicated to 3 channels
    png(tmp_path / "val/cat/y.png", (250, 0, 5), size=(16, 16))
    (tmp_path / "train/cat/notes.txt").write_text("not an image")  # ignored
    data = load(f"folder:{tmp_path}", resolution=16, augment=False)
    assert (data.classes, data.num_classes, data.resolution, data.channels) == (("cat", "dog"), 2, 16, 3)
    assert data.name == tmp_path.name
    assert data.train.images.shape == (3, 3, 16, 16) and data.test.images.shape == (1, 3, 16, 16)
    assert data.train.labels.tolist() == [0, 1, 1] and data.test.labels.tolist() == [0]
    colours = [tuple(img[:, 7, 7].tolist()) for img in data.train.images]
    assert colours == [(77, 77, 77), (1, 2, 3), (10, 200, 30)]  # cat/x, dog/a, dog/b: sorted by class, name
    assert torch.equal(data.train.images[2], torch.tensor([10, 200, 30], dtype=torch.uint8).view(3, 1, 1)
                       .expand(3, 16, 16))
    assert tuple(data.test.images[0][:, 0, 0].tolist()) == (250, 0, 5)
    assert data.train[0][0].shape == (3, 16, 16)


def test_folder_resize_keeps_aspect_and_centre(tmp_path):
    from PIL import Image

    img = Image.new("RGB", (64, 16), (0, 0, 255))  # wide: blue, with a red band in the middle 32 columns
    img.paste((255, 0, 0), (16, 0, 48, 16))
    (tmp_path / "train/a").mkdir(parents=True)
    img.save(tmp_path / "train/a/wide.png")
    png(tmp_path / "val/a/v.png", (0, 0, 0))
    data = load(f"folder:{tmp_path}", resolution=8, augment=False)
    image = data.train.images[0]
    assert image.shape == (3, 8, 8)  # 64x16 -> 32x8 -> centre 8x8: columns 12..19 of 32, inside the band's 8..23
    assert image[0].min() >= 250 and image[2].max() <= 5


def test_flat_folder_holds_out_every_tenth_image(tmp_path):
    for cls, n in (("a", 12), ("b", 10), ("c", 3)):
        for i in range(n):
            png(tmp_path / cls / f"{i:02d}.png", (i * 10, 0, 0))
    data = load(f"folder:{tmp_path}", resolution=4, augment=False)
    assert data.classes == ("a", "b", "c")
    assert data.test.labels.tolist() == [0, 1] and data.test.images[:, 0, 0, 0].tolist() == [90, 90]
    assert len(data.train) == 11 + 9 + 3
    assert 90 not in data.train.images[data.train.labels < 2][:, 0, 0, 0].tolist()


FOLDER_ERRORS = {
    "empty": (lambda r: None, ("no class folders in",)),
    "class without images": (lambda r: (png(r / "a/1.png", 1), (r / "b").mkdir()),
                             ("class folder", "/b has no .png/.jpg/.jpeg images")),
    "unreadable": (lambda r: (png(r / "train/a/1.png", 1), png(r / "val/a/1.png", 1),
                              (r / "train/a/2.png").write_bytes(b"garbage")),
                   ("cannot read image", "/train/a/2.png", "replace or remove it")),
    "truncated": (lambda r: (png(r / "train/a/1.png", 1), png(r / "val/a/1.png", (9, 9, 9), size=(64, 64)),
                             (r / "val/a/2.png").write_bytes((r / "val/a/1.png").read_bytes()[:60])),
                  ("cannot read image", "/val/a/2.png")),
    "train without val": (lambda r: png(r / "train/a/1.png", 1), ("has train/ but no val/",)),
    "unknown val class": (lambda r: (png(r / "train/a/1.png", 1), png(r / "val/b/1.png", 1)),
                          ("has class folder 'b' that", "lacks")),
    "too few to hold out": (lambda r: png(r / "a/1.png", 1), ("no class in", "has 10 images")),
}


@pytest.mark.parametrize("case", list(FOLDER_ERRORS))
def test_folder_errors(tmp_path, case):
    root = tmp_path / "imgs"
    root.mkdir()
    make, fragments = FOLDER_ERRORS[case]
    make(root)
    user_error(lambda: load(f"folder:{root}", resolution=8), f"folder:{root}: ", *fragments)


def test_folder_missing(tmp_path):
    user_error(lambda: load(f"folder:{tmp_path}/nope"), "does not exist", "ROOT/<class>/*.png|jpg")


# ---------------------------------------------------------------------------------------------- digits

@pytest.fixture(scope="module")
def digits():
    return load("digits", seed=1)


@pytest.fixture(scope="module")
def sklearn_digits():
    from sklearn.datasets import load_digits

    return load_digits()


def test_digits_shapes_and_split(digits, sklearn_digits):
    assert (digits.name, digits.num_classes, digits.channels, digits.resolution) == ("digits", 10, 3, 32)
    assert digits.classes == tuple("0123456789")
    assert len(digits.train) + len(digits.test) == 1797
    assert digits.train.images.shape[1:] == (3, 32, 32) and digits.train.images.dtype == torch.uint8
    image, label = digits.train[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and type(label) is int
    per_class = np.bincount(sklearn_digits.target)
    assert torch.bincount(digits.test.labels).tolist() == [round(0.2 * n) for n in per_class]
    assert (torch.bincount(digits.train.labels) + torch.bincount(digits.test.labels)).tolist() == per_class.tolist()
    imgs = digits.train.images
    assert torch.equal(imgs[:, 0], imgs[:, 1]) and torch.equal(imgs[:, 0], imgs[:, 2])


def _bilinear_matrix(src: int, dst: int) -> np.ndarray:
    """Half-pixel-centre bilinear weights (align_corners=False), written out from the definition."""
    m = np.zeros((dst, src))
    for j in range(dst):
        s = min(max((j + 0.5) * src / dst - 0.5, 0.0), src - 1.0)
        i0 = int(np.floor(s))
        i1 = min(i0 + 1, src - 1)
        m[j, i0] += 1 - (s - i0)
        m[j, i1] += s - i0
    return m


def test_digits_upsampling_is_bilinear(sklearn_digits):
    m = _bilinear_matrix(8, 32)
    expected = np.einsum("ij,njk,lk->nil", m, sklearn_digits.images * 255 / 16, m)
    got = upsample(torch.from_numpy(sklearn_digits.images), 32)[:, 0].numpy().astype(np.float64)
    assert np.abs(got - expected).max() <= 0.5 + 1e-3


def test_digits_split_is_fixed_and_stratified(digits, sklearn_digits):
    labels = torch.from_numpy(sklearn_digits.target).long()
    train, test = stratified_split(labels, 0.2, 0)
    assert sorted(train.tolist() + test.tolist()) == list(range(1797))
    images = upsample(torch.from_numpy(sklearn_digits.images), 32)
    assert torch.equal(digits.test.images, images[test]) and torch.equal(digits.train.labels, labels[train])
    other_seed = load("digits", seed=2, augment=False)
    assert torch.equal(other_seed.test.images, digits.test.images)  # the run seed never moves the test set


def test_digits_batches_do_not_depend_on_workers(digits):
    assert same_batches(first_batches(digits.train, 3, n=2), first_batches(digits.train, 3, n=2, num_workers=2))
