"""Where a landed page goes besides the table: on-call alerts (toast, bell, desktop notification),
the alert hooks, and the history file, opened and closed off the UI thread."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work

from tui.core.alerts import desktop_notification_sequences
from tui.history import History
from tui.tabs.registry import tabs

if TYPE_CHECKING:
    from tui.ui.app import TasktopApp
    from tui.ui.task_view import TaskView


class PageFeeds:
    """Mixin for TasktopApp: alerts, hooks and history, fed from `on_task_view_counted`."""

    # -------------------------------------------------------------------------------- alerts

    def _watch_for_alerts(self: TasktopApp, view: TaskView) -> None:
        """Alert on tasks that moved into a failed (or any terminal) state since the last tick.

        A tab's first page, and every page/filter change, is a silent baseline: no alert storm.
        """
        if view.page is None:
            return
        request = view.page.request
        if self._alert_views.get(view.tab_id) != request:
            self.alerts.reset(view.tab_id)
            if self._hook_feed is not None:
                self._hook_feed.reset(view.tab_id)
            self._alert_views[view.tab_id] = request
        if self._hook_feed is not None:  # hooks run on the runner's thread
            self._hook_feed.observe(view.tab_id, view.page.rows, self.runtime.now())
        history = self.recorder.history
        for alert in self.alerts.observe(view.tab_id, view.page.rows):
            if history.already_alerted(view.tab_id, alert.key, alert.new):
                continue  # alerted before, maybe by a previous run: once is enough
            history.mark_alerted(view.tab_id, alert.key, alert.new, self.runtime.now())
            message = alert.message(view.spec.title)
            self.notify(message, title="task state", severity="error", timeout=15, markup=False)
            if self.runtime.bell:
                self.bell()
            if self.runtime.desktop_notify:
                for sequence in desktop_notification_sequences("tasktop", message):
                    self.send_to_terminal(sequence)

    def _connect_hooks(self: TasktopApp, runner) -> None:
        """Keep this session's keys (keyring and typed ones too) out of every hook, and turn a
        hook's failure, reported on the runner's thread, into a toast on this one."""
        from tui.hooks.feed import HookFeed

        self._hook_feed = HookFeed(runner)
        loop = asyncio.get_running_loop()
        runner.secrets = lambda: [key.value for key in self.runtime.keys.values() if key.value]
        runner.on_notice = lambda line: loop.call_soon_threadsafe(self._hook_notice, line)

    def _hook_notice(self: TasktopApp, line: str) -> None:
        if self.is_running:
            self.notify(line, title="alert hook", severity="warning", timeout=10)

    # ------------------------------------------------------------------------------ history

    @work(thread=True, group="history")
    def _open_history(self: TasktopApp, previous: History | None = None) -> None:
        """Open the history file (and close the previous profile's) off the UI thread."""
        if previous is not None:
            previous.close()
        if self.runtime.history_path is None:
            return
        loop = self._loop

        def turned_off(message: str) -> None:  # on the writer thread
            try:
                if loop is not None:
                    loop.call_soon_threadsafe(self._history_notice, message)
            except RuntimeError:  # the loop is gone: the app has closed
                pass

        history = History.open(self.runtime.history_path, self.runtime.profile, on_notice=turned_off)
        known = {tab.id: history.statuses(tab.id) for tab in tabs()}
        last_seen = {tab.id: history.last_seen(tab.id) for tab in tabs()}  # before this run's writes
        try:
            self.call_from_thread(self._history_opened, history, known, last_seen)
        except RuntimeError:  # the app closed meanwhile
            history.close()

    def _history_opened(self: TasktopApp, history: History, known: dict[str, dict[str, str]],
                        last_seen: dict[str, datetime | None]) -> None:
        if self._closing or self.recorder.attached:
            threading.Thread(target=history.close, daemon=True).start()  # never join on this thread
            return
        self.recorder.attach(history, known)
        self._history_ready(known, last_seen)
        if self.runtime.hooks is not None:
            from tui.hooks.ledger import HistoryLedger

            self.runtime.hooks.ledger = HistoryLedger(history)  # dedupe and limit survive restarts
        if history.notice:
            self._history_notice(history.notice)

    def _history_notice(self: TasktopApp, message: str) -> None:
        if not self._closing:
            self.notify(message, title="history", severity="warning", timeout=10)
