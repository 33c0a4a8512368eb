"""`tasktop list …` and `tasktop show …`: the task queues without a screen, for scripts and runbooks.

    tasktop list {datasets|redteam|nimble} [--status S] [--page N] [--per-page N]
                 [--cursor C] [--limit N] [--json]
    tasktop show {datasets|redteam|nimble} ID_OR_NAME [--json]

Human output is a plain aligned table (or key/value lines) in which every server string is made
harmless for a terminal; --json prints the parsed answer. Errors are one line on stderr,
"tasktop: <kind>: <message>", with the exit code of the error class (2 usage/config, 3 auth,
4 rate limited, 5 not found, 1 other). httpx and the clients are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

from tui.core.safe_text import escape_as_codes, json_safe

if TYPE_CHECKING:
    from tui.core.config import Config
    from tui.core.keys import KeyInfo
    from tui.providers.base import Page, PageRequest

SOURCES = ("datasets", "redteam", "nimble")
DATASET_TASK_PREFIX = "data-generation-"
EXIT_USAGE = 2


# ------------------------------------------------------------------------------ registration


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--timeout", type=float, metavar="S", help="request timeout in seconds")
    # Also accepted after the subcommand; SUPPRESS keeps the top-level value when absent.
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file")
    common.add_argument("--profile", metavar="P", default=argparse.SUPPRESS, help="config profile")
    common.add_argument("--log", metavar="FILE", dest="log_file", default=argparse.SUPPRESS,
                        help="append a debug log to FILE (never keys)")

    lister = sub.add_parser(
        "list",
        parents=[common],
        help="print one page of a task queue",
        description="Print one page of tasks. datasets/redteam page by number (--page, "
        "--per-page, --status); nimble pages by cursor (--cursor, --limit).",
        epilog="Exit codes: 0 ok, 1 server/network/protocol error, 2 usage or config, 3 auth, "
        "4 rate limited, 5 not found.",
    )
    lister.add_argument("source", choices=SOURCES, help="which queue")
    lister.add_argument("--status", metavar="S", help="Queued, Running, Finished or Failed")
    lister.add_argument("--page", type=int, metavar="N", help="page number (from 1)")
    lister.add_argument("--per-page", type=int, metavar="N", help="rows per page (1-100)")
    lister.add_argument("--cursor", metavar="C", help="next_cursor of the previous nimble page")
    lister.add_argument("--limit", type=int, metavar="N", help="rows per nimble page")
    lister.add_argument("--all", action="store_true", dest="all_pages",
                        help="fetch every page (100 rows per request unless --per-page/--limit); "
                        "each task is printed once")
    lister.set_defaults(handler=run_list)

    shower = sub.add_parser(
        "show",
        parents=[common],
        help="print every field of one task",
        description="Print one task. For datasets, an ID_OR_NAME starting with "
        f"'{DATASET_TASK_PREFIX}' is a task id, anything else a dataset name.",
        epilog="Exit codes: 0 ok, 1 server/network/protocol error, 2 usage or config, 3 auth, "
        "4 rate limited, 5 not found.",
    )
    shower.add_argument("source", choices=SOURCES, help="which queue")
    shower.add_argument("id", metavar="ID_OR_NAME", help="task id (or dataset name)")
    shower.set_defaults(handler=run_show)


# ----------------------------------------------------------------------------------- commands


def run_list(args: argparse.Namespace) -> int:
    from tui.providers.base import PageRequest

    problem = _mixed_paging_options(args)
    if problem:
        return _fail("usage", problem, EXIT_USAGE)
    if getattr(args, "all_pages", False):
        return _list_all(args)
    request = PageRequest(
        page=1 if args.page is None else args.page,
        per_page=10 if args.per_page is None else args.per_page,
        status=args.status,
        cursor=args.cursor,
        limit=10 if args.limit is None else args.limit,
    )

    async def fetch(client: Any) -> Page[Any]:
        if args.source == "nimble":
            return await client.list_tasks(request)
        if args.source == "datasets":
            return await client.list_datasets(request)
        return await client.list_redteam(request)

    result = _run(args, fetch)
    if isinstance(result, int):
        return result
    page: Page[Any] = result
    if page.oversized:
        print(f"tasktop: {page.oversized}", file=sys.stderr)
    if args.json:
        rows = [row if isinstance(row, str) else row.to_json_dict() for row in page.rows]
        _out(to_json({"rows": rows, "paging": _paging_dict(page)}))
    else:
        _out(render_page(args.source, page))
    return 0


def _list_all(args: argparse.Namespace) -> int:
    """`list --all`: walk every page. JSON {"rows": [...], "paging": {"pages": N, "total": M}} is
    written page by page as the walk goes (one page in memory); the table needs every row for its
    column widths, so it is printed at the end."""
    from tui.core.export import ALL_PAGE_SIZE, WalkState, walk_pages
    from tui.providers.base import PageRequest

    if args.page is not None or args.cursor is not None:
        return _fail("usage", "--all walks every page from the first; drop --page/--cursor",
                     EXIT_USAGE)
    request = PageRequest(
        page=1,
        per_page=ALL_PAGE_SIZE if args.per_page is None else args.per_page,
        status=args.status,
        limit=ALL_PAGE_SIZE if args.limit is None else args.limit,
    )
    show = sys.stderr.isatty()
    state = WalkState()
    out = JsonRowsOut(sys.stdout) if args.json else None
    kept: list[Any] = []

    def progress(done: int, total: int | None) -> None:
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\rtasktop: fetched page {done}{of}")
        sys.stderr.flush()

    async def fetch(client: Any) -> Any:
        if args.source == "nimble":
            page_fn, key = client.list_tasks, (lambda t: t.id)
        elif args.source == "datasets":
            page_fn, key = client.list_datasets, (lambda name: name)
        else:
            page_fn, key = client.list_redteam, (lambda t: t.task_id)
        async for rows in walk_pages(page_fn, request, progress=progress if show else None,
                                     key=key, state=state):
            if out is None:
                kept.extend(rows)
            else:
                out.write(rows)
        return state

    result = _run(args, fetch)
    if show:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    if isinstance(result, int):
        return result  # a streamed JSON document stays unfinished: not mistaken for all tasks
    if out is not None:
        out.finish({"pages": state.pages, "total": state.total})
        return 0
    body = render_rows(args.source, kept) if kept else "no tasks"
    summary = f"all {state.pages} page{'s' if state.pages != 1 else ''}"
    shown = len(kept)
    summary += f" · {shown} task" if shown == 1 else f" · {shown} tasks"
    if state.total is not None and state.total != shown:
        summary += f" (server total {state.total})"
    if args.status:
        summary += f" · status {harmless(args.status)}"
    _out(f"{body}\n{summary}")
    return 0


class JsonRowsOut:
    """`{"rows": [...], "paging": {...}}` written as the rows come, flushed once per page: the
    same text `to_json` gives for the whole document, without holding it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._rows = 0

    def write(self, rows: list[Any]) -> None:
        parts = []
        for row in rows:
            element = to_json(row if isinstance(row, str) else row.to_json_dict())
            lead = '{\n  "rows": [\n    ' if self._rows == 0 else ",\n    "
            parts.append(lead + element.replace("\n", "\n    "))
            self._rows += 1
        self._stream.write("".join(parts))
        self._stream.flush()

    def finish(self, paging: dict[str, Any]) -> None:
        head = '{\n  "rows": [],\n' if self._rows == 0 else "\n  ],\n"
        tail = '  "paging": ' + to_json(paging).replace("\n", "\n  ") + "\n}\n"
        self._stream.write(head + tail)
        self._stream.flush()


