"""Progress as a person sees it: `fbndsl train` on a pseudo-terminal draws a tqdm bar with its rate and time
left; `fbndsl search` writing to a log (not a terminal) writes plain lines, no '\\r'."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402
from conftest import ROOT  # noqa: E402

from fbndsl.cli import main  # noqa: E402

TRAIN = ["train", "--space", "nb201", "--set", "C=4", "--set", "N=1", "--data", "digits", "--mode", "bn-only",
         "--epochs", "1", "--steps", "12", "--batch-size", "16", "--recal-batches", "1", "--device", "cpu"]
# a redrawn bar: the count, then [elapsed<left, rate] (tqdm writes s/step when a step takes over a second)
BAR = re.compile(r"\rtraining: +\d+%\|[^|]*\| *(\d+)/12 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+(step/s|s/step)")


def on_a_terminal(args: list[str], timeout: float = 120.0) -> tuple[int, str]:
    """Run `python -m fbndsl ARGS` with its stdout and stderr on a pseudo-terminal of 100 columns; (exit status,
    everything it drew)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = dict(os.environ, OMP_NUM_THREADS="1", TERM="xterm")
    child = subprocess.Popen([sys.executable, "-m", "fbndsl", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    drawn = read_until_closed(master, time.monotonic() + timeout)
    os.close(master)
    return child.wait(timeout=10), drawn.decode("utf-8", errors="replace")


def read_until_closed(master: int, deadline: float) -> bytes:
    out = b""
    while time.monotonic() < deadline:
        if not select.select([master], [], [], 1.0)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # Linux: EIO once the child has exited and the terminal's last writer is gone
            break
        if not chunk:
            break
        out += chunk
    return out


def test_training_on_a_terminal_draws_a_bar_with_rate_and_time_left(tmp_path):
    status, drawn = on_a_terminal([*TRAIN, "--out", str(tmp_path / "run")])
    assert status == 0, drawn
    counts = [int(m.group(1)) for m in BAR.finditer(drawn)]
    assert counts and counts[-1] == 12, drawn  # redrawn in place ('\r'), up to the last step
    assert "end of epoch 1/1  step 12/12" in drawn and "trained 'nb201'" in drawn


def test_search_in_a_log_writes_plain_lines(tmp_path):
    result = CliRunner().invoke(main, ["search", "--space", "nb201", "--set", "C=4", "--set", "N=1", "--flops", "2M",
                                       "--evals", "3", "--indicator", "naswot", "--strategy", "random", "--device",
                                       "cpu", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("measuring: ")]
    assert lines[0].startswith("measuring: 1/3 [00:00<?, ?arch/s, ") and "M MACs  naswot " in lines[0]
    assert re.match(r"measuring: 3/3 \[\d\d:\d\d<00:00, +[\d.]+(arch/s|s/arch), [\d.]+M MACs  naswot ", lines[-1])
