"""`tasktop list …` and `tasktop show …`: the task queues without a screen, for scripts and runbooks.

    tasktop list {datasets|redteam|nimble} [--status S] [--page N] [--per-page N]
                 [--cursor C] [--limit N] [--all] [--json]
    tasktop show {datasets|redteam|nimble} ID_OR_NAME [--json]

Both run through the tab's source, as the app does (tui.commands.headless): a datasets page is
enriched with each dataset's task, within the source's in-flight window. This module wires the
arguments to that; tui.commands.task_output renders what comes back.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.commands.headless import EXIT_USAGE, add_config_options, fail, on_source, out
from tui.commands.task_output import (
    harmless,
    paging_dict,
    render_page,
    render_record,
    render_rows,
    row_json,
    to_json,
)
from tui.tabs.registry import names, tabs

if TYPE_CHECKING:
    from tui.providers.base import Page
    from tui.providers.sources import TaskSource

EXIT_CODES = ("Exit codes: 0 ok, 1 server/network/protocol error, 2 usage or config, 3 auth, "
              "4 rate limited, 5 not found.")


# ------------------------------------------------------------------------------ registration


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--timeout", type=float, metavar="S", help="request timeout in seconds")
    add_config_options(common)

    lister = sub.add_parser(
        "list",
        parents=[common],
        help="print one page of a task queue",
        description="Print one page of tasks. datasets/redteam page by number (--page, "
        "--per-page, --status); nimble pages by cursor (--cursor, --limit). A datasets page "
        "shows each dataset's task (status, created, started, task id).",
        epilog=EXIT_CODES,
    )
    lister.add_argument("source", choices=names(), help="which queue")
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
        "'data-generation-' is a task id, anything else a dataset name.",
        epilog=EXIT_CODES,
    )
    shower.add_argument("source", choices=names(), help="which queue")
    shower.add_argument("id", metavar="ID_OR_NAME", help="task id (or dataset name)")
    shower.set_defaults(handler=run_show)


# ----------------------------------------------------------------------------------- commands


def run_list(args: argparse.Namespace) -> int:
    from tui.providers.base import PageRequest

    problem = _mixed_paging_options(args)
    if problem:
        return fail("usage", problem, EXIT_USAGE)
    if getattr(args, "all_pages", False):
        return _list_all(args)
    request = PageRequest(
        page=1 if args.page is None else args.page,
        per_page=10 if args.per_page is None else args.per_page,
        status=args.status,
        cursor=args.cursor,
        limit=10 if args.limit is None else args.limit,
    )

    async def fetch(source: TaskSource) -> Page[Any]:
        return await source.fetch(request)

    result = on_source(args, args.source, fetch)
    if isinstance(result, int):
        return result
    page: Page[Any] = result
    if page.oversized:
        print(f"tasktop: {page.oversized}", file=sys.stderr)
    if args.json:
        out(to_json({"rows": [row_json(row) for row in page.rows], "paging": paging_dict(page)}))
    else:
        out(render_page(args.source, page))
    return 0


def _list_all(args: argparse.Namespace) -> int:
    """`list --all`: walk every page. JSON {"rows": [...], "paging": {"pages": N, "total": M}} is
    written page by page as the walk goes (one page in memory); the table needs every row for its
    column widths, so it is printed at the end."""
    from tui.core.export_walk import ALL_PAGE_SIZE, WalkState, walk_pages
    from tui.core.json_stream import JsonArrayWriter
    from tui.providers.base import PageRequest

    if args.page is not None or args.cursor is not None:
        return fail("usage", "--all walks every page from the first; drop --page/--cursor",
                    EXIT_USAGE)
    request = PageRequest(
        page=1,
        per_page=ALL_PAGE_SIZE if args.per_page is None else args.per_page,
        status=args.status,
        limit=ALL_PAGE_SIZE if args.limit is None else args.limit,
    )
    show = sys.stderr.isatty()
    state = WalkState()
    rows_out = JsonArrayWriter(sys.stdout, depth=1, head='{\n  "rows": ') if args.json else None
    kept: list[Any] = []

    def progress(done: int, total: int | None) -> None:
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\rtasktop: fetched page {done}{of}")
        sys.stderr.flush()

    async def walk(source: TaskSource) -> WalkState:
        async for rows in walk_pages(source.fetch, request, progress=progress if show else None,
                                     key=lambda row: row.key, state=state):
            if rows_out is None:
                kept.extend(rows)
            else:
                rows_out.write(row_json(row) for row in rows)
        return state

    result = on_source(args, args.source, walk)
    if show:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    if isinstance(result, int):
        return result  # a streamed JSON document stays unfinished: not mistaken for all tasks
    if rows_out is not None:
        rows_out.close()
        paging = to_json({"pages": state.pages, "total": state.total}).replace("\n", "\n  ")
        out(f',\n  "paging": {paging}\n}}')
        return 0
    body = render_rows(args.source, kept) if kept else "no tasks"
    summary = f"all {state.pages} page{'s' if state.pages != 1 else ''}"
    shown = len(kept)
    summary += f" · {shown} task" if shown == 1 else f" · {shown} tasks"
    if state.total is not None and state.total != shown:
        summary += f" (server total {state.total})"
    if args.status:
        summary += f" · status {harmless(args.status)}"
    out(f"{body}\n{summary}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    async def find(source: TaskSource) -> Any:
        return (await source.find(args.id)).record

    result = on_source(args, args.source, find)
    if isinstance(result, int):
        return result
    if args.json:
        out(to_json(result.to_json_dict()))
    else:
        out(render_record(result.field_items()))
    return 0


def _mixed_paging_options(args: argparse.Namespace) -> str | None:
    """Options of the other paging kind than the tab's source uses, as a usage message."""
    cursor_tabs = [tab.id for tab in tabs() if tab.paging == "cursor"]
    if args.source in cursor_tabs:
        used = [o for o, v in (("--status", args.status), ("--page", args.page),
                               ("--per-page", args.per_page)) if v is not None]
        if used:
            return (f"{', '.join(used)} not supported for {args.source} (cursor paging, "
                    "no status filter)")
    else:
        used = [o for o, v in (("--cursor", args.cursor), ("--limit", args.limit)) if v is not None]
        if used:
            return (f"{', '.join(used)} apply to {'/'.join(cursor_tabs)} only; "
                    "use --page/--per-page")
    return None
