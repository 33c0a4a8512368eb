"""On-call features in the app (issue F): alerts, --watch-all, copy over OSC 52, export, profiles."""

from __future__ import annotations

import argparse
import base64
import csv
import json

from support.app import (
    loaded,
    make_app,
    make_runtime,
    record_terminal,
    row_keys,
    wait_for,
)

from tui.commands.app_cmd import build_runtime
from tui.sim.server import start_simulator
from tui.ui.app import TasktopApp


def record_notifications(app) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *, title="", severity="information", **kwargs):
        seen.append((severity, str(message)))
        return original(message, title=title, severity=severity, **kwargs)

    app.notify = notify
    return seen


def statuses(app, tab_id) -> dict[str, str]:
    return {row.key: row.status for row in app.view(tab_id).page.rows}


# -------------------------------------------------------------------------------------- alerts


async def test_alert_fires_once_per_transition_to_failed_and_not_on_first_load(sim):
    app = make_app(sim, start_tab="redteam", per_page=100)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notifications(app)
        terminal = record_terminal(app)
        await loaded(pilot, app, "redteam")
        assert notes == []  # 300 tasks, many Failed already: no storm on first load
        failed: list[str] = []
        for tick in range(2, 12):
            before = statuses(app, "redteam")
            sim.advance(120)
            await pilot.press("r")
            await loaded(pilot, app, "redteam", ticks=tick)
            after = statuses(app, "redteam")
            failed += [k for k, s in after.items() if s == "Failed" and before.get(k) != "Failed"]
            if failed:
                break
        assert failed, "the simulator should fail a task within 20 simulated minutes"
        await pilot.pause()
        alerts = [text for severity, text in notes if severity == "error"]
        assert len(alerts) == len(failed)
        assert all(any(key in text for text in alerts) for key in failed), (alerts, failed)
        assert "Failed" in alerts[0] and "Red team" in alerts[0]
        assert terminal == []  # no desktop notification unless asked for (headless: no bell)
        # the same state on the next tick alerts nothing more
        ticks = app.view("redteam").ticks
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=ticks + 1)
        assert len([n for n in notes if n[0] == "error"]) == len(failed)


async def test_desktop_notifications_are_sent_when_asked(sim):
    runtime = make_runtime(sim, per_page=100)
    runtime.desktop_notify = True
    app = TasktopApp(runtime, start_tab="redteam")
    async with app.run_test() as pilot:
        terminal = record_terminal(app)
        await loaded(pilot, app, "redteam")
        sim.add_task("redteam", status="Failed", test_name="nightly [bold]run[/]\x1b[2J")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        await pilot.pause()
        osc9 = [w for w in terminal if w.startswith("\x1b]9;")]
        osc777 = [w for w in terminal if w.startswith("\x1b]777;notify;")]
        assert len(osc9) == 1 and len(osc777) == 1
        assert "\x1b[2J" not in osc9[0] and osc9[0].endswith("\x07")


async def test_watch_all_polls_hidden_tabs_slowly_and_alerts_for_them(sim):
    runtime = make_runtime(sim, per_page=100)
    runtime.watch_all, runtime.watch_seconds = True, 0.2
    app = TasktopApp(runtime, start_tab="datasets")
    async with app.run_test() as pilot:
        notes = record_notifications(app)
        hidden = app.view("redteam")
        await wait_for(pilot, lambda: hidden.ticks >= 1)  # baseline, silently
        await wait_for(pilot, lambda: app.view("nimble").ticks >= 1)
        key = sim.add_task("redteam", status="Failed", test_name="background failure")
        await wait_for(pilot, lambda: any(key in n[1] for n in notes))
        assert app.active_tab == "datasets"


async def test_without_watch_all_hidden_tabs_stay_idle(sim):
    app = make_app(sim, start_tab="datasets", refresh=0.05)
    async with app.run_test() as pilot:
        view = app.view("datasets")
        await wait_for(pilot, lambda: view.ticks >= 5)
        assert app.view("redteam").ticks == 0 and app.view("nimble").ticks == 0
        assert "/redteam/list-tasks" not in sim.counts() and "/v1/tasks" not in sim.counts()


# ---------------------------------------------------------------------------------------- copy


