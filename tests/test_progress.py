"""Progress of long work (`fbndsl.progress`): plain, throttled lines in a log, a tqdm bar on a terminal, nothing
when quiet; the postfix is computed only for what is drawn. No torch: the clock of the log lines is faked."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

import fbndsl.progress as progress
from fbndsl.progress import Counted, Progress, end_progress, say


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch):
    """The log lines' clock, moved by hand: `clock.now = 12.0`."""
    fake = SimpleNamespace(now=0.0)
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: fake.now))
    return fake


def test_a_log_gets_the_first_line_then_one_every_ten_seconds_and_the_last(clock):
    out, asked = io.StringIO(), []
    work = Progress(30, "measuring", unit="arch", stream=out)
    for i in range(1, 31):
        clock.now = float(i)
        work.update(1, lambda i=i: asked.append(i) or f"arch {i}")
    work.close()  # the last line is written already: nothing more
    assert out.getvalue().splitlines() == [
        "measuring: 1/30 [00:01<00:29,  1.00arch/s, arch 1]",
        "measuring: 11/30 [00:11<00:19,  1.00arch/s, arch 11]",
        "measuring: 21/30 [00:21<00:09,  1.00arch/s, arch 21]",
        "measuring: 30/30 [00:30<00:00,  1.00arch/s, arch 30]"]
    assert asked == [1, 11, 21, 30]  # the postfix is computed for the lines written, never for the others


def test_a_log_line_is_written_when_work_stops_short_and_a_resumed_run_counts_its_rate_from_now(clock):
    out = io.StringIO()
    work = Progress(100, "training", unit="step", initial=50, stream=out)
    for i in range(1, 5):
        clock.now = 2.0 * i
        work.update(1)
    work.close()
    assert out.getvalue().splitlines() == [
        "training: 51/100 [00:02<01:38,  2.00s/step]",
        "training: 54/100 [00:08<01:32,  2.00s/step]"]
    assert "\r" not in out.getvalue()


def test_quiet_work_prints_nothing_and_reads_no_postfix():
    for stream in (io.StringIO(), FakeTerminal()):
        work = Progress(10, "training", quiet=True, stream=stream)
        for _ in range(10):
            work.update(1, lambda: pytest.fail("quiet work reads no postfix"))
        work.message("resuming")
        work.close()
        say("evaluating", quiet=True, stream=stream)
        assert stream.getvalue() == ""


def test_a_terminal_gets_a_tqdm_bar_with_count_rate_and_time_left(monkeypatch):
    monkeypatch.setattr(progress, "REFRESH", 0.0)  # redraw at every update
    out = FakeTerminal()
    with Progress(3, "measuring", unit="arch", stream=out) as work:
        for i in range(3):
            work.update(1, lambda i=i: f"{i + 1}.000M MACs")
    drawn = out.getvalue()
    assert drawn.startswith("\rmeasuring:   0%|") and drawn.endswith("\n")
    assert "| 3/3 [00:00<00:00," in drawn and "arch/s, 3.000M MACs]" in drawn


def test_a_bar_asks_for_its_postfix_only_when_it_redraws(monkeypatch):
    monkeypatch.setattr(progress, "REFRESH", 3600.0)  # no redraw before the end
    out = FakeTerminal()
    with Progress(100, "training", unit="step", stream=out) as work:
        for _ in range(100):
            work.update(1, lambda: pytest.fail("read a loss for a line nobody sees"))
    assert out.getvalue().count("\r") == 2  # drawn when started, and when closed
    assert "100/100" in out.getvalue()


def test_a_message_goes_above_the_bar(monkeypatch):
    out = FakeTerminal()
    with Progress(2, "training", unit="step", stream=out) as work:
        work.update(1)
        work.message("end of epoch 1/2")
        work.update(1)
    lines = out.getvalue().split("\n")
    assert lines[0].endswith("\rend of epoch 1/2") and "2/2" in lines[1]


def test_counted_starts_at_the_first_item_and_ends_at_the_total(clock):
    """The search's callbacks: (entry, done, total) and (entry, accuracy, done, total)."""
    out = io.StringIO()
    refined = Counted("refining", lambda arch, accuracy: f"{arch} accuracy {accuracy}", unit="arch", stream=out)
    for done in (1, 2, 3):
        clock.now = 5.0 * done
        refined(f"arch{done}", 0.5, done, 3)
    assert out.getvalue().splitlines() == [
        "refining: 1/3 [00:00<?, ?arch/s, arch1 accuracy 0.5]",  # its clock starts at the first item
        "refining: 3/3 [00:10<00:00,  5.00s/arch, arch3 accuracy 0.5]"]
    assert refined.progress._view is None  # ended at the total


def test_a_new_bar_ends_the_one_that_stopped_short_on_the_same_stream(clock):
    """An exhaustive search under a budget measures fewer architectures than --evals; refinement's bar follows."""
    out = io.StringIO()
    measured = Counted("measuring", unit="arch", stream=out)
    for done in (1, 2, 3):
        clock.now = float(done)
        measured(object(), done, 10)
    Counted("refining", unit="arch", stream=out)(object(), 1, 2)
    assert out.getvalue().splitlines() == [
        "measuring: 1/10 [00:00<?, ?arch/s]",
        "measuring: 3/10 [00:02<00:07,  1.00arch/s]",
        "refining: 1/2 [00:00<?, ?arch/s]"]


def test_on_a_terminal_too_the_new_bar_replaces_the_one_left_open():
    out = FakeTerminal()
    Progress(10, "measuring", unit="arch", stream=out).update(3)
    with Progress(2, "refining", unit="arch", stream=out) as refining:
        refining.update(2)
    lines = out.getvalue().split("\n")
    assert "3/10" in lines[0] and "refining" not in lines[0]  # ended, left on screen, before the next began
    assert lines[1].startswith("\rrefining:") and "2/2" in lines[1] and lines[2] == ""


def test_a_command_ends_the_bar_left_open_before_it_prints_its_result():
    out = FakeTerminal()
    Counted("measuring", unit="arch", stream=out)(object(), 6, 12)  # an exhaustive search: 6 networks of 12 archs
    end_progress(out)
    assert out.getvalue().endswith("6/12 [00:00<?, ?arch/s]\n")
    end_progress(out)  # nothing shown: nothing to do
    assert out.getvalue().count("\n") == 1
