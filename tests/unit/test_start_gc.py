"""The collector held off while the monitor starts (tui.process.start_gc): off, then back on with
start-up's objects frozen, and never turned on when someone else had turned it off."""

from __future__ import annotations

import gc

import pytest

from tui.process import start_gc


@pytest.fixture
def collector():
    """Each test leaves the collector as it found it: on, nothing frozen, nothing paused."""
    yield
    start_gc.resume()
    gc.unfreeze()
    gc.enable()


def test_pause_turns_it_off_and_resume_back_on_with_start_up_frozen(collector):
    gc.unfreeze()
    start_gc.pause()
    assert not gc.isenabled()
    built = [[] for _ in range(1000)]  # start-up's objects
    start_gc.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_resume_happens_once(collector):
    start_gc.pause()
    start_gc.resume()
    gc.disable()  # someone else's decision, after start-up
    start_gc.resume()
    assert not gc.isenabled()


def test_a_collector_turned_off_before_is_left_off(collector):
    gc.disable()
    start_gc.pause()
    start_gc.resume()
    assert not gc.isenabled()


def test_settle_collects_start_up_cycles_and_freezes_the_rest(collector):
    start_gc.pause()
    for _ in range(1000):  # garbage that only the collector can free
        cycle: list[object] = []
        cycle.append(cycle)
    del cycle
    start_gc.resume()  # frozen with everything else
    before = gc.get_freeze_count()
    start_gc.settle()
    assert gc.isenabled()
    assert 0 < gc.get_freeze_count() <= before - 1000  # the cycles are gone, the rest frozen
