"""What the app shows from the history: the "since …" line, the Changes view and the trend strip.

A mixin of TasktopApp (like NeighbourPaging of TaskView): the app calls `_history_ready` once the
history has opened (with what it read on the worker thread), `_history_page` for every landed page
and `_history_tab_shown` on a tab switch. Reads of the file (trends) run on worker threads; a
tab's catch-up beyond its first page (tui/history/catch_up.py) runs on the app's loop, its
requests in turn with the tab's own.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from textual import work
from textual.widgets import Static

from tui.history.catch_up import CatchUpState, catch_up
from tui.history.queries import Trends
from tui.history.timeline import phase, span
from tui.providers.base import ProviderError
from tui.tabs.registry import spec
from tui.ui.away import Away, AwayChange
from widgets.text import literal
from widgets.trend_strip import TrendStrip

log = logging.getLogger("tasktop.history")

#: The trend strip's spans, in the order `t` steps through them (then hidden).
SPANS: tuple[tuple[str, timedelta, int], ...] = (("hour", timedelta(hours=1), 30),
                                                ("day", timedelta(days=1), 24))
SERIES = ("queued", "running", "finished", "failed")
#: Below this many rows the strip starts hidden (80×24); `t` shows it anyway.
TRENDS_MIN_HEIGHT = 30
#: A tick that recorded nothing redraws the trends at most this often (bars are minutes wide);
#: reading them each tick cost a write and a query per second of watching.
TRENDS_REFRESH = timedelta(seconds=30)
#: Seconds after a tab's first page before it catches up beyond it (the first rows come first).
CATCH_UP_AFTER = 1.0
#: Seconds after a read for a recorded change in which further changes wait for one trailing
#: read: on a busy queue nearly every tick records one, and each read redraws the strip. A
#: quarter of the narrowest bar (2 minutes), so the strip is never more than that behind.
TRENDS_GAP = 30.0


def _bound(values: list[float]) -> str:
    return f"{int(min(values))}–{int(max(values))}" if values else "–"


def _seconds(value: float | None) -> str:
    return "–" if value is None else span(value)


def trend_series(trends: Trends) -> dict[str, tuple[list[float], str]]:
    """Each series' values and the words for its scale."""
    depth = {name: [float(sum(n for s, n in bucket.items() if phase(s) == name))
                    for bucket in trends.depth] for name in ("queued", "running")}
    every = span(trends.width)
    out: dict[str, tuple[list[float], str]] = {
        name: (values, f"{_bound(values)} tasks") for name, values in depth.items()
    }
    for name, counts in (("finished", trends.finished), ("failed", trends.failed)):
        values = [float(n) for n in counts]
        out[name] = (values, f"{_bound(values)} per {every}")
    return out


def trend_footer(trends: Trends) -> str:
    return (f"wait p50 {_seconds(trends.wait_p50)} p95 {_seconds(trends.wait_p95)} · "
            f"run p50 {_seconds(trends.run_p50)} p95 {_seconds(trends.run_p95)}")


