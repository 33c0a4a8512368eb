"""Start-up order: what is left out of the first frame and the Datasets enrichment comes after it,
without losing anything (against the simulator, in-process)."""

from __future__ import annotations

import gc
import sqlite3

from support.app import loaded, make_runtime, wait_for

from tui.core.keys import KeyInfo
from tui.history import History
from tui.process import start_gc
from tui.ui.app import TasktopApp
from tui.ui.task_view import TaskView


def history_app(sim, path, monkeypatch, **kwargs) -> tuple[TasktopApp, list[bool]]:
    """An app with a history file; the list says, per `History.open`, whether the start tab had
    its complete first page by then."""
    runtime = make_runtime(sim, **kwargs)
    runtime.history_path = path
    app = TasktopApp(runtime, start_tab="datasets")
    opened: list[bool] = []
    real_open = History.open.__func__

    def watched(cls, *args, **kw):
        views = list(app.query("#view-datasets"))
        opened.append(bool(views) and views[0].page is not None)
        return real_open(cls, *args, **kw)

    monkeypatch.setattr(History, "open", classmethod(watched))
    return app, opened


async def test_the_history_opens_after_the_first_page_and_records_it(sim, tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    app, opened = history_app(sim, path, monkeypatch, per_page=25)
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        await wait_for(pilot, lambda: app.recorder.attached)
        assert opened == [True]  # once, and only after the enriched page had landed
        assert app.recorder.history.flush()
        statuses = {row.key: row.status for row in app.view("datasets").page.rows if row.status}
        raw = sqlite3.connect(path)
        try:
            rows = raw.execute("SELECT task_id, previous, status FROM changes"
                               " WHERE tab = 'datasets'").fetchall()
        finally:
            raw.close()
        assert statuses and sorted(rows) == sorted((k, None, s) for k, s in statuses.items())


async def test_the_history_widgets_are_not_in_the_first_frame(sim, tmp_path, monkeypatch):
    """The away line and the trend strip (hidden until the history has opened) are mounted after
    the first page, in the place they always had: between the views and the footer."""
    app, _ = history_app(sim, tmp_path / "history.sqlite3", monkeypatch, per_page=25)
    at_first_rows: list[int] = []
    partial = TaskView._partial

    def watched(view, page, generation):
        at_first_rows.append(len(app.query("#away-line, #trends")))
        return partial(view, page, generation)

    monkeypatch.setattr(TaskView, "_partial", watched)
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        await wait_for(pilot, lambda: app.recorder.attached)
        assert at_first_rows == [0]
        order = [child.id or type(child).__name__ for child in app.screen.children]
        assert order[order.index("tabs"):] == ["tabs", "views", "away-line", "trends", "LeanFooter"]


async def test_without_a_page_the_history_still_opens(sim, tmp_path, monkeypatch):
    """No key for the start tab: no page ever lands, the history opens on its timer."""
    path = tmp_path / "history.sqlite3"
    keys = {"enkrypt": KeyInfo("enkrypt", "none"),
            "nimble": KeyInfo("nimble", "demo", sim.nimble_key)}
    app, opened = history_app(sim, path, monkeypatch, keys=keys)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.recorder.attached)
        assert opened == [False]
        assert len(app.query("#away-line, #trends")) == 2


async def test_the_collector_is_off_until_the_first_rows_and_on_after(sim, monkeypatch):
    """The CLI starts the monitor with the garbage collector paused (tui.process.start_gc);
    the first rows come up without it and then turn it back on."""
    app = TasktopApp(make_runtime(sim, per_page=25), start_tab="datasets")
    at_first_rows: list[bool] = []
    partial = TaskView._partial

    def watched(view, page, generation):
        at_first_rows.append(gc.isenabled())
        return partial(view, page, generation)

    monkeypatch.setattr(TaskView, "_partial", watched)
    start_gc.pause()
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await loaded(pilot, app, "datasets")
            await wait_for(pilot, gc.isenabled)
            assert at_first_rows == [False]
    finally:
        start_gc.resume()
        gc.unfreeze()
        gc.enable()
