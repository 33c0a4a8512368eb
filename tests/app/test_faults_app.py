"""The monitor under the simulator's faults: keep the last good rows, say what is wrong, recover.

Every case: load good rows, switch a fault on, refresh; the rows stay (dimmed: class "stale"), the
badge says how old they are, the one-line reason and the retry countdown, the notice line the
reason; switch the fault off and the tab's own retry timer brings everything back, cleared.
"""

from __future__ import annotations

import re
import socket

import pytest
from support.app import loaded, make_app, row_keys, wait_for

from tui.providers.retry import RetryPolicy
from tui.sim.server import Fault, start_simulator

#: The provider's in-request retries with tiny waits (their own behaviour is test_faults_retry's).
FAST = RetryPolicy(attempts=3, budget=2.0, wait_initial=0.01, wait_max=0.02, wait_jitter=0.0,
                   max_retry_after=0.5)
REFRESH = 0.3


def fault_app(sim, start_tab: str, refresh: float = REFRESH, **kw):
    app = make_app(sim, start_tab=start_tab, refresh=refresh, **kw)
    for provider in ("enkrypt", "nimble"):
        app.runtime.client(provider).http.retry = FAST
    return app


def badge(view) -> str:
    return view.badge.render_text().plain


def notice(view) -> str | None:
    widget = view.query_one(".notice")
    return str(widget.render()) if widget.display else None


async def fail_then_recover(pilot, app, sim, tab: str, fault: Fault, expected: str,
                            headline: str | None = None) -> None:
    """The shared script of every fault case; `expected` is the notice line, exactly."""
    view = app.view(tab)
    await loaded(pilot, app, tab)
    good = row_keys(app, tab)
    assert good and view.error is None
    sim.set_fault(fault)
    await pilot.press("r")
    await wait_for(pilot, lambda: view.error is not None)
    await pilot.pause()

    # Old rows stay, marked stale with their age; one line of reason; the retry countdown.
    assert row_keys(app, tab) == good
    assert view.table.has_class("stale")
    assert notice(view) == expected and "\n" not in expected
    text = badge(view)
    assert text.startswith("stale (updated ") and " ago): " in text
    assert (headline or expected) in text or text.endswith("…")
    assert "· retrying in " in text or "retrying…" in text
    assert app.is_running and len(app.screen_stack) == 1

    # Recovery by itself: the tab's timer retries, the fault is gone, everything is cleared.
    ticks = view.ticks
    sim.clear_faults()
    await wait_for(pilot, lambda: view.ticks > ticks, timeout=30)
    await pilot.pause()
    assert view.error is None and view.retry_at is None
    assert not view.table.has_class("stale")
    assert notice(view) is None
    assert badge(view).startswith("updated ")
    assert row_keys(app, tab)


def port_of(sim) -> int:
    return int(sim.url.rsplit(":", 1)[1])


CASES = [
    pytest.param("redteam", Fault("status", path_prefix="/redteam/list-tasks", status=500),
                 "server error 500: can't download the query response - please try again",
                 None, id="500"),
    pytest.param("nimble", Fault("html", path_prefix="/v1/tasks"), "server error 502", None,
                 id="502-html"),
    pytest.param("redteam", Fault("truncated", path_prefix="/redteam/list-tasks"),
                 "response is not valid JSON (Input data was truncated)", None, id="truncated"),
    pytest.param("redteam", Fault("wrong_type", path_prefix="/redteam/list-tasks"),
                 "unexpected response: Expected `str`, got `int` - at `$.tasks[0].status`", None,
                 id="wrong-type"),
    pytest.param("nimble", Fault("wrong_type", path_prefix="/v1/tasks"),
                 "unexpected response: Expected `int | float`, got `str` - at "
                 "`$.pagination.total`", None, id="wrong-type-nimble"),
    pytest.param("datasets", Fault("huge", path_prefix="/datasets/list-tasks"),
                 "response too large (> 8 MiB)", None, id="huge"),
    pytest.param("redteam", Fault("status", path_prefix="/redteam/list-tasks", status=429),
                 "too many requests (429): Rate limit exceeded", "rate limited (429)",
                 id="429-without-retry-after"),
]


@pytest.mark.parametrize(("tab", "fault", "expected", "headline"), CASES)
async def test_fault_keeps_rows_says_why_and_recovers(sim, tab, fault, expected, headline):
    app = fault_app(sim, tab)
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_recover(pilot, app, sim, tab, fault, expected, headline)


async def test_dropped_connection(sim):
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_recover(
            pilot, app, sim, "redteam", Fault("drop", path_prefix="/redteam"),
            f"127.0.0.1:{port_of(sim)} closed the connection without answering")


async def test_timeout(sim):
    app = fault_app(sim, "nimble")
    app.runtime.timeout = 0.3  # clients are built lazily: rebuild with the short timeout
    app.runtime._clients.clear()
    app.runtime.client("nimble").http.retry = FAST
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_recover(
            pilot, app, sim, "nimble", Fault("hang", path_prefix="/v1/tasks", seconds=30),
            f"timed out after 0.3s waiting for 127.0.0.1:{port_of(sim)}")


async def test_429_with_retry_after_counts_down_and_retries_when_told(sim):
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_recover(
            pilot, app, sim, "redteam",
            Fault("status", path_prefix="/redteam/list-tasks", status=429, retry_after="1"),
            "too many requests (429): Rate limit exceeded; retry after 1s", "rate limited (429)")


