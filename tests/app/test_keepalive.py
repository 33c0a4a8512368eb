"""One warm connection pool per provider: ticks reuse their connection instead of reconnecting."""

from __future__ import annotations

import pytest
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



class ImportSearches:
    """A finder at the front of sys.meta_path that counts the searches for one module name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            self.count += 1
        return None  # the real finders go on searching


def test_requests_do_not_search_for_a_missing_sniffio(sim, monkeypatch):
    """httpcore tries `import sniffio` four times per request; missing and not settled, each try
    searched all of sys.path (a quarter of a loopback request's CPU)."""
    import asyncio
    import sys

    from tui.providers.base import PageRequest
    from tui.providers.enkrypt import EnkryptClient

    searches = ImportSearches("sniffio")
    monkeypatch.setattr(sys, "meta_path", [searches, *sys.meta_path])

    async def calls() -> int:
        async with EnkryptClient(sim.url, sim.enkrypt_key) as client:
            page = await client.list_datasets(PageRequest(page=1, per_page=5))
            for name in page.rows:
                await client.get_dataset_task(name)
            return 1 + len(page.rows)

    assert asyncio.run(calls()) == 6
    assert searches.count == 0
    if "sniffio" in sys.modules and sys.modules["sniffio"] is None:  # not installed: settled
        with pytest.raises(ImportError):
            import sniffio  # noqa: F401
        assert searches.count == 0
