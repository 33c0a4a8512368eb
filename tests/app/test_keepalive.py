"""One warm connection pool per provider: ticks reuse their connection instead of reconnecting."""

from __future__ import annotations

from support.app import loaded, make_app, wait_for

from tui.process.runtime import Runtime
from tui.providers.http import KEEPALIVE_EXPIRY


def count_connections(sim) -> list[int]:
    """Connections the simulator accepts from now on (one per TCP handshake)."""
    opened = [0]
    track = sim._track

    def counting(conn, add):
        if add:
            opened[0] += 1
        track(conn, add)

    sim._track = counting
    return opened


def test_idle_connections_outlive_the_refresh_and_background_intervals():
    runtime = Runtime("http://127.0.0.1:1", "http://127.0.0.1:1", {})
    assert KEEPALIVE_EXPIRY > 2 * max(runtime.refresh_seconds, runtime.watch_seconds)


async def test_ticks_reuse_one_connection(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        opened = count_connections(sim)
        view = app.view("redteam")
        for n in range(2, 6):
            await pilot.press("r")
            await wait_for(pilot, lambda n=n: view.ticks >= n and not view.fetching)
        assert opened[0] == 0  # four ticks, no new handshake: the first tick's connection

