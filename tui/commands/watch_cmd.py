"""`tasktop watch …`: wait for tasks from a script or CI job, like `gh run watch --exit-status`.

    tasktop watch {datasets|redteam|nimble} [ID_OR_NAME ...] [--status S]
                  [--until terminal|all-terminal] [--fail-on STATES] [--timeout DURATION]
                  [--interval S] [--json]

With ids it polls each named task (its get-task call) until every one has ended; without, it polls
the queue's first page and reports each change until --until is met, --timeout passes or a signal
stops it. The first poll prints where each task starts; after that only changes, one line each
(`--json`: one JSON object per line, flushed). What counts as ended, which code the watch exits
with and the event schema live in tui.core.watching; this module only polls, waits and prints.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.app_cmd import history_path, hook_runner
from tui.commands.headless import EXIT_USAGE, add_config_options, fail, on_source
from tui.commands.task_output import harmless
from tui.tabs.registry import names

if TYPE_CHECKING:
    from tui.core.transitions import Transition
    from tui.core.watching import WatchState
    from tui.providers.base import ProviderError
    from tui.providers.sources import TaskSource

#: Rows of a queue watch's page (the APIs' largest page: the newest tasks, one list call).
QUEUE_PAGE = 100
#: Most tasks that left the page looked up in one poll (one get-task call each).
LEAVERS_PER_POLL = 20
#: At the end of a watch, the longest wait for hooks still queued or running.
HOOK_DRAIN_SECONDS = 60.0

EPILOG = (
    "Exit codes: 0 every watched task ended well, 6 one ended in a --fail-on state, 124 --timeout "
    "passed (or the code of the outage it passed in: 4 rate limited, 1 server/network), "
    "130 SIGINT, 143 SIGTERM, 2 usage or config, 3 auth, 5 not found."
)


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    watcher = sub.add_parser(
        "watch",
        help="wait for tasks to end, or report a queue's changes (for scripts and CI)",
        description="With ID_OR_NAME: wait until each named task has ended (datasets: a dataset "
        "name or a 'data-generation-…' task id). Without: report every status change on "
        "the queue's first page (--status: of that status) until --until, --timeout or a signal.",
        epilog=EPILOG,
    )
    watcher.add_argument("source", choices=names(), help="which queue")
    watcher.add_argument("ids", nargs="*", metavar="ID_OR_NAME", help="tasks to wait for")
    watcher.add_argument("--status", metavar="S", help="queue watch: only tasks of this status")
    watcher.add_argument(
        "--until", choices=("terminal", "all-terminal"),
        help="stop when one watched task has ended, or when all have (default with ids: "
        "all-terminal; without: run until --timeout or a signal)",
    )
    watcher.add_argument(
        "--fail-on", type=_states, metavar="STATES",
        help="comma-separated states that count as failure, case-folded (default: failed,error)",
    )
    watcher.add_argument("--timeout", type=_duration, metavar="DURATION", dest="watch_timeout",
                         help="give up after DURATION (90s, 10m, 1h)")
    watcher.add_argument("--interval", type=_interval, metavar="S",
                         help="seconds between polls, at least 0.1 (default: the config's "
                         "refresh, 5)")
    watcher.add_argument("--json", action="store_true", help="JSON Lines, one event per change")
    watcher.add_argument(
        "--no-history", dest="history", action="store_false", default=None,
        help="hooks dedupe in memory only, not across runs through the history file",
    )
    add_config_options(watcher)
    watcher.set_defaults(handler=run)


def _duration(text: str) -> float:
    from tui.core.watching import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: Polls closer than this are a mistake (a unit left off), not a wish: each is a list call.
MIN_INTERVAL = 0.1


def _interval(text: str) -> float:
    seconds = _duration(text)
    if seconds < MIN_INTERVAL:
        raise argparse.ArgumentTypeError(f"{text!r}: at least {MIN_INTERVAL}s between polls")
    return seconds


def _states(text: str) -> frozenset[str]:
    from tui.core.watching import parse_states

    try:
        return parse_states(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """The watch on the tab's source of a Runtime built as for `list` (tui.commands.headless),
    which also turns a non-transient error into its one line and exit code."""
    from tui.core.config import ConfigError, load_config

    if args.ids and args.status:
        return fail("usage", "--status filters a queue watch; drop it when naming tasks",
                    EXIT_USAGE)
    try:
        config = load_config(getattr(args, "config", None), getattr(args, "profile", None))
    except ConfigError as err:
        return fail(err.kind, str(err), err.exit_code)

    from tui.core.watching import DEFAULT_FAIL_ON, WatchState

    state = WatchState(tuple(dict.fromkeys(args.ids)), args.fail_on or DEFAULT_FAIL_ON, args.until)

    try:
        runner = hook_runner(config)
        history_file = history_path(args, config.extra) if runner is not None else None
    except ConfigError as err:
        return fail(err.kind, str(err), err.exit_code)

    async def work(source: TaskSource) -> int:
        watch = Watch(args.source, source, state, interval=args.interval or config.refresh,
                      timeout=args.watch_timeout, status=args.status, json_lines=args.json)
        if runner is None:
            return await watch.run()
        import asyncio

        from tui.hooks.event import from_transition

        runner.on_notice = lambda line: watch.say(f"hooks: {line}")  # on the runner's thread
        runner.secrets = keys  # a keyring key too, not only the env's: masked in every hook
        history = await asyncio.to_thread(_open_history, history_file, config.profile)
        if history is not None:  # a hook given once, by the monitor or an earlier watch, is not given again
            from tui.hooks.ledger import HistoryLedger

            runner.ledger = HistoryLedger(history)
        watch.listeners.append(lambda change: runner.submit(from_transition(change)))
        try:
            return await watch.run()
        finally:
            # Hooks queued before a normal end still run (a CI job's last failure must reach
            # someone), each within its own timeout; a signal kills a running one at once.
            drain = watch.stopped_by not in ("SIGINT", "SIGTERM")
            loop = asyncio.get_running_loop()
            signals = (signal.SIGINT, signal.SIGTERM)
            for sig in signals:  # a signal while draining stops the hooks, not the cleanup
                loop.add_signal_handler(
                    sig, lambda: loop.run_in_executor(None, lambda: runner.close(timeout=0)))
            try:
                await asyncio.to_thread(runner.close, drain=drain,
                                        timeout=HOOK_DRAIN_SECONDS if drain else 0)
            finally:
                for sig in signals:
                    loop.remove_signal_handler(sig)
                if history is not None:
                    await asyncio.to_thread(history.close)

    keys: list[str] = []
    return on_source(args, args.source, work, secrets=keys)


def _open_history(path: Path | None, profile: str) -> Any:
    """The history file the hooks dedupe through (None when history is off); a file that cannot
    be used is one stderr line, and the watch goes on deduplicating in memory."""
    from tui.history import History

    if path is None:
        return None
    history = History.open(path, profile)
    if history.notice:
        print(f"tasktop: history: {harmless(history.notice)}", file=sys.stderr)
    return history if history.enabled else None


class Watch:
    """One watch: polls, prints each change, rides out outages, ends on its goal or a signal."""

    def __init__(
        self, tab: str, source: TaskSource, state: WatchState, *, interval: float,
        timeout: float | None = None, status: str | None = None, json_lines: bool = False,
        out: Any = None, err: Any = None,
    ) -> None:
        self.source = source
        self.tab = tab
        self.state = state
        self.interval = interval
        self.timeout = timeout
        self.status = status
        self.json_lines = json_lines
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        #: Called with every change after it is printed, from the second poll on (for the alert
        #: hooks: the first poll only says where each task starts).
        self.listeners: list[Any] = []
        self.stopped_by: str | None = None
        self.outage: ProviderError | None = None
        self.failed_polls = 0
        #: List calls the last poll made: a filtered Nimble walk's polls are spaced by them, as
        #: the app's ticks are, so the request rate stays one call per interval.
        self._calls = 1

    # ------------------------------------------------------------------------------- the run

    async def run(self) -> int:
        import asyncio

        from tui.core.watching import EXIT_SIGINT, EXIT_SIGTERM

        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        names = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
        for sig, name in names.items():
            loop.add_signal_handler(sig, self._stop, name, me)
        timer = loop.call_later(self.timeout, self._stop, "timeout", me) if self.timeout else None
        try:
            await self._watch()  # a non-transient error goes up: waiting will not change it
        except asyncio.CancelledError:
            if self.stopped_by is None:
                raise
        finally:
            for sig in names:
                loop.remove_signal_handler(sig)
            if timer is not None:
                timer.cancel()
        if self.stopped_by == "SIGINT":
            code = EXIT_SIGINT
        elif self.stopped_by == "SIGTERM":
            code = EXIT_SIGTERM
        else:
            code = self.state.exit_code(timed_out=self.stopped_by == "timeout",
                                        outage=self.outage)
        self.say(self._summary(code))
        return code

    def _stop(self, why: str, task: Any) -> None:
        if self.stopped_by is None:  # a second signal during the way out changes nothing
            self.stopped_by = why
            task.cancel()

    async def _watch(self) -> None:
        import asyncio

        from tui.core.failure import headline
        from tui.core.refresh_schedule import retry_delay
        from tui.providers.base import RETRYABLE, ProtocolError

        while True:
            try:
                changes, page = await self._poll()
            except (*RETRYABLE, ProtocolError) as error:
                self.failed_polls += 1
                delay = retry_delay(error, self.interval, self.failed_polls)
                if self.outage is None:
                    self.say(f"{self.tab}: {harmless(headline(error))}; retrying (next in "
                              f"{delay:g}s), quietly until it answers")
                self.outage = error
                await asyncio.sleep(delay)
                continue
            if self.outage is not None:
                polls = self.failed_polls
                self.say(f"{self.tab}: answering again after {polls} failed "
                          f"poll{'s' if polls != 1 else ''}")
                self.outage, self.failed_polls = None, 0
            self.state.observe(changes, page)
            first = self.state.polls == 1  # where each task starts: printed, not a change
            for change in changes:
                self._emit(change, notify=not first)
            if self.state.done():
                return
            await asyncio.sleep(self.interval * self._calls)

    async def _poll(self) -> tuple[list[Transition], dict[str, str] | None]:
        """This poll's changes, and in a queue watch every status now on the page."""
        from tui.core.transitions import transitions
        from tui.providers.sources import Row

        now = datetime.now(UTC)
        if self.state.ids:
            rows = []
            for task_id in self.state.ids:
                if task_id in self.state.ended:
                    continue  # an ended task never changes again
                found = await self.source.find(task_id)
                rows.append(Row(task_id, found.row.status, found.record))
            return transitions(self.tab, self.state.statuses, rows, now), None
        from tui.core.refresh_schedule import calls_per_tick
        from tui.providers.base import PageRequest

        page = await self.source.fetch(PageRequest.first(QUEUE_PAGE).with_(status=self.status))
        self._calls = calls_per_tick(page)
        statuses = {row.key: row.status for row in page.rows if row.status}
        rows = [*page.rows, *await self._left(page.rows)]
        return transitions(self.tab, self.state.statuses, rows, now), statuses

    async def _left(self, rows: list[Any]) -> list[Any]:
        """Tasks that left the page before they ended, as their get-task sees them now: with
        --status Running a task leaves when it ends, and that ending is what the watch is for.
        Each is looked up once; one still running (pushed off by newer tasks) is let go."""
        from tui.providers.base import NotFound
        from tui.providers.sources import Row

        here = {row.key for row in rows}
        gone = [key for key, status in self.state.statuses.items()
                if key not in here and not self.state.ends(status)]
        found = []
        for key in gone[:LEAVERS_PER_POLL]:
            try:
                detail = await self.source.detail(Row(key, self.state.statuses[key], None))
            except NotFound:
                continue
            found.append(Row(key, _status_of(detail.record), detail.record))
        return found

    # --------------------------------------------------------------------------------- output

    def _emit(self, change: Transition, *, notify: bool) -> None:
        from tui.core.watching import event_line, human_line

        self.out.write((event_line(change) if self.json_lines else human_line(change)) + "\n")
        self.out.flush()
        if notify:
            for listener in self.listeners:
                listener(change)

    def say(self, line: str) -> None:
        """One `tasktop: watch: …` line on stderr."""
        self.err.write(f"tasktop: watch: {line}\n")
        self.err.flush()

    def _summary(self, code: int) -> str:
        why = {
            "SIGINT": "stopped by SIGINT", "SIGTERM": "stopped by SIGTERM",
            "timeout": "timed out",
        }.get(self.stopped_by or "", "done")
        line = f"{why} · {self.state.summary()}"
        if self.outage is not None:
            line += f" · in an outage ({self.failed_polls} failed polls)"
        return f"{line} · exit {code}"


def _status_of(record: Any) -> str:
    """A get-task record's status word: `status` (Enkrypt) or `state` (Nimble)."""
    status = getattr(record, "status", None)
    if status is None:
        status = getattr(record, "state", "")
    return status if isinstance(status, str) else ""
