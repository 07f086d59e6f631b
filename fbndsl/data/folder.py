"""An ImageNet-style folder of images: ROOT/train/<class>/* and ROOT/val/<class>/*, or just ROOT/<class>/*.

Classes are the sorted subfolder names (as torchvision's ImageFolder numbers them). Without train/ and val/,
every 10th image of each class (in file-name order) is held out as the test split, so the split is the same on
every machine. Images are decoded once, converted to RGB (grey replicated to 3 channels), resized so that the
shorter side is `resolution` and centre-cropped square, and kept in memory as uint8.
"""
from __future__ import annotations

from pathlib import Path

import torch

from ..diagnostics import UserError
from .dataset import build_data
from .loaded import Data
from .spec import DataSpec

SUFFIXES = (".png", ".jpg", ".jpeg")
FORMATS = ("PNG", "JPEG")  # the decoders Pillow may use, whatever a file's content claims
HOLDOUT_EVERY = 10
_LAYOUT = "ROOT/train/<class>/*.png|jpg with ROOT/val/<class>/..., or ROOT/<class>/*.png|jpg"

Samples = list[tuple[Path, int]]


def load_folder(spec: DataSpec, *, augment: bool, seed: int, resolution: int) -> Data:
    """Read the whole tree named by `spec` into memory at `resolution` x `resolution`."""
    root = _root(spec)
    classes, train, test = _split_layout(spec, root) if _has_split(spec, root) else _flat_layout(spec, root)
    return build_data(name=root.resolve().name or str(root), classes=classes,
                      train=_read_all(spec, train, resolution), test=_read_all(spec, test, resolution),
                      augment=augment, seed=seed)


def _root(spec: DataSpec) -> Path:
    if not spec.path.is_dir():
        what = "is not a directory" if spec.path.exists() else "does not exist"
        raise UserError(f"{spec}: {spec.path} {what}; give a folder laid out as {_LAYOUT}")
    return spec.path


def _has_split(spec: DataSpec, root: Path) -> bool:
    """Whether ROOT has train/ and val/; one without the other is a mistake, not a class named 'train'."""
    train, val = (root / "train").is_dir(), (root / "val").is_dir()
    if train != val:
        have, missing = ("train", "val") if train else ("val", "train")
        raise UserError(f"{spec}: {root} has {have}/ but no {missing}/; add {root / missing} "
                        f"or lay the folder out as ROOT/<class>/*.png|jpg")
    return train


def _split_layout(spec: DataSpec, root: Path) -> tuple[tuple[str, ...], Samples, Samples]:
    classes = _class_dirs(spec, root / "train")
    val_classes = _class_dirs(spec, root / "val")
    unknown = sorted(set(val_classes) - set(classes))
    if unknown:
        raise UserError(f"{spec}: {root / 'val'} has class folder '{unknown[0]}' that {root / 'train'} lacks; "
                        f"val classes must be train classes")
    index = {name: i for i, name in enumerate(classes)}
    train = [(f, index[c]) for c in classes for f in _images(spec, root / "train" / c)]
    test = [(f, index[c]) for c in val_classes for f in _images(spec, root / "val" / c)]
    return classes, train, test


def _flat_layout(spec: DataSpec, root: Path) -> tuple[tuple[str, ...], Samples, Samples]:
    """Hold out the 10th, 20th, ... image of each class; a test split with no image at all is an error."""
    classes = _class_dirs(spec, root)
    train: Samples = []
    test: Samples = []
    for label, name in enumerate(classes):
        for i, f in enumerate(_images(spec, root / name)):
            (test if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else train).append((f, label))
    if not test:
        raise UserError(f"{spec}: no class in {root} has {HOLDOUT_EVERY} images, so no test image can be held out "
                        f"(every {HOLDOUT_EVERY}th is); add images or give {root}/train and {root}/val")
    return classes, train, test


def _class_dirs(spec: DataSpec, folder: Path) -> tuple[str, ...]:
    names = tuple(sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")))
    if not names:
        raise UserError(f"{spec}: no class folders in {folder}; lay the folder out as {_LAYOUT}")
    return names


def _images(spec: DataSpec, folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith("."))
    if not files:
        raise UserError(f"{spec}: class folder {folder} has no .png/.jpg/.jpeg images; add some or remove it")
    return files


def _read_all(spec: DataSpec, samples: Samples, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    images = torch.stack([read_image(spec, f, resolution) for f, _ in samples])
    return images, torch.tensor([label for _, label in samples], dtype=torch.int64)


def read_image(spec: DataSpec, path: Path, resolution: int) -> torch.Tensor:
    """One image as uint8 3 x resolution x resolution; a file PIL cannot decode is the user's to fix."""
    from PIL import Image, UnidentifiedImageError

    try:
        rgb = _decode(path)
    except UnidentifiedImageError:
        raise UserError(f"{spec}: cannot read image {path} (not a PNG or JPEG image); replace or remove it") from None
    except Image.DecompressionBombError as e:
        raise UserError(f"{spec}: {path} is too large to decode ({_first_line(e)}); shrink or remove it") from None
    except (OSError, ValueError, SyntaxError) as e:
        raise UserError(f"{spec}: cannot read image {path} ({_first_line(e)}); replace or remove it") from None
    square = _resize_center_crop(rgb, resolution)
    pixels = torch.frombuffer(bytearray(square.tobytes()), dtype=torch.uint8)
    return pixels.view(resolution, resolution, 3).permute(2, 0, 1).contiguous()


def _decode(path: Path):
    """The image as RGB. Only PNG and JPEG decoders may run (Pillow would otherwise pick one from the file's
    content: Ghostscript for a PostScript file named .png). Pillow compares the size a header claims with
    `Image.MAX_IMAGE_PIXELS` before decoding; beyond it Pillow only warns (up to twice it), here it is an error."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=FORMATS) as img:
                return img.convert("RGB")
        except Image.DecompressionBombWarning as e:
            raise Image.DecompressionBombError(str(e)) from None


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _resize_center_crop(img, resolution: int):
    """Shorter side to `resolution` (bilinear, antialiased by PIL), then the centred square; keeps the aspect
    ratio, as ImageNet evaluation does, instead of squashing the image."""
    from PIL import Image

    w, h = img.size
    if (w, h) != (resolution, resolution):
        scale = resolution / min(w, h)
        w, h = max(resolution, round(w * scale)), max(resolution, round(h * scale))
        img = img.resize((w, h), Image.Resampling.BILINEAR)
    left, top = (w - resolution) // 2, (h - resolution) // 2
    return img.crop((left, top, left + resolution, top + resolution))
