"""Hostile strings in every server field, on every tab: shown literally, layout intact, no actions.

The simulator sends them verbatim (sim.add_task). What must hold, in the table and in the detail pane:
- markup such as `[@click=app.quit]` or an unbalanced `[/]` shows as the characters it is;
- ESC, BEL, C1 and bidi controls never reach the terminal (widgets.text makes them visible);
- 10 000-character, wide CJK/emoji and RTL strings keep every row one line high and every column
  the width it had, and every painted line exactly the screen's width;
- nothing runs: the app keeps running, no screen is pushed, the clipboard is untouched.
"""

from __future__ import annotations

import re

import pytest
from support.app import loaded, make_app, wait_for

from tui.ui.presenters import COLUMNS
from widgets.text import literal

H = {
    "click": "[@click=app.quit]quit[/]",
    "markup": "[bold red]loud[/bold red] [/] [link=https://evil.invalid]x",
    "unbalanced": "[/][/][/link]",
    "osc52": "\x1b]52;c;ZXZpbA==\x07",
    "clear": "\x1b[2J\x1b[H\x1bc",
    "ansi": "\x1b[31mred\x1b[0m\x1b[?1049l",
    "title": "\x1b]0;pwned\x07\x1b]8;;https://evil.invalid\x1b\\link\x1b]8;;\x1b\\",
    "long": "L" * 10_000,
    "rtl": "invoice\u202egnp.exe\u2066x\u2069",
    "wide": "漢字テスト🙂👩‍👩‍👧‍👦ｗｉｄｅ",
    "lines": "one\ntwo\r\nthree\tfour\x0bfive\x0c",
    "c1": "\x9b31m\x9d0;t\x9c\x85",
    "nul": "\x00\x08\x7f",
}
CYCLE = list(H.values())

#: What must never reach the terminal: C0 (but space), DEL, C1, bidi overrides/embeddings/isolates.
RAW = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def hostile(*names: str) -> dict[str, str]:
    return {name: CYCLE[i % len(CYCLE)] for i, name in enumerate(names)}


def inject(sim) -> dict[str, tuple[str, dict]]:
    """One all-hostile task per tab (keys plain enough to fetch its detail); returns tab -> (key,
    fields)."""
    redteam = hostile("status", "model_name", "test_name", "project_name", "note", "created_at")
    redteam["task_id"] = "red-team-hostile-[@click=app.quit]"
    redteam["nested"] = {"k": H["osc52"], H["click"]: [H["clear"], H["wide"]]}
    nimble = hostile("state", "api_type", "error", "error_type", "account_name", "status_url",
                     "download_url", "output_url", "batch_id", "created_at", "modified_at",
                     "surprise")
    nimble["id"] = "nimble-hostile-[/]"
    nimble["status_code"] = 200
    nimble["input"] = {"url": H["osc52"], "render": [H["click"], H["long"]]}
    nimble["_query"] = {H["ansi"]: H["rtl"]}
    datasets = hostile("status", "project_name", "policy_description", "info_pdf_url",
                       "created_at", "started_at", "surprise")
    datasets["dataset_name"] = "hostile-dataset-[/]"
    datasets["task_id"] = "data-generation-hostile"
    datasets["system_description"] = H["long"] + H["osc52"] + H["lines"]
    datasets["tools"] = [{"name": H["click"], "description": H["clear"] + H["wide"]}]
    out = {}
    for tab, fields in (("redteam", redteam), ("nimble", nimble), ("datasets", datasets)):
        key = sim.add_task(tab, **fields)
        out[tab] = (key, fields)
    # A dataset whose *name* (the list's only field, and the header its detail is fetched with)
    # is hostile: the row must still show, literally.
    out["datasets-name"] = (sim.add_task("datasets", dataset_name=H["osc52"] + H["click"]), {})
    return out


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings_in(k), *strings_in(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [str(value)]


def screen_lines(app) -> list[str]:
    """What the app would paint now: one string per screen row, from the compositor's strips."""
    strips = app.screen._compositor.render_strips()
    width = app.screen.size.width
    lines = []
    for strip in strips:
        assert strip.cell_length == width, "a painted line is wider or narrower than the screen"
        lines.append("".join(segment.text for segment in strip))
    return lines


def _plain(value) -> str:
    return value.plain if hasattr(value, "plain") else str(value or "")


def assert_nothing_raw(app) -> None:
    for line in screen_lines(app):
        assert not RAW.search(line), f"raw control character painted: {line!r}"


def assert_no_action(app, copies) -> None:
    assert app.is_running
    assert len(app.screen_stack) == 1
    assert app.clipboard == "" and copies == []


async def check_tab(pilot, app, tab: str, key: str, fields: dict, widths: list[int], copies):
    view = app.view(tab)
    table = view.table
    await wait_for(pilot, lambda: key in view.rows_by_key)
    await pilot.pause()

    # -- table: literal cells, one line per row, columns still fitting the screen
    row = table.get_row(key)
    row = row[len(row) - len(COLUMNS[tab]):]  # the leading change-mark column is ours
    wanted = {literal(s, single_line=True).plain for s in strings_in(fields)}
    for cell in row:
        plain = cell.plain
        assert not RAW.search(plain)
        shown = plain.removesuffix("…")
        assert not shown or any(w.startswith(shown) for w in wanted | {key}) or not fields, plain
    assert sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width
    assert len(widths) == len(COLUMNS[tab]) and all(table.column_widths.values())  # none left out
    assert all(r.height == 1 for r in table.rows.values())
    assert_nothing_raw(app)

    # -- detail pane
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: view.detail.title is not None and view.detail_key == key)
    await pilot.pause()
    detail = view.detail
    assert not RAW.search(literal(detail.title, single_line=True).plain)
    for label in detail.field_labels:
        assert not RAW.search(label)
    for widget in detail.query("*"):
        content = getattr(widget, "renderable", None) or getattr(widget, "content", None)
        plain = getattr(content, "plain", "")
        assert not RAW.search(plain.replace("\n", "").replace("\t", ""))
    texts = "".join(_plain(getattr(w, "text", "")) for w in detail.query("TextView"))
    assert not RAW.search(texts.replace("\n", "").replace("\t", ""))  # tabs expand on paint
    if fields:
        assert "[@click=app.quit]" in "\n".join(screen_lines(app)) + texts or tab == "nimble"
    assert_nothing_raw(app)

    # clicking around the hostile text runs nothing
    await pilot.click(detail, offset=(2, 1))
    await pilot.click(detail, offset=(20, 3))
    await pilot.press("escape")
    await pilot.pause()
    if table.display:
        await pilot.click(table, offset=(12, 1))
        await pilot.click(table, offset=(40, 1))
    assert_no_action(app, copies)


