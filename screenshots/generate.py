"""Regenerate the README screenshots from the demo simulator: `python screenshots/generate.py`.

The simulator's clock is frozen and so is the badge's, so the pictures only change when the
screen does. Each tab, the dataset detail pane and the help screen, at 120×40; and from a history
in a temporary file (a first run, then a second after a task failed while "closed"): the trend
strip with the "since …" line, and the Changes view.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tui.core.keys import KeyInfo  # noqa: E402
from tui.process.runtime import Runtime  # noqa: E402
from tui.sim.server import start_simulator  # noqa: E402
from tui.ui.app import TasktopApp  # noqa: E402

SIZE = (120, 40)


async def settle(pilot, condition) -> None:
    for _ in range(1000):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise TimeoutError("the demo did not load in time")


async def shoot(name: str, tab_id: str, keys: tuple[str, ...] = (), detail: bool = False) -> None:
    sim = start_simulator(manual_clock=True)
    try:
        app = TasktopApp(demo_runtime(sim, per_page=None), start_tab=tab_id,
                         monotonic=lambda: 1000.0)
        async with app.run_test(size=SIZE) as pilot:
            view = app.view(tab_id)
            await settle(pilot, lambda: view.ticks >= 1)
            if detail:
                await pilot.press("enter")
                await settle(pilot, lambda: view.detail.title is not None)
            if keys:
                await pilot.press(*keys)
                await pilot.pause()
            app.save_screenshot(str(HERE / f"{name}.svg"))
            print(f"wrote screenshots/{name}.svg")
    finally:
        sim.stop()


def demo_runtime(sim, history_path: Path | None = None, per_page: int | None = 25) -> Runtime:
    """The simulator's demo keys; `per_page` None fits the page to the screen."""
    runtime = Runtime(
        sim.url,
        sim.url,
        {
            "enkrypt": KeyInfo("enkrypt", "demo", sim.enkrypt_key),
            "nimble": KeyInfo("nimble", "demo", sim.nimble_key),
        },
        5.0,
        "demo",
        per_page=per_page,
        now=sim.now,
    )
    runtime.history_path = history_path
    return runtime


async def shoot_history(name: str, keys: tuple[str, ...]) -> None:
    """Red team after a restart: one task queued and started in the first run, failed meanwhile."""
    sim = start_simulator(manual_clock=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "history.sqlite3"
            key = sim.add_task("redteam", status="Queued", test_name="nightly jailbreak suite")
            first = TasktopApp(demo_runtime(sim, path), start_tab="redteam")
            async with first.run_test(size=SIZE) as pilot:
                view = first.view("redteam")
                await settle(pilot, lambda: view.ticks >= 1 and first.recorder.attached)
                sim.update_task("redteam", key, status="Running")
                sim.advance(180)
                await pilot.press("r")
                await settle(pilot, lambda: view.ticks >= 2)
                first.recorder.history.flush()
            sim.update_task("redteam", key, status="Failed")
            sim.advance(120)
            app = TasktopApp(demo_runtime(sim, path), start_tab="redteam", monotonic=lambda: 1000.0)
            app.trends_gap = 0  # the strip shows every change the catch-up recorded
            async with app.run_test(size=SIZE) as pilot:
                view = app.view("redteam")

                def shown() -> bool:  # the history's widgets are mounted once it has opened
                    strips, lines = app.query("#trends"), app.query("#away-line")
                    away = app._away.get("redteam")
                    return bool(strips and lines and lines.first().display and away
                                and away.catch_up == "done" and strips.first().shows >= 1
                                and not app.trends_pending)

                await settle(pilot, lambda: view.ticks >= 1 and shown() and not view.fetching)
                if keys:
                    await pilot.press(*keys)
                    await settle(pilot, lambda: len(app.screen_stack) > 1)
                app.recorder.history.flush()
                await pilot.pause()
                app.save_screenshot(str(HERE / f"{name}.svg"))
                print(f"wrote screenshots/{name}.svg")
    finally:
        sim.stop()


async def main() -> None:
    await shoot("datasets", "datasets")
    await shoot("redteam", "redteam")
    await shoot("nimble", "nimble")
    await shoot("dataset-detail", "datasets", detail=True)
    await shoot("nimble-detail", "nimble", detail=True)
    await shoot("help", "redteam", keys=("question_mark",))
    await shoot_history("trends", ())
    await shoot_history("changes", ("w",))


if __name__ == "__main__":
    asyncio.run(main())
