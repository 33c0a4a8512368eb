"""The AIMD window that bounds dataset enrichment: its arithmetic as units, its effect against the
simulator (a 429 halves it, clean answers win it back, the gate is never exceeded)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tui.providers.base import PageRequest
from tui.providers.enkrypt import EnkryptClient
from tui.providers.retry import RetryPolicy
from tui.providers.sources import DatasetsSource
from tui.providers.window import AimdWindow
from tui.sim.server import Fault

# ------------------------------------------------------------------------------------- units


def test_a_window_of_fast_clean_answers_grows_it_by_one_up_to_the_cap():
    window = AimdWindow("t", start=3, cap=5)
    for _ in range(2):
        window.answered(0.01)
    assert window.size == 3
    window.answered(0.01)
    assert window.size == 4
    for _ in range(100):
        window.answered(0.01)
    assert window.size == 5


def test_slow_answers_do_not_grow_it():
    window = AimdWindow("t", start=2, cap=5, slow=1.0)
    for _ in range(10):
        window.answered(0.5)
        window.answered(1.5)  # breaks the run each time
    assert window.size == 2


def test_a_failure_halves_it_at_once_down_to_the_floor():
    window = AimdWindow("t", start=8, cap=25)
    window.failed("429")
    assert window.size == 4
    for _ in range(5):
        window.failed("429")
    assert window.size == 1


async def test_answers_to_requests_sent_before_a_cut_do_not_cut_it_again():
    window = AimdWindow("t", start=8, cap=25)
    release = asyncio.Event()

    async def request() -> None:
        async with window.slot():
            await release.wait()

    tasks = [asyncio.create_task(request()) for _ in range(8)]
    while window.in_flight < 8:
        await asyncio.sleep(0)
    window.failed("429")  # the first of a burst: halves
    assert window.size == 4
    for _ in range(7):  # the other seven were already out under the old window
        window.failed("429")
    assert window.size == 4
    window.failed("429")  # sent after the cut: halves again
    assert window.size == 2
    release.set()
    await asyncio.gather(*tasks)


async def test_the_gate_never_lets_more_than_the_window_in_flight_and_follows_a_resize():
    window = AimdWindow("t", start=4, cap=25)
    release = asyncio.Event()
    seen: list[tuple[int, int]] = []

    async def request() -> None:
        async with window.slot():
            seen.append((window.in_flight, window.size))
            await release.wait()

    tasks = [asyncio.create_task(request()) for _ in range(20)]
    while window.in_flight < 4:
        await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    assert window.in_flight == 4  # sixteen wait
    window._resize(6, "test")
    while window.in_flight < 6:
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    assert len(seen) == 20
    assert all(in_flight <= size for in_flight, size in seen)
    assert window.peak == 6


def test_resizes_are_logged(caplog):
    with caplog.at_level(logging.INFO, logger="tasktop.window"):
        window = AimdWindow("enkrypt enrichment", start=8, cap=25)
        window.failed("RateLimited 429")
    text = caplog.text
    assert "enkrypt enrichment window 8 (cap 25)" in text
    assert "enkrypt enrichment window 8 → 4 (RateLimited 429)" in text


def test_a_start_outside_floor_and_cap_is_refused():
    with pytest.raises(ValueError):
        AimdWindow("t", start=30, cap=25)


# ------------------------------------------------------------------------- against the sim


class InFlight:
    """Counts a client's get-task calls in flight, checked against the window at every start."""

    def __init__(self, client: EnkryptClient, window: AimdWindow) -> None:
        self.now = 0
        self.samples: list[tuple[int, int]] = []
        inner = client.get_dataset_task

        async def counted(**kwargs):
            self.now += 1
            self.samples.append((self.now, window.size))
            try:
                return await inner(**kwargs)
            finally:
                self.now -= 1

        client.get_dataset_task = counted


async def test_enrichment_of_25_names_runs_wider_than_4_and_never_beyond_the_window(sim):
    sim.set_fault(Fault("latency", "/datasets/get-task", seconds=0.05))
    async with EnkryptClient(sim.url, sim.enkrypt_key) as client:
        source = DatasetsSource(client)
        counter = InFlight(client, source.window)
        page = await source.fetch(PageRequest.first(25))
        assert len(page.rows) == 25
        assert all(row.record is not None and row.status for row in page.rows)
    assert len(counter.samples) == 25
    assert all(now <= size for now, size in counter.samples)
    assert max(now for now, _ in counter.samples) == source.window.peak > 4


async def test_a_429_halves_the_window_and_clean_answers_win_it_back(sim):
    async with EnkryptClient(sim.url, sim.enkrypt_key) as client:
        client.http.retry = RetryPolicy(wait_initial=0.01, wait_max=0.02, wait_jitter=0)
        source = DatasetsSource(client)
        await source.fetch(PageRequest.first(25))  # fast and clean: it grows
        grown = source.window.size
        assert grown > 16
        source.forget()  # every name is asked again
        sim.set_fault(Fault("status", "/datasets/get-task", status=429, retry_after=0, times=1))
        page = await source.fetch(PageRequest.first(25))  # the retry hides the 429 from the page
        assert all(row.record is not None for row in page.rows)
        assert source.window.size < grown
        assert source.window.size >= grown // 2  # one 429, one halving (then maybe regrowth)
        for _ in range(6):
            source.forget()
            await source.fetch(PageRequest.first(25))
        assert source.window.size >= grown