async def test_429_long_retry_after_shows_the_countdown_and_waits_it_out(sim):
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        await wait_for(pilot, lambda: not view.fetching)
        # No await between these three lines, so no 0.3 s tick can slip a request in between.
        sim.set_fault(Fault("status", path_prefix="/redteam", status=429, retry_after="30"))
        sim.reset_counts()
        view.action_refresh_now()  # what `r` does
        await wait_for(pilot, lambda: view.error is not None)
        # Raised at once for the app to schedule: one request, no 30 s wait inside the fetch.
        assert sim.counts() == {"/redteam/list-tasks": 1}
        # The countdown starts at the Retry-After (a loaded machine may already show 29s).
        countdown = re.search(r"rate limited \(429\) · retrying in (\d+)s$", badge(view))
        assert countdown and 25 <= int(countdown.group(1)) <= 30
        assert view.retry_at is not None
        # Several refresh intervals pass: the Retry-After is honoured, nothing is sent.
        for _ in range(5):
            await pilot.pause(REFRESH)
        assert sim.counts() == {"/redteam/list-tasks": 1}
        # Hiding and showing the tab does not jump the queue either.
        await pilot.press("1")
        await pilot.press("2")
        await pilot.pause(REFRESH)
        assert sim.counts().get("/redteam/list-tasks") == 1
        assert "retrying in 2" in badge(view)  # 29s or 28s left
        # The user may insist: r retries now, and recovers once the server allows it.
        sim.clear_faults()
        await pilot.press("r")
        await wait_for(pilot, lambda: view.error is None)
        assert not view.table.has_class("stale") and notice(view) is None


async def test_one_failed_try_inside_a_fetch_never_shows(sim):
    """A single 5xx is absorbed by the provider's brief retry: the user sees nothing."""
    app = fault_app(sim, "redteam", refresh=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        sim.set_fault(Fault("status", path_prefix="/redteam/list-tasks", status=503, times=1))
        sim.reset_counts()
        seen: list[object] = []
        view.error_observers.append(seen.append)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert seen == [] and sim.counts()["/redteam/list-tasks"] == 2
        assert not view.table.has_class("stale") and notice(view) is None


async def test_auth_error_says_what_to_do(sim):
    app = fault_app(sim, "nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_recover(
            pilot, app, sim, "nimble", Fault("status", path_prefix="/v1/tasks", status=401),
            "API key refused (401): Unauthorized — press k to replace the key",
            "API key refused (401)")


async def test_first_fetch_failing_shows_the_reason_without_rows(sim):
    sim.set_fault(Fault("html", path_prefix="/redteam"))
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        assert view.table.row_count == 0 and not view.table.has_class("stale")
        # Between attempts the badge counts down; during one it says "retrying…": either is right.
        assert badge(view).startswith("failed: server error 502 · retrying")
        sim.clear_faults()
        await loaded(pilot, app, "redteam")
        assert view.table.row_count == 10 and badge(view).startswith("updated ")


# ------------------------------------------------------------------------- refused, isolation


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def test_refused_connection_then_the_server_comes_back(sim):
    """The sim stops (connections refused), then a new one starts on the same port."""
    port = port_of(sim)
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        good = row_keys(app, "redteam")
        sim.stop()
        await pilot.press("r")
        await wait_for(pilot, lambda: view.error is not None)
        assert notice(view) == f"connection refused: 127.0.0.1:{port}"
        assert row_keys(app, "redteam") == good and view.table.has_class("stale")
        assert f"connection refused: 127.0.0.1:{port} · retrying" in badge(view)
        revived = start_simulator(seed=0, port=port, manual_clock=True)
        try:
            await wait_for(pilot, lambda: view.error is None, timeout=30)
            assert row_keys(app, "redteam") == good
            assert not view.table.has_class("stale") and notice(view) is None
        finally:
            revived.stop()


async def test_a_tab_pointed_at_a_closed_port_never_disturbs_the_others(sim):
    from support.app import make_runtime

    from tui.ui.app import TasktopApp

    runtime = make_runtime(sim, refresh=REFRESH)
    runtime.enkrypt_url = f"http://127.0.0.1:{closed_port()}"
    app = TasktopApp(runtime, start_tab="redteam")
    for provider in ("enkrypt", "nimble"):
        app.runtime.client(provider).http.retry = FAST
    async with app.run_test(size=(120, 40)) as pilot:
        redteam, nimble = app.view("redteam"), app.view("nimble")
        await wait_for(pilot, lambda: redteam.error is not None)
        assert notice(redteam).startswith("connection refused: 127.0.0.1:")
        await pilot.press("3")
        await loaded(pilot, app, "nimble")
        assert nimble.error is None and notice(nimble) is None
        assert not nimble.table.has_class("stale") and badge(nimble).startswith("updated ")
        # the failing tab is hidden, so it stopped retrying; it still knows what was wrong
        assert redteam.error is not None and not redteam.timer_armed


async def test_a_failing_tab_does_not_touch_its_sibling_on_the_same_client(sim):
    app = fault_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        redteam, datasets = app.view("redteam"), app.view("datasets")
        await loaded(pilot, app, "redteam")
        sim.set_fault(Fault("status", path_prefix="/redteam", status=500))
        await pilot.press("r")
        await wait_for(pilot, lambda: redteam.error is not None)
        await pilot.press("1")
        await loaded(pilot, app, "datasets")
        await pilot.press("r")
        await loaded(pilot, app, "datasets", ticks=2)
        assert datasets.error is None and notice(datasets) is None
        assert not datasets.table.has_class("stale")
        await pilot.press("2")
        await wait_for(pilot, lambda: redteam.failures >= 2)  # still failing on its own
        assert redteam.table.has_class("stale") and datasets.error is None