@pytest.mark.parametrize("size", [(150, 40), (80, 24)], ids=["wide", "narrow"])
async def test_hostile_strings_render_literally_everywhere(sim, size):
    app = make_app(sim, start_tab="redteam")
    copies: list[str] = []
    app.copy_to_clipboard = copies.append  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        widths = {}
        for tab, number in (("redteam", "2"), ("nimble", "3"), ("datasets", "1")):
            await pilot.press(number)
            await loaded(pilot, app, tab)
            widths[tab] = [w for w in app.view(tab).table.column_widths.values() if w]
        injected = inject(sim)
        for tab, number in (("redteam", "2"), ("nimble", "3"), ("datasets", "1")):
            await pilot.press(number)
            ticks = app.view(tab).ticks
            await pilot.press("r")
            await loaded(pilot, app, tab, ticks=ticks + 1)
            key, fields = injected[tab]
            await check_tab(pilot, app, tab, key, fields, widths[tab], copies)
        # the dataset with a hostile name: listed literally, its tab unharmed
        key, _ = injected["datasets-name"]
        view = app.view("datasets")
        assert key in view.rows_by_key and view.error is None
        row = view.table.get_row(key)
        cell = row[len(row) - len(COLUMNS["datasets"]) + 1].plain  # the Dataset column
        assert not RAW.search(cell) and cell.startswith("␛]52;c;ZXZpbA==␇")
        assert literal(key, single_line=True).plain.startswith(cell.removesuffix("…"))
        assert_nothing_raw(app)
        assert_no_action(app, copies)


async def test_hostile_server_error_text_is_literal_too(sim):
    """Error text quoted from a server body (here a 400's `detail`) reaches the notice line and the
    badge through the same sanitiser, and cannot run anything either."""
    import httpx

    from tui.providers.enkrypt import EnkryptClient
    from tui.providers.retry import NO_RETRY

    hostile_text = H["osc52"] + H["click"] + H["rtl"] + H["clear"] + H["long"]

    def respond(request):
        return httpx.Response(400, json={"detail": hostile_text})

    app = make_app(sim, start_tab="redteam")
    client = EnkryptClient("https://api.test", sim.enkrypt_key,
                           transport=httpx.MockTransport(respond))
    client.http.retry = NO_RETRY
    app.runtime._clients["enkrypt"] = client  # the tabs' sources are built from this client
    copies: list[str] = []
    app.copy_to_clipboard = copies.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        await pilot.pause()
        notice = view.query_one(".notice")
        shown = str(notice.render())
        assert shown.startswith("server rejected the request (400): ␛]52;c;ZXZpbA==␇[@click=")
        assert not RAW.search(shown) and "\n" not in shown
        assert not RAW.search(view.badge.render_text().plain)
        assert notice.size.height <= 2  # one line (two at most when a narrow screen wraps it)
        assert_nothing_raw(app)
        await pilot.click(notice, offset=(45, 0))
        assert_no_action(app, copies)


async def test_megabyte_strings_are_cropped_not_frozen_on(sim):
    """3 MB fields (the page stays under the client's 8 MiB cap) in the list and detail: cropped."""
    big = "0123456789" * 300_000
    key = sim.add_task("redteam", test_name=big, model_name=H["wide"] * 10_000, note=big)
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        assert all(len(cell.plain) <= 200 for cell in view.table.get_row(key))
        assert all(r.height == 1 for r in view.table.rows.values())
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail_key == key and view.detail.title is not None)
        assert len(view.detail.title) == len(big)  # kept whole in the model, cropped on screen
        assert_nothing_raw(app)
        await pilot.press("escape", "n")
        await loaded(pilot, app, "redteam", ticks=2)  # still answering keys
        assert app.is_running and view.page.paging.page == 2
