"""The run directory: checkpoint.pt, space.nas (the space's source), config.json, metrics.jsonl.

config.json records what defines the run (every setting, the space's sha256 and `param` values, the
compiler version); `--resume` continues a run only when the settings and the space are the same as then.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import UserError, source_text
from ..files import atomic_write_text
from ..version import __version__
from . import checkpoint
from .config import RESUMABLE_CHANGES, TrainConfig, flag_of


def run_identity(space, config: TrainConfig) -> dict:
    """What must match for a resume: the settings (less those that change nothing computed) and the space."""
    settings = {k: v for k, v in config.to_json().items() if k not in RESUMABLE_CHANGES}
    return {"settings": settings, "space_sha256": space.source_sha256,
            "space_params": {k: _plain(v) for k, v in space.ir.params.items()}}


def _source(space) -> str:
    """The space's source as it was compiled: the parser's copy, or the file if it still has that sha256."""
    candidates = [source_text(space.file)]
    path = Path(space.file)
    if path.is_file():
        candidates.append(path.read_text(encoding="utf-8"))
    for text in candidates:
        if text is not None and hashlib.sha256(text.encode()).hexdigest() == space.source_sha256:
            return text
    raise UserError(f"{space.file}: changed since the space was compiled; compile it again before training")


def _plain(value):
    return value if isinstance(value, (bool, int, float, str)) or value is None else str(value)


@dataclass(frozen=True)
class RunDir:
    path: Path

    @property
    def checkpoint(self) -> Path:
        return self.path / checkpoint.NAME

    @property
    def metrics(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def config(self) -> Path:
        return self.path / "config.json"

    def prepare(self, resume: bool) -> None:
        """Check that the directory fits --resume (one-line errors); `start` creates it, once the data loaded."""
        if self.path.exists() and not self.path.is_dir():
            raise UserError(f"--out {self.path}: is a file, not a directory; choose another --out")
        if resume and not self.checkpoint.is_file():
            raise UserError(f"--resume: {self.path} holds no {checkpoint.NAME} to resume; drop --resume to "
                            f"start a new run there")
        if not resume and self.checkpoint.exists():
            raise UserError(f"--out {self.path} already holds a run ({checkpoint.NAME}); pass --resume to "
                            f"continue it, or choose another --out")

    def start(self, space, config: TrainConfig) -> None:
        """Write space.nas and config.json of a new run, and an empty metrics.jsonl."""
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path / "space.nas", _source(space))
        record = {"config": config.to_json(), "space": {"file": str(space.file), "name": space.name,
                  "sha256": space.source_sha256, "params": run_identity(space, config)["space_params"],
                  "fairness": space.fairness.mode.value},
                  "fbndsl_version": __version__}
        atomic_write_text(self.config, json.dumps(record, indent=1) + "\n")
        atomic_write_text(self.metrics, "")

    def check_resume(self, saved: dict, space, config: TrainConfig) -> None:
        """Refuse to resume a run with another space or other settings (one line that names the flag)."""
        now = run_identity(space, config)
        where = f"{self.path}"
        if saved.get("space_sha256") != now["space_sha256"]:
            raise UserError(f"--resume: the space's source differs from the run's ({where}/space.nas, sha256 "
                            f"{str(saved.get('space_sha256'))[:12]}... vs {now['space_sha256'][:12]}...); resume "
                            f"with the same space, or choose another --out")
        if saved.get("space_params") != now["space_params"]:
            raise UserError(f"--resume: the space's params differ from the run's ({saved.get('space_params')} vs "
                            f"{now['space_params']}); pass the same --set values, or choose another --out")
        old, new = saved.get("settings", {}), now["settings"]
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                raise UserError(f"--resume: {where} was started with {flag_of(key, old.get(key))}, not "
                                f"{flag_of(key, new.get(key))}; resume with the same settings, or choose another --out")

    def truncate_metrics(self, step: int) -> None:
        """Drop the records written after the checkpoint (by the run that was interrupted): the resumed run
        writes them again, so metrics.jsonl reads as if the run had never stopped."""
        if not self.metrics.is_file():
            return
        keep = []
        for line in self.metrics.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by the kill
            if rec.get("kind") in ("train", "epoch") and rec.get("step", step + 1) <= step:
                keep.append(line)
        atomic_write_text(self.metrics, "".join(line + "\n" for line in keep))

    def append_metrics(self, record: dict) -> None:
        with self.metrics.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
