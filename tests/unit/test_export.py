"""tui.core.export: file naming, CSV/JSON contents, and walking every page (fakes and the simulator)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import httpx
import pytest

from tui.core.export import (
    columns_of,
    csv_cell,
    csv_text,
    default_export_path,
    display_path,
    export_rows,
    export_view,
    record_to_dict,
)
from tui.core.export_walk import AllRows, PageLimitExceeded, fetch_all, fetch_all_pages
from tui.providers.base import Page, PageInfo, PageRequest, ProtocolError, RateLimited
from tui.providers.enkrypt import EnkryptClient
from tui.providers.models import DatasetTask, NimbleTask, RedteamTask, decode_record
from tui.providers.nimble import NimbleClient
from tui.providers.sources import Row
from tui.sim.server import start_simulator

NOW = datetime(2026, 11, 22, 18, 45, 0)


# ------------------------------------------------------------------------------- records


def test_record_to_dict_wire_records_keep_extra_fields_and_wire_names():
    task = decode_record(
        {"task_id": "t1", "status": "Failed", "model_name": "m", "new_field": {"a": [1, 2]}},
        RedteamTask,
    )
    assert record_to_dict(task) == {
        "task_id": "t1", "status": "Failed", "model_name": "m", "test_name": None,
        "project_name": None, "new_field": {"a": [1, 2]},
    }
    nimble = decode_record({"id": "n1", "state": "error", "_query": {"q": 1}}, NimbleTask)
    assert record_to_dict(nimble)["_query"] == {"q": 1}
    assert "query" not in record_to_dict(nimble)


def test_record_to_dict_names_rows_and_mappings():
    assert record_to_dict("Election") == {"dataset_name": "Election"}
    task = DatasetTask(dataset_name="D", created_at="c", status="Running", task_id="x")
    assert record_to_dict(Row("D", "Running", task))["task_id"] == "x"
    assert record_to_dict(Row("E", "", "E")) == {"dataset_name": "E"}
    original = {"a": 1}
    copy = record_to_dict(original)
    assert copy == original and copy is not original
    with pytest.raises(TypeError):
        record_to_dict(42)


# ----------------------------------------------------------------------------------- CSV


def test_columns_are_the_union_in_first_seen_order():
    assert columns_of([{"b": 1, "a": 2}, {"c": 3, "a": 4}, {"d": 5}]) == ["b", "a", "c", "d"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        ({"k": [1, "é"]}, '{"k":[1,"é"]}'),
        ([], "[]"),
        ("plain", "plain"),
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_cell_formula_guard_can_be_off():
    assert csv_cell("=1+1", formula_guard=False) == "=1+1"


def test_export_csv_contents(tmp_path):
    rows = [
        {"task_id": "t1", "status": "Failed", "nested": {"a": 1}, "n": None},
        {"task_id": "t2", "extra": "line one\nline two, with \"quotes\"", "status": "Running"},
    ]
    path = export_rows(rows, tmp_path / "out.csv", "csv")
    text = path.read_text(encoding="utf-8")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [
        ["task_id", "status", "nested", "n", "extra"],
        ["t1", "Failed", '{"a":1}', "", ""],
        ["t2", "Running", "", "", "line one\nline two, with \"quotes\""],
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_VALUES = [
    "=2+3", "+1", "-1", "@SUM(A1)", "\tx", "\r=1",
    "note\r=2+3", "note\n=2+3", "note\r\n+cmd|' /C calc'!A0", "a\r\r-1", "a\n\n@x", "ok\rline",
    "two\nlines\r\nthree\rfour", 'quote "and" comma, here',
]


def _lines(cell: str) -> list[str]:
    return cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_read_back_no_cell_or_header_line_starts_a_formula(tmp_path):
    rows = [
        {"task_id": f"t{i}", value: value, "note": value} for i, value in enumerate(HOSTILE_VALUES)
    ]
    path = export_rows(rows, tmp_path / "hostile.csv", "csv")
    parsed = _read_csv(path)
    assert len(parsed) == 1 + len(rows)  # a CR or LF inside a value never starts a row
    assert all(len(line) == len(parsed[0]) for line in parsed)
    for line in parsed:
        for cell in line:
            for piece in _lines(cell):
                assert not piece.startswith(FORMULA_STARTS), (cell, piece)
    header = parsed[0]
    for value in HOSTILE_VALUES:
        guarded = csv_text(value)
        assert guarded in header
        assert parsed[1 + HOSTILE_VALUES.index(value)][header.index("note")] == guarded
        # The guard only adds "'" at line starts: the data is all still there.
        assert guarded.replace("'", "") == value.replace("'", "")


def test_csv_bare_cr_stays_inside_its_quoted_cell(tmp_path):
    path = export_rows([{"a": "note\r=2+3", "b": "x"}], tmp_path / "cr.csv", "csv")
    assert path.read_bytes() == b'a,b\r\n"note\r\'=2+3",x\r\n'
    assert _read_csv(path) == [["a", "b"], ["note\r'=2+3", "x"]]


def test_csv_escapes_control_characters_but_keeps_line_breaks_and_tabs(tmp_path):
    hostile = "\x1b]52;c;ZXZpbA==\x07red\x1b[31m\x9b2J\u202eevil\r\nnext\tcol"
    path = export_rows([{"\x1b[2Jkey": hostile}], tmp_path / "esc.csv", "csv")
    raw = path.read_text(encoding="utf-8")
    assert not any(c in raw for c in "\x1b\x07\x9b\u202e")
    header, row = _read_csv(path)
    assert header == ["␛[2Jkey"]
    assert row == ["␛]52;c;ZXZpbA==␇red␛[31m\\x9b2J\\u202eevil\r\nnext\tcol"]


def test_json_export_escapes_c1_and_bidi_controls_and_round_trips(tmp_path):
    rows = [{"id": "x\x1b[31m\x9b2J\u202e\u2028y", "ok": "é"}]
    path = export_rows(rows, tmp_path / "esc.json", "json")
    raw = path.read_text(encoding="utf-8")
    assert not any(c in raw for c in "\x1b\x9b\u202e\u2028")
    assert "é" in raw
    assert json.loads(raw) == rows


def test_export_json_contents_equal_rows(tmp_path):
    rows = [{"id": "a", "input": {"url": "https://x"}, "ok": True}, {"id": "ü", "n": 1.5}]
    path = export_rows(rows, tmp_path / "out.json", "json")
    assert json.loads(path.read_text(encoding="utf-8")) == rows


def test_export_of_no_rows(tmp_path):
    assert export_rows([], tmp_path / "e.csv", "csv").read_bytes() == b"\r\n"
    assert json.loads(export_rows([], tmp_path / "e.json", "json").read_text()) == []


def test_export_never_overwrites(tmp_path):
    target = tmp_path / "taken.csv"
    target.write_text("precious")
    with pytest.raises(FileExistsError):
        export_rows([{"a": 1}], target, "csv")
    assert target.read_text() == "precious"


def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "bad.json"
    with pytest.raises(TypeError):
        export_rows([{"a": object()}], target, "json")
    assert not target.exists()


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="csv or json"):
        export_rows([], tmp_path / "x.xml", "xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        default_export_path("redteam", "xml", NOW, tmp_path)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- names


def test_default_export_path_name_and_numbering(tmp_path):
    first = default_export_path("redteam", "csv", NOW, tmp_path)
    assert first == tmp_path / "tasktop-redteam-20261122-184500.csv"
    first.write_text("")
    second = default_export_path("redteam", "csv", NOW, tmp_path)
    assert second.name == "tasktop-redteam-20261122-184500-1.csv"
    second.write_text("")
    assert default_export_path("redteam", "csv", NOW, tmp_path).name.endswith("-2.csv")
    # another format or tab is a different name
    assert default_export_path("redteam", "json", NOW, tmp_path).name.endswith("184500.json")


def test_a_dangling_symlink_is_a_taken_name(tmp_path):
    (tmp_path / "tasktop-nimble-20261122-184500.json").symlink_to(tmp_path / "nowhere")
    path = default_export_path("nimble", "json", NOW, tmp_path)
    assert path.name == "tasktop-nimble-20261122-184500-1.json"


def test_default_export_path_uses_cwd_and_sanitises_tab(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = default_export_path("../evil/tab", "json", NOW)
    assert path.parent == tmp_path
    assert path.name == "tasktop-___evil_tab-20261122-184500.json"
    assert display_path(path) == f"./{path.name}"
    assert display_path(tmp_path.parent / "x.csv") == str(tmp_path.parent / "x.csv")


def test_export_view_writes_fresh_files(tmp_path):
    records = [Row("n", "error", decode_record({"id": "n", "state": "error"}, NimbleTask))]
    a = export_view(records, "nimble", "json", now=NOW, directory=tmp_path)
    b = export_view(records, "nimble", "json", now=NOW, directory=tmp_path)
    assert a != b and {a.name, b.name} == {
        "tasktop-nimble-20261122-184500.json", "tasktop-nimble-20261122-184500-1.json"}
    assert json.loads(b.read_text())[0]["id"] == "n"


# ---------------------------------------------------------------------- walking with fakes


def number_pages(total: int, per_page_hint: int | None = None):
    """A fake page-number API over tasks 0..total-1, recording the requests it saw."""
    seen: list[PageRequest] = []

    async def fetch(request: PageRequest) -> Page[str]:
        seen.append(request)
        per = request.per_page
        start = (request.page - 1) * per
        rows = [f"t{i}" for i in range(start, min(start + per, total))]
        pages = -(-total // per)
        info = PageInfo(kind="number", page=request.page, per_page=per, total_count=total,
                        total_pages=pages, has_next=request.page < pages)
        return Page(rows, info, request)

    return fetch, seen


async def test_number_paging_walks_every_page_and_reports_progress():
    fetch, seen = number_pages(25)
    progress: list[tuple[int, int | None]] = []
    rows = await fetch_all_pages(
        fetch, PageRequest(page=3, per_page=10, status="Failed"),
        progress=lambda d, t: progress.append((d, t)),
    )
    assert rows == [f"t{i}" for i in range(25)]
    assert [r.page for r in seen] == [1, 2, 3]  # starts at page 1 whatever the request said
    assert {r.status for r in seen} == {"Failed"}
    assert progress == [(1, 3), (2, 3), (3, 3)]


async def test_empty_list_is_one_request():
    fetch, seen = number_pages(0)
    walk = await fetch_all(fetch, PageRequest(per_page=10))
    assert (walk.rows, walk.pages, walk.total, len(seen)) == ([], 1, 0, 1)


async def test_number_paging_without_total_pages_follows_has_next():
    async def fetch(request):
        rows = [f"p{request.page}"]
        return Page(rows, PageInfo(kind="number", page=request.page, has_next=request.page < 4),
                    request)

    progress = []
    rows = await fetch_all_pages(fetch, PageRequest(), progress=lambda d, t: progress.append(t))
    assert rows == ["p1", "p2", "p3", "p4"]
    assert progress == [None] * 4


async def test_rows_that_slide_to_the_next_page_are_kept_once_with_a_key():
    # a new task arrives after page 1 was read: "t9" shows up again at the top of page 2
    pages = {1: ["t10", "t9"], 2: ["t9", "t8"], 3: ["t7"]}

    async def fetch(request):
        info = PageInfo(kind="number", page=request.page, total_pages=3, total_count=5)
        return Page(pages[request.page], info, request)

    assert await fetch_all_pages(fetch, PageRequest(per_page=2)) == [
        "t10", "t9", "t9", "t8", "t7"]
    assert await fetch_all_pages(fetch, PageRequest(per_page=2), key=lambda r: r) == [
        "t10", "t9", "t8", "t7"]


def cursor_pages(chunks: list[list[str]], cursors: list[str | None] | None = None):
    cursors = cursors or [f"c{i}" for i in range(1, len(chunks))] + [None]
    sent: list[str | None] = []

    async def fetch(request):
        sent.append(request.cursor)
        index = 0 if request.cursor is None else int(request.cursor[1:])
        nxt = cursors[index]
        info = PageInfo(kind="cursor", cursor=request.cursor, next_cursor=nxt,
                        has_next=nxt is not None, total=sum(map(len, chunks)))
        return Page(chunks[index], info, request)

    return fetch, sent


async def test_cursor_paging_follows_next_cursor_until_has_next_is_false():
    fetch, sent = cursor_pages([["a", "b"], ["c", "d"], ["e"]])
    progress = []
    walk = await fetch_all(fetch, PageRequest(cursor="stale", limit=2),
                           progress=lambda d, t: progress.append((d, t)))
    assert walk == AllRows(["a", "b", "c", "d", "e"], 3, 5)
    assert sent == [None, "c1", "c2"]
    assert progress == [(1, None), (2, None), (3, None)]


async def test_a_looping_cursor_is_a_protocol_error():
    fetch, _ = cursor_pages([["a"], ["b"]], cursors=["c1", "c1"])
    with pytest.raises(ProtocolError, match="cursor"):
        await fetch_all_pages(fetch, PageRequest())


async def test_max_pages_stops_a_runaway_server():
    async def endless(request):
        return Page(["x"], PageInfo(kind="number", page=request.page, has_next=True), request)

    with pytest.raises(PageLimitExceeded, match="more than 5 pages"):
        await fetch_all_pages(endless, PageRequest(), max_pages=5)


async def test_fetch_errors_propagate():
    async def limited(request):
        raise RateLimited("slow down", retry_after=3)

    with pytest.raises(RateLimited):
        await fetch_all_pages(limited, PageRequest())


# ----------------------------------------------------------------------- the simulator


def raw_all(sim, path: str, list_key: str, id_key: str) -> list[str]:
    """Every task id, walked with plain httpx (not tasktop's code)."""
    ids: list[str] = []
    if path.startswith("/v1"):
        cursor = None
        headers = {"Authorization": f"Bearer {sim.nimble_key}"}
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            body = httpx.get(sim.url + path, params=params, headers=headers).json()
            ids += [t[id_key] for t in body[list_key]]
            if not body["pagination"]["has_next"]:
                return ids
            cursor = body["pagination"]["next_cursor"]
    page = 1
    while True:
        body = httpx.get(sim.url + path, params={"page": page, "per_page": 100},
                         headers={"apikey": sim.enkrypt_key}).json()
        ids += [t if id_key == "" else t[id_key] for t in body[list_key]]
        if page >= body["pagination"]["total_pages"]:
            return ids
        page += 1


async def test_walk_the_simulators_lists(sim):
    async with EnkryptClient(sim.url, sim.enkrypt_key) as enkrypt, \
            NimbleClient(sim.url, sim.nimble_key) as nimble:
        redteam = await fetch_all(enkrypt.list_redteam, PageRequest(per_page=100))
        datasets = await fetch_all(enkrypt.list_datasets, PageRequest(per_page=7))
        tasks = await fetch_all(nimble.list_tasks, PageRequest(limit=100))
    assert [t.task_id for t in redteam.rows] == raw_all(sim, "/redteam/list-tasks", "tasks",
                                                        "task_id")
    assert redteam.total == len(redteam.rows) and redteam.pages == -(-redteam.total // 100)
    assert datasets.rows == raw_all(sim, "/datasets/list-tasks", "datasets", "")
    assert datasets.pages == -(-datasets.total // 7)
    assert [t.id for t in tasks.rows] == raw_all(sim, "/v1/tasks", "data", "id")
    assert len(set(t.id for t in tasks.rows)) == tasks.total


async def test_exports_never_contain_the_api_key(tmp_path):
    key = "sk-tasktop-EXPORT-canary-7f3a9c"
    nimble_key = "nb-tasktop-EXPORT-canary-b2e4d1"
    with start_simulator(seed=3, manual_clock=True, enkrypt_key=key,
                         nimble_key=nimble_key) as sim:
        # a hostile server echoing something key-like in a field still cannot reach the key
        sim.add_task("redteam", test_name="=cmd|' /C calc'!A0")
        async with EnkryptClient(sim.url, key) as enkrypt, NimbleClient(sim.url, nimble_key) as n:
            redteam = await fetch_all_pages(enkrypt.list_redteam, PageRequest(per_page=100))
            nimble = await fetch_all_pages(n.list_tasks, PageRequest(limit=100))
    written = [
        export_view(rows, tab, fmt, now=NOW, directory=tmp_path)
        for tab, rows in (("redteam", redteam), ("nimble", nimble)) for fmt in ("csv", "json")
    ]
    assert len(written) == 4
    for path in written:
        data = path.read_bytes()
        assert len(data) > 1000
        for secret in (key, nimble_key):
            assert secret.encode() not in data
            assert secret[-8:].encode() not in data
    csv_text = written[0].read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in csv_text
    assert json.loads(written[1].read_text())[0]["test_name"] == "=cmd|' /C calc'!A0"