def decoded(sequence: str) -> str:
    payload = sequence.split(";", 2)[2].rstrip("\x07")
    return base64.b64decode(payload).decode()


async def test_c_copies_the_task_id_with_osc52(sim, monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        notes = record_notifications(app)
        terminal = record_terminal(app)
        await pilot.press("down", "c")
        key = app.view("redteam").table.selected_key
        assert len(terminal) == 1 and terminal[0].startswith("\x1b]52;c;")
        assert decoded(terminal[0]) == key
        assert any(key[:20] in text for _, text in notes)


async def test_inside_tmux_the_copy_is_also_sent_wrapped_for_passthrough(sim, monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = make_app(sim, start_tab="nimble")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "nimble")
        terminal = record_terminal(app)
        await pilot.press("c")
        key = app.view("nimble").table.selected_key
        plain, wrapped = terminal
        assert decoded(plain) == key
        assert wrapped == "\x1bPtmux;" + plain.replace("\x1b", "\x1b\x1b") + "\x1b\\"


# -------------------------------------------------------------------------------------- export


async def test_e_exports_the_current_page_to_csv(sim, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        notes = record_notifications(app)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog")
        await pilot.click("#page-csv")
        await wait_for(pilot, lambda: any("exported 10 rows" in n[1] for n in notes))
        (path,) = tmp_path.glob("tasktop-redteam-*.csv")
        assert any(f"./{path.name}" in n[1] for n in notes)
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["task_id"] for r in rows] == row_keys(app, "redteam")
        shown = {r.key: r.record for r in app.view("redteam").page.rows}
        for row in rows:
            assert row["test_name"] == shown[row["task_id"]].test_name


async def test_e_exports_all_pages_to_json_after_confirmation(sim, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        notes = record_notifications(app)
        total = app.view("nimble").page.paging.total
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog")
        await pilot.click("#all-json")
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []  # nothing happens before the confirmation
        await pilot.click("#go")
        await wait_for(pilot, lambda: any("exported" in n[1] for n in notes), timeout=30)
        (path,) = tmp_path.glob("tasktop-nimble-*.json")
        data = json.loads(path.read_text())
        assert len(data) == total == len({d["id"] for d in data})
        assert {"id", "state", "input", "_query"} <= set(data[0])


# ------------------------------------------------------------------------------------ profiles


async def test_profile_switch_changes_base_url_and_key(sim, tmp_path, monkeypatch):
    for name in ("TASKTOP_ENKRYPT_API_KEY", "TASKTOP_NIMBLE_API_KEY", "TASKTOP_ENKRYPT_URL",
                 "TASKTOP_NIMBLE_URL", "TASKTOP_PROFILE", "TASKTOP_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    second = start_simulator(manual_clock=True, seed=7, enkrypt_key="second-enkrypt-key-0002")
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'enkrypt_url = "{sim.url}"\nnimble_url = "{sim.url}"\n'
            f'[profiles.second]\nenkrypt_url = "{second.url}"\nnimble_url = "{second.url}"\n'
        )
        from tui.core import keys

        keys.remember_session_key("enkrypt", "default", sim.enkrypt_key)
        keys.remember_session_key("enkrypt", "second", "second-enkrypt-key-0002")
        args = argparse.Namespace(
            config=str(config), profile=None, demo=False, refresh=3600.0, per_page=None
        )
        runtime = build_runtime(args)
        runtime.now = sim.now
        assert runtime.profiles == ["default", "second"]
        app = TasktopApp(runtime, start_tab="redteam")
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.view("redteam")
            await loaded(pilot, app, "redteam")
            assert str(view.query_one(".key-label").render()).startswith("default · ")
            first_keys = row_keys(app, "redteam")
            app.switch_profile("second")
            await wait_for(pilot, lambda: view.page is not None and second.counts())
            await wait_for(pilot, lambda: row_keys(app, "redteam") != first_keys)
            assert second.counts().get("/redteam/list-tasks", 0) >= 1
            assert str(view.query_one(".key-label").render()).startswith("second · key: session")
            assert app.runtime.enkrypt_url == second.url
    finally:
        keys._session.clear()
        second.stop()
