"""Atomic writes (`fbndsl.files`): a failure leaves the previous file whole and no temp file behind, and the file
gets the permissions a plain open() would give it, not mkstemp's 0600."""
from __future__ import annotations

import os
import stat

import pytest

from fbndsl import files
from fbndsl.diagnostics import UserError


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_follows_the_umask(tmp_path, umask_022):
    path = tmp_path / "results.json"
    files.atomic_write_text(path, "{}")
    assert path.read_text() == "{}"
    assert mode(path) == 0o644


def test_a_rewrite_keeps_the_files_own_permissions(tmp_path, umask_022):
    path = tmp_path / "results.json"
    path.write_text("old")
    path.chmod(0o640)
    files.atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == 0o640


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    path.write_text("previous")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write_text(path, "next")
    assert path.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_a_missing_folder_is_a_user_error_naming_it(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        files.atomic_write_text(tmp_path / "nope" / "results.json", "{}")


def test_the_search_plot_is_written_atomically(tmp_path, monkeypatch):
    """A plot that fails while being drawn leaves the previous search.png as it was."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from fbndsl.indicators.kinds import Indicator
    from fbndsl.search import plot
    from fbndsl.search.budget import Budget
    from fbndsl.search.strategies.base import Entry

    path = tmp_path / plot.NAME
    path.write_bytes(b"previous plot")

    def broken_savefig(self, target, **kwargs):
        target.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    entries = [Entry(arch=("a",), macs=1_000_000, params=10, values={Indicator.MACS: 1e6})]
    with pytest.raises(UserError, match="cannot write the plot: disk full"):
        plot.draw(path, entries, [], Indicator.MACS, Budget(), "title")
    assert path.read_bytes() == b"previous plot"