class HistoryPanels:
    """Mixed into TasktopApp; expects `recorder`, `runtime`, `active_tab`, `view()`, `views()`."""

    _away: dict[str, Away]
    _trend_span: int | None  # index into SPANS; None: hidden
    trends_gap: float = TRENDS_GAP
    """Seconds between reads for recorded changes (0: read for every one, as snapshots do)."""

    def _init_history_panels(self) -> None:
        self._away = {}
        self._trend_span = None
        self._trend_span_chosen = False
        self._trends_read_at: datetime | None = None
        self._trends_cooling: Any = None  # the Timer ending the gap after a read for a change
        self._trends_dirty = False  # a change arrived within the gap: read once when it ends
        self.trends_reads = 0
        """Reads of the trends started (tests count them)."""

    def _history_widgets(self) -> list[Any]:
        line = Static("", id="away-line")
        line.display = False
        strip = TrendStrip(SERIES, id="trends")
        strip.display = False
        return [line, strip]

    # ----------------------------------------------------------------------- while away

    def _history_ready(self, stored: dict[str, dict[str, str]],
                       last_seen: dict[str, datetime | None]) -> None:
        """The history opened: compare every page that lands from now on with what it stored."""
        self._away = {tab: Away(tab, since, stored.get(tab, {}))
                      for tab, since in last_seen.items() if since is not None}
        for view in self.views():
            self._compare_away(view)
        self._show_away()
        if not self._trend_span_chosen:
            self._trend_span = 0 if self.size.height >= TRENDS_MIN_HEIGHT else None
        self._show_trends()

    def _history_forget(self) -> None:
        """The history is being closed (another profile): what it said no longer holds."""
        self._away = {}
        self._show_away()

    def _history_page(self, view: Any, changed: bool = True) -> None:
        """A landed page of `view` (`changed`: it recorded a transition)."""
        if self._compare_away(view) and view.tab_id == self.active_tab:
            self._show_away()
        if view.tab_id == self.active_tab and (changed or self._trends_due()):
            self._trends_changed()

    def _trends_changed(self) -> None:
        """A page recorded a change (or the bars moved on): read now, or once at the end of the
        gap after the last read."""
        if self._trend_span is None:
            return  # hidden: `t` reads afresh
        if self._trends_cooling is not None:
            self._trends_dirty = True
            return
        self._show_trends()
        if self.trends_gap > 0:
            self._trends_cooling = self.set_timer(self.trends_gap, self._trends_cooled)

    def _trends_cooled(self) -> None:
        self._trends_cooling = None
        if self._trends_dirty:
            self._trends_dirty = False
            self._trends_changed()

    @property
    def trends_pending(self) -> bool:
        """A recorded change waits for the gap to end before the strip shows it."""
        return self._trends_dirty

    def _trends_due(self) -> bool:
        last = self._trends_read_at
        return last is None or not timedelta(0) <= self.runtime.now() - last < TRENDS_REFRESH

    def _history_tab_shown(self) -> None:
        self._show_away()
        self._show_trends()

    def _compare_away(self, view: Any) -> bool:
        """Compare `view`'s page with what the history stored (True: a change was added); its
        first unfiltered page also starts the catch-up beyond it."""
        away = self._away.get(view.tab_id)
        page = view.page
        if away is None or page is None:
            return False
        added = away.observe(page.rows)
        request = page.request
        first = request.page == 1 and request.cursor is None and request.status is None
        if away.catch_up is None and first and view.source is not None:
            away.catch_up = "checking"
            self.set_timer(CATCH_UP_AFTER, partial(self._catch_up, view, away, page))
            added = True  # the line now says it is checking
        return added

    @work(group="catch-up")
    async def _catch_up(self, view: Any, away: Away, first: Any) -> None:
        """Walk on from the first page and look up the stored live tasks it did not show."""
        tab, source, state = view.tab_id, view.source, CatchUpState()
        if self._away.get(tab) is not away or source is None:
            away.catch_up = "partial"
            return

        async def find_row(key: str) -> Any:
            return (await source.find(key)).row

        try:
            async for rows in catch_up(first, partial(view.fetch_aside, source), find_row,
                                       away.stored, seen=away.seen, is_old=away.is_old,
                                       state=state):
                if self._away.get(tab) is not away or view.source is not source:
                    return  # another profile or key: what it compares with no longer holds
                recorded = self.recorder.page(tab, rows, self.runtime.now())  # nothing is lost
                away.observe(rows)
                if self._on_screen(tab):
                    self._show_away()
                    if recorded:
                        self._trends_changed()
            away.catch_up = "partial" if state.cut_short else "done"
        except ProviderError as error:
            away.catch_up = "partial"
            log.info("catch-up %s stopped: %s", tab, error.kind)
        finally:
            if away.catch_up == "checking":
                away.catch_up = "partial"
            log.info("catch-up %s: %d list calls, %d lookups, %s", tab, state.pages,
                     state.lookups, away.catch_up)
            if self._away.get(tab) is away and self._on_screen(tab):
                self._show_away()

    def _on_screen(self, tab: str) -> bool:
        """`tab` is the tab on screen; False while the app takes its widgets down (an answer
        that lands during shutdown finds no tab bar to ask)."""
        bars = self.query("#tabs")
        return bool(bars) and bars.first().active == tab

    def _show_away(self) -> None:
        line = next(iter(self.query("#away-line").results(Static)), None)
        if line is None:
            return
        away = self._away.get(self.active_tab)
        line.display = away is not None
        if away is not None:
            text = literal(away.line(self.runtime.now()), single_line=True)
            if away.changes:
                text.append("  w: list them", style="dim")
            line.update(text)

    def action_changes(self) -> None:
        """Open the Changes view of the tab on screen."""
        from tui.ui.screens.changes import ChangesScreen

        tab = self.active_tab
        away = self._away.get(tab)
        if away is None:
            self.notify("no earlier session of this tab in the history to compare with",
                        title="changes", timeout=5, markup=False)
            return

        def opened(change: AwayChange | None) -> None:
            if change is not None and change.row is not None and self.active_tab == tab:
                self.view(tab).open_row(change.row)

        self.push_screen(ChangesScreen(spec(tab).title, away, self.runtime.now()), opened)

    # --------------------------------------------------------------------------- trends

    def action_trends(self) -> None:
        """Step the trend strip: last hour → last day → hidden → last hour."""
        self._trend_span_chosen = True
        if self._trend_span is None:
            self._trend_span = 0
        elif self._trend_span + 1 < len(SPANS):
            self._trend_span += 1
        else:
            self._trend_span = None
        self._show_trends()

    def _show_trends(self) -> None:
        strip = next(iter(self.query("#trends").results(TrendStrip)), None)
        if strip is None:
            return
        shown = self._trend_span is not None and self.recorder.attached
        strip.display = shown
        if shown:
            self._trends_dirty = False  # this read sees every change recorded so far
            self._trends_read_at = self.runtime.now()
            self.trends_reads += 1
            self._read_trends(self.active_tab, self._trend_span)

    @work(thread=True, exclusive=True, group="trends")
    def _read_trends(self, tab: str, which: int) -> None:
        name, width, bars = SPANS[which]
        history = self.recorder.history
        history.flush()  # the page that asked for this read is in the file first
        trends = history.trends(tab, width, bars, end=self.runtime.now())
        try:
            self.call_from_thread(self._draw_trends, tab, which, name, trends)
        except RuntimeError:  # the app closed meanwhile
            pass

    def _draw_trends(self, tab: str, which: int, name: str, trends: Trends | None) -> None:
        if not self._on_screen(tab) or which != self._trend_span:
            return
        strip = next(iter(self.query("#trends").results(TrendStrip)), None)
        if strip is None:
            return
        if trends is None:
            strip.show(f"trends · last {name}: nothing recorded yet", {}, "t: next span")
            return
        heading = f"trends · last {name} · {len(trends.finished)} bars of {span(trends.width)}"
        strip.show(heading, trend_series(trends), f"{trend_footer(trends)} · t: next span")