def run_show(args: argparse.Namespace) -> int:
    async def fetch(client: Any) -> Any:
        if args.source == "nimble":
            return await client.get_task(args.id)
        if args.source == "redteam":
            return await client.get_redteam_task(args.id)
        if args.id.startswith(DATASET_TASK_PREFIX):
            return await client.get_dataset_task(task_id=args.id)
        return await client.get_dataset_task(dataset=args.id)

    result = _run(args, fetch)
    if isinstance(result, int):
        return result
    if args.json:
        _out(to_json(result.to_json_dict()))
    else:
        _out(render_record(result.field_items()))
    return 0


def _mixed_paging_options(args: argparse.Namespace) -> str | None:
    if args.source == "nimble":
        used = [o for o, v in (("--status", args.status), ("--page", args.page),
                               ("--per-page", args.per_page)) if v is not None]
        if used:
            return f"{', '.join(used)} not supported for nimble (cursor paging, no status filter)"
    else:
        used = [o for o, v in (("--cursor", args.cursor), ("--limit", args.limit)) if v is not None]
        if used:
            return f"{', '.join(used)} apply to nimble only; use --page/--per-page"
    return None


def _run(args: argparse.Namespace, fetch: Any) -> Any:
    """Load config and key, run `fetch(client)` on a fresh client; an int is an exit code."""
    from tui.core.config import ConfigError, load_config

    try:
        config = load_config(getattr(args, "config", None), getattr(args, "profile", None))
    except ConfigError as err:
        return _fail(err.kind, str(err), err.exit_code)

    import asyncio

    from tui.core.keys import resolve_key
    from tui.process.logsetup import (
        get_logger,
        log_error,
        logging_enabled,
        register_secret,
    )
    from tui.providers.base import AuthError, ProviderError

    provider = "nimble" if args.source == "nimble" else "enkrypt"
    key = resolve_key(provider, config.profile)  # a KeyInfo: its repr never shows the value
    timeout = config.timeout if args.timeout is None else args.timeout
    if logging_enabled():
        register_secret(key.value)
        url = config.nimble_url if provider == "nimble" else config.enkrypt_url
        get_logger().debug("%s %s: profile %s, %s, %s", args.command, args.source,
                           config.profile, url, key.masked())
    try:
        return asyncio.run(_with_client(provider, config, key, timeout, fetch))
    except ProviderError as err:
        log_error(err, what=f"{args.command} {args.source}")
        if not isinstance(err, AuthError):
            return _fail(err.kind, err.message, err.exit_code, key)
        message = err.message
        if not key.present:
            message += f" ({key.problem})" if key.problem else (
                f" (set {_env_var(provider)} or run `tasktop keys set {provider}`)"
            )
        return _fail(err.kind, message, err.exit_code, key)


