"""Server text through the toast and dialog paths reaches the terminal only as visible symbols.

Each test drives one path for real against the simulator, with a task id or an error body holding
OSC 52 (clipboard), OSC 8 (hyperlink), SGR (colour) and C1 sequences, then inspects what Textual
would write: the text of every segment of a full compositor update (modal screens included), and
the toast widgets themselves. Textual's Content strips BEL, BS, VT, FF and CR but lets ESC
through, so these paths must escape before handing text over (TasktopApp.notify, literal()).
"""

from __future__ import annotations

import base64
import re

import pytest
from support.app import loaded, make_app, record_terminal, wait_for

from tui.core.clipboard import copy_summary
from tui.core.keys import KeyInfo
from tui.process.runtime import Runtime
from tui.sim import handler as sim_handler
from tui.sim.faults import Fault
from tui.sim.routes import Answer

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
OSC8 = "\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\"
SGR = "\x1b[31;1mred\x1b[0m"
C1 = "\x9b2J\x9d0;pwned\x9c"
HOSTILE = OSC52 + OSC8 + SGR + C1
#: What must never be in a painted segment's text: C0 (tab/newline included), DEL, C1.
RAW = re.compile("[\x00-\x1f\x7f-\x9f]")


def painted_texts(app) -> list[str]:
    """The text of every segment Textual would write for a full repaint of the screen stack
    (toasts and the screens under a modal one included)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [
        segment.text
        for line in update.strips
        for strip in line
        for segment in strip
        if not segment.control
    ]


def assert_painted_safely(app, *fragments: str) -> str:
    """No raw control in any segment; every fragment (visible forms) painted somewhere (keep
    fragments short: a toast wraps its text)."""
    texts = painted_texts(app)
    for text in texts:
        assert not RAW.search(text), f"raw control character painted: {text!r}"
    screen = "".join(texts)
    for fragment in fragments:
        assert fragment in screen.replace("\n", ""), (fragment, screen)
    return screen


def toast_texts(app) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def test_alert_toast_shows_a_hostile_task_id_as_symbols(sim):
    app = make_app(sim, start_tab="redteam", per_page=10)
    app.runtime.desktop_notify = True
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")  # the silent baseline
        terminal = record_terminal(app)
        key = sim.add_task("redteam", task_id=f"red-team-{HOSTILE}", status="Failed")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        await wait_for(pilot, lambda: any("new task, Failed" in t for t in toast_texts(app)))
        await pilot.pause()
        (toast,) = toast_texts(app)
        assert "red-team-␛]52;c;ZXZpbA==␇␛]8;;https://evil.invalid␛\\click" in toast
        assert "\\x9b2J\\x9d0;pwned\\x9c" in toast
        assert key in app.view("redteam").rows_by_key
        assert_painted_safely(app, "red-team-␛]52;c;ZXZ")
        # the desktop notification: only its own OSC framing, the id inside shown as symbols
        assert len(terminal) == 2
        for sequence in terminal:
            assert not RAW.search(sequence[2:-1]) and "␛]52;c;ZXZpbA==␇" in sequence


async def test_copy_puts_only_printable_text_on_the_clipboard_and_says_so(sim, monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    hostile_id = f"red-team-{OSC52}\r\nrm -rf ~\n{SGR}"
    sim.add_task("redteam", task_id=hostile_id, status="Running")
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")
        table = app.view("redteam").table
        table.move_cursor(row=table.get_row_index(hostile_id))
        await pilot.pause()
        terminal = record_terminal(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(toast_texts(app)))
        await pilot.pause()
        (sequence,) = terminal
        assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
        copied = base64.b64decode(sequence[len("\x1b]52;c;"):-1]).decode()
        assert copied == "red-team-␛]52;c;ZXZpbA==␇␍␤rm -rf ~␤␛[31;1mred␛[0m"
        assert copied.isprintable() and app.copied == copied
        (toast,) = toast_texts(app)
        assert toast.startswith("copied red-team-␛]52;c;")
        assert "(control characters shown as symbols)" in toast
        assert_painted_safely(app, "copied red-team-␛]52", "shown as symbols")


async def test_copy_of_a_plain_id_is_verbatim(sim, monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")
        terminal = record_terminal(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(toast_texts(app)))
        key = app.view("redteam").table.selected_key
        assert base64.b64decode(terminal[0][len("\x1b]52;c;"):-1]).decode() == key
        assert toast_texts(app) == [f"copied {copy_summary(key)}"]


@pytest.fixture
def hostile_error_bodies(monkeypatch):
    """The simulator's fault answers carry HOSTILE as their error text."""
    monkeypatch.setattr(sim_handler, "status_body", lambda status, vendor: {"error": HOSTILE})


async def test_export_dialog_quotes_a_hostile_server_error_as_symbols(
    sim, tmp_path, monkeypatch, hostile_error_bodies
):
    monkeypatch.chdir(tmp_path)
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog")
        await pilot.click("#all-csv")
        await pilot.pause()
        sim.set_fault(Fault("status", path_prefix="/redteam", status=400))
        await pilot.click("#go")
        status = app.screen.query_one("#export-status")
        await wait_for(pilot, lambda: "export stopped" in str(status.render()))
        await pilot.pause()
        shown = str(status.render())
        assert shown.startswith("export stopped: bad request: server rejected the request (400): "
                                "␛]52;c;ZXZpbA==␇␛]8;;")
        assert "\\x9b2J" in shown
        assert_painted_safely(app, "export stopped", "␛]52;c;ZXZpbA")
        assert list(tmp_path.iterdir()) == []


async def test_key_dialog_quotes_a_hostile_401_body_as_symbols(sim, monkeypatch, no_keys):
    monkeypatch.setattr(sim.api, "unauthorized", lambda vendor: Answer(401, {"message": HOSTILE}))
    runtime = Runtime(
        sim.url,
        sim.url,
        {"enkrypt": KeyInfo("enkrypt", "env", "wrong-key-000000000"),
         "nimble": KeyInfo("nimble", "none")},
        3600.0,
        now=sim.now,
    )
    from tui.ui.app import TasktopApp

    app = TasktopApp(runtime, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        assert view.error.kind == "auth" and "\x1b]52" in view.error.message  # raw in the model
        await pilot.press("k")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "KeyDialog")
        await pilot.pause()
        reason = str(app.screen.query_one(".error").render())
        assert reason.startswith("the current key was refused: API key refused (401): "
                                 "␛]52;c;ZXZpbA==␇")
        assert_painted_safely(app, "API key refused (401)", "␛]52;c;ZXZpbA")
        await pilot.press("escape")


async def test_every_toast_is_escaped_whoever_sends_it(sim):
    """notify from the app, a screen or a widget lands in TasktopApp.notify: one line, literal."""
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")
        app.view("redteam").notify(f"from a widget {HOSTILE}\nsecond line", title=f"t{OSC52}")
        app.screen.notify(f"[b]literal[/b] {C1}")  # Screen.notify asks for markup by default
        await wait_for(pilot, lambda: len(toast_texts(app)) == 2)
        await pilot.pause()
        first, second = sorted(toast_texts(app))
        assert first == "[b]literal[/b] \\x9b2J\\x9d0;pwned\\x9c"
        assert second.startswith("t␛]52;c;ZXZpbA==␇\nfrom a widget ␛]52;c;")
        assert second.endswith("␤second line")
        assert_painted_safely(app, "[b]literal[/b]", "from a widget")


async def test_ctrl_c_hint_is_plain_text(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, app, "redteam")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: bool(toast_texts(app)))
        assert toast_texts(app) == ["Do you want to quit?\nPress q to quit the app"]
        assert app.is_running
