"""`tasktop history …`: what the local history file remembers, without a screen.

    tasktop history [datasets|redteam|nimble] [--since 2h] [--status S] [--json]
    tasktop history TASK_ID [--json]
    tasktop history --forget

Transitions print oldest first, one per line; a task id prints its timeline. Every stored string
came from a server and is escaped (tui.core.safe_text) on the way out; --json goes through
json_safe. Exit codes as `tasktop list`: 0 ok, 1 the file cannot be used, 2 usage, 5 no history
for that task.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui.commands.tasks_cmd import EXIT_USAGE, SOURCES, _fail, _out, harmless, render_table, to_json

EXIT_NOT_FOUND = 5
_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = sub.add_parser(
        "history",
        help="print the transitions tasktop has seen, or one task's timeline",
        description="Print what the local history remembers: a tab's transitions (oldest first), "
        "or, given a task id, its timeline with queue wait and run time. Nothing is fetched.",
        epilog="Exit codes: 0 ok, 1 history file unusable, 2 usage, 5 no history for that task.",
    )
    parser.add_argument("target", nargs="?", metavar="TAB_OR_TASK_ID",
                        help="datasets, redteam or nimble (default: all three), or a task id")
    parser.add_argument("--since", metavar="WHEN",
                        help="only transitions after WHEN: an age (90s, 30m, 2h, 7d) or a UTC time")
    parser.add_argument("--status", metavar="S", help="only transitions into status S")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--forget", action="store_true", help="clear this profile's history")
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file")
    parser.add_argument("--profile", metavar="P", default=argparse.SUPPRESS,
                        help="whose history (default: the config's profile; 'demo' for --demo)")
    parser.set_defaults(handler=run)


def parse_since(text: str, now: datetime) -> datetime:
    """An age ('2h': two hours before `now`) or an RFC 3339 time; ValueError otherwise."""
    from tui.core.timefmt import parse_time

    match = _AGO.match(text.strip().lower())
    if match:
        return now - timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    when = parse_time(text)
    if when is None:
        raise ValueError(f"--since {text!r}: give an age like 30m, 2h or 7d, or a UTC time")
    return when


def _where(args: argparse.Namespace) -> tuple[Path, str] | int:
    from tui.commands.app_cmd import history_path
    from tui.core.config import ConfigError, load_config
    from tui.history.connect import default_path

    asked = getattr(args, "profile", None) or os.environ.get("TASKTOP_PROFILE")
    try:
        config = load_config(getattr(args, "config", None), None, env={
            k: v for k, v in os.environ.items() if k != "TASKTOP_PROFILE"})
    except ConfigError as error:
        return _fail("config", str(error), EXIT_USAGE)
    extra = dict(config.extra)
    extra["history"] = True  # the CLI reads the file even when recording is switched off
    try:
        path = history_path(argparse.Namespace(history=True), extra) or default_path()
    except SystemExit as error:
        return _fail("config", str(error).removeprefix("tasktop: config: "), EXIT_USAGE)
    return path, asked or config.profile


def run(args: argparse.Namespace) -> int:
    from tui.history import History

    where = _where(args)
    if isinstance(where, int):
        return where
    path, profile = where
    if args.forget and (args.target or args.since or args.status):
        return _fail("usage", "--forget clears the whole profile; give it alone", EXIT_USAGE)
    try:
        since = parse_since(args.since, datetime.now(UTC)) if args.since else None
    except ValueError as error:
        return _fail("usage", str(error), EXIT_USAGE)
    is_tab = args.target is None or args.target in SOURCES
    if not is_tab and (since or args.status):
        return _fail("usage", "--since and --status apply to a tab's transitions, not a task id",
                     EXIT_USAGE)
    if not path.exists() and not args.forget:
        if args.json:
            _out(to_json({"transitions": []} if is_tab else {"timelines": []}))
            return 0 if is_tab else EXIT_NOT_FOUND
        print(f"tasktop: history: nothing recorded yet ({harmless(str(path))})", file=sys.stderr)
        return 0 if is_tab else EXIT_NOT_FOUND
    history = History.open(path, profile)
    try:
        if not history.enabled:
            return _fail("history", history.notice or "history file unusable", 1)
        if history.notice:
            print(f"tasktop: {harmless(history.notice)}", file=sys.stderr)
        if args.forget:
            history.forget()
            history.flush()
            _out(f"history: forgot profile {harmless(profile)} ({harmless(str(path))})")
            return 0
        if is_tab:
            tabs = [args.target] if args.target else list(SOURCES)
            return _print_changes(history, tabs, since, args.status, args.json)
        return _print_timelines(history, args.target, args.json)
    finally:
        history.close()


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _print_changes(history: Any, tabs: list[str], since: datetime | None, status: str | None,
                   as_json: bool) -> int:
    changes = sorted((c for tab in tabs for c in history.changes_since(tab, since, status=status)),
                     key=lambda c: c.seen_at)
    if as_json:
        _out(to_json({"transitions": [
            {"tab": c.tab, "task_id": c.task_id, "previous": c.previous, "status": c.status,
             "seen_at": c.seen_at.isoformat(), "server_at": c.server_at} for c in changes]}))
        return 0
    if not changes:
        print("tasktop: history: no transitions", file=sys.stderr)
        return 0
    rows = [[_time(c.seen_at), c.tab, harmless(c.task_id), harmless(c.previous or "(new)"),
             harmless(c.status), harmless(c.server_at or "")] for c in changes]
    _out(render_table(["SEEN (UTC)", "TAB", "TASK", "FROM", "TO", "SERVER TIME"], rows,
                      [None, None, 64, 24, 24, 32]))
    return 0


def _print_timelines(history: Any, task_id: str, as_json: bool) -> int:
    from tui.history import render_timeline

    timelines = [history.timeline(tab, task_id) for tab in history.tabs_of(task_id)]
    if as_json:
        _out(to_json({"timelines": [
            {"tab": t.tab, "task_id": t.task_id, "waited": t.waited, "ran": t.ran, "steps": [
                {"status": s.status, "seen_at": s.seen_at.isoformat(), "server_at": s.server_at,
                 "previous": s.previous, "waited": s.waited, "ran": s.ran, "gap": s.gap}
                for s in t.steps]} for t in timelines]}))
        return 0 if timelines else EXIT_NOT_FOUND
    if not timelines:
        return _fail("not found", f"no history for task {task_id}", EXIT_NOT_FOUND)
    blocks = []
    for timeline in timelines:
        title = f"{timeline.tab} {harmless(timeline.task_id)}"
        rows = [[_time(s.seen_at), harmless(s.status), harmless(s.server_at or ""),
                 "gap before" if s.gap else ""] for s in timeline.steps]
        table = render_table(["SEEN (UTC)", "STATUS", "SERVER TIME", ""], rows, [None, 24, 32, None])
        blocks.append(f"{title}\n{render_timeline(timeline)}\n{table}")
    _out("\n\n".join(blocks))
    return 0
