"""A server that echoes the caller's own API key in a 200 answer: the key reaches no output.

The simulator's `echo_key` fault puts the key in the first task's id, in a text field and an
unknown field, as the Nimble next_cursor, as the first dataset name and in single-task answers.
tasktop masks its key in every body before decoding (tui/providers/http.py), so no screen, CLI
output, export file or clipboard payload may contain it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import httpx
import pytest
from support.app import loaded, make_app, wait_for

from tui.sim.server import Fault

TABS = {"datasets": "1", "redteam": "2", "nimble": "3"}


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def decoded_osc52(sequence: str) -> str:
    payload = sequence.split(";", 2)[2].rstrip("\x07")
    return base64.b64decode(payload).decode()


def assert_no_key(text: str, sim, where: str) -> None:
    for key in (sim.enkrypt_key, sim.nimble_key):
        assert key not in text, f"API key found in {where}"


async def test_an_echoed_key_reaches_no_screen_clipboard_or_export(sim, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TMUX", raising=False)
    sim.set_fault(Fault("echo_key"))
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(200, 50)) as pilot:
        writes: list[str] = []
        original_write = app._driver.write
        app._driver.write = lambda data: (writes.append(data), original_write(data))[1]
        notes: list[str] = []
        original_notify = app.notify
        app.notify = lambda message, **kw: (notes.append(str(message)),
                                            original_notify(message, **kw))[1]
        for tab, key_press in TABS.items():
            await pilot.press(key_press)
            await loaded(pilot, app, tab)
            view = app.view(tab)
            # The echo landed (so the test can fail): the first row's id was the key, now masked.
            assert view.table.selected_key == "***"
            assert_no_key(screen_text(app), sim, f"the {tab} table")
            await pilot.press("c")
            await wait_for(pilot, lambda: app.copied == "***")
            await pilot.press("down", "enter")
            # The detail's get-task answer echoes the key too (in an unknown field "echo").
            await wait_for(pilot, lambda: "echo" in view.detail.field_labels)
            assert_no_key(screen_text(app), sim, f"the {tab} detail")
            await pilot.press("escape")
            for button in ("#page-csv", "#page-json"):
                await pilot.press("e")
                await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog")
                before = len(notes)
                await pilot.click(button)
                await wait_for(pilot, lambda: len(notes) > before)
        # Dataset details came with the page (enrichment): their echoed fields are masked too.
        records = [row.record for row in app.view("datasets").page.rows]
        assert any(getattr(r, "extra", {}).get("echo") == "***" for r in records)
    files = sorted(tmp_path.glob("tasktop-*"))
    assert len(files) == 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "***" in text
        assert_no_key(text, sim, path.name)
    copies = [decoded_osc52(w) for w in writes if w.startswith("\x1b]52;")]
    assert copies and set(copies) == {"***"}
    assert_no_key("\n".join(writes), sim, "the terminal output")
    assert_no_key("\n".join(notes), sim, "a notification")


def run_cli(sim, tmp_path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TASKTOP_ENKRYPT_URL=sim.url,
        TASKTOP_NIMBLE_URL=sim.url,
        TASKTOP_ENKRYPT_API_KEY=sim.enkrypt_key,
        TASKTOP_NIMBLE_API_KEY=sim.nimble_key,
    )
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, env=env, timeout=60
    )


def a_real_task(sim, tab: str) -> str:
    """The id (or dataset name) of the second task of the first page: not the echoed one."""
    with httpx.Client(base_url=sim.url) as client:
        if tab == "nimble":
            body = client.get("/v1/tasks", headers={"Authorization": f"Bearer {sim.nimble_key}"})
            return body.json()["data"][1]["id"]
        path = "/datasets/list-tasks" if tab == "datasets" else "/redteam/list-tasks"
        body = client.get(path, headers={"apikey": sim.enkrypt_key}).json()
        return body["datasets"][1] if tab == "datasets" else body["tasks"][1]["task_id"]


@pytest.mark.parametrize("tab", list(TABS))
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_an_echoed_key_reaches_no_cli_output(sim, tmp_path, tab, as_json):
    task = a_real_task(sim, tab)
    sim.set_fault(Fault("echo_key"))
    flag = ["--json"] if as_json else []
    listed = run_cli(sim, tmp_path, "list", tab, *flag)
    shown = run_cli(sim, tmp_path, "show", tab, task, *flag)
    for result in (listed, shown):
        assert result.returncode == 0, result.stderr
        assert "***" in result.stdout  # the echo arrived, masked
        assert_no_key(result.stdout + result.stderr, sim, f"`{' '.join(result.args[3:])}`")
    if as_json and tab == "nimble":
        assert json.loads(listed.stdout)["paging"]["next_cursor"] == "***"