async def _with_client(
    provider: str, config: Config, key: KeyInfo, timeout: float, fetch: Any
) -> Any:
    if provider == "nimble":
        from tui.providers.nimble import NimbleClient

        client: Any = NimbleClient(config.nimble_url, key.value, timeout)
    else:
        from tui.providers.enkrypt import EnkryptClient

        client = EnkryptClient(config.enkrypt_url, key.value, timeout)
    from tui.process.logsetup import instrument

    instrument(client)  # request/response lines in the --log file, if any
    async with client:
        return await fetch(client)


def _env_var(provider: str) -> str:
    from tui.core.keys import ENV_VARS

    return ENV_VARS[provider]


def _fail(kind: str, message: str, code: int, key: KeyInfo | None = None) -> int:
    if key is not None and key.value:
        message = message.replace(key.value, "***")
    print(f"tasktop: {kind}: {harmless(' '.join(message.split()))}", file=sys.stderr)
    return code


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# ------------------------------------------------------------------------------- rendering


def harmless(text: str) -> str:
    """`text` as one line with every terminal control made visible (ESC -> \\x1b, U+202E ->
    \\u202e): the unsafe characters of tui.core.safe_text, plus tab and newline."""
    return escape_as_codes(text)


def to_json(obj: Any) -> str:
    """Pretty JSON that is still valid JSON but cannot drive a terminal."""
    import json

    text = json.dumps(obj, indent=2, ensure_ascii=False)  # escapes C0 itself
    return json_safe(text)


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _clip(text: str, limit: int | None) -> str:
    if limit is None or cell_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = cell_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return harmless(" ".join(str(value).split()) if isinstance(value, str) else str(value))


#: (header, attribute, max width or None) per source, in the TUI's column order.
COLUMNS: dict[str, list[tuple[str, str, int | None]]] = {
    "redteam": [
        ("STATUS", "status", 12),
        ("TEST", "test_name", 32),
        ("MODEL", "model_name", 32),
        ("PROJECT", "project_name", 20),
        ("TASK ID", "task_id", None),
    ],
    "nimble": [
        ("STATE", "state", 10),
        ("API TYPE", "api_type", 10),
        ("CREATED", "created_at", 32),
        ("MODIFIED", "modified_at", 32),
        ("CODE", "status_code", 6),
        ("ERROR", "error", 40),
        ("ID", "id", None),
    ],
    "datasets": [("DATASET", "", None)],
}


def render_table(headers: list[str], rows: list[list[str]], limits: list[int | None]) -> str:
    """An aligned plain-text table; cells must already be harmless and one line."""
    rows = [[_clip(c, lim) for c, lim in zip(row, limits)] for row in rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - cell_width(c)) for c, w in zip(cells, widths)]
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def render_rows(source: str, records: list[Any]) -> str:
    """The aligned table of `records` in the source's column layout (header included)."""
    columns = COLUMNS[source]
    headers = [c[0] for c in columns]
    limits = [c[2] for c in columns]
    rows = [
        [_cell(row if not attr else getattr(row, attr, None)) for _, attr, _ in columns]
        for row in records
    ]
    return render_table(headers, rows, limits)


def render_page(source: str, page: Page[Any]) -> str:
    body = render_rows(source, page.rows) if page.rows else "no tasks"
    return f"{body}\n{paging_line(page)}"


def paging_line(page: Page[Any]) -> str:
    p = page.paging

    def count(n: int | None) -> str:
        return f"{n} task" if n == 1 else f"{n} tasks"

    if p.kind == "cursor":
        where = f"next cursor: {harmless(p.next_cursor)}" if p.has_next and p.next_cursor else (
            "last page")
        return where if p.total is None else f"{where} · {count(p.total)}"
    parts = [f"page {p.page} of {max(p.total_pages or 0, 1)}"]
    if p.total_count is not None:
        parts.append(count(p.total_count))
    if page.request.status:
        parts.append(f"status {page.request.status}")
    return " · ".join(parts)


def _paging_dict(page: Page[Any]) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(page.paging)


def render_record(items: list[tuple[str, Any]]) -> str:
    """'key  value' lines for every field; JSON values pretty-printed and indented under the key."""
    import msgspec

    names = [harmless(name) for name, _ in items]
    width = max((cell_width(n) for n in names), default=0)
    lines: list[str] = []
    for name, (_, value) in zip(names, items):
        value = msgspec.to_builtins(value)
        if isinstance(value, (dict, list)):
            text = to_json(value) if value else ("{}" if isinstance(value, dict) else "[]")
            parts = text.split("\n")
        elif isinstance(value, str):
            parts = [harmless(p) for p in value.replace("\r\n", "\n").split("\n")]
        else:
            parts = [_cell(value)]
        pad = " " * (width - cell_width(name))
        lines.append(f"{name}{pad}  {parts[0]}".rstrip())
        lines.extend(f"{' ' * width}  {p}".rstrip() for p in parts[1:])
    return "\n".join(lines)
