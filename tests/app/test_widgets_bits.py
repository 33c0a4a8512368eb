"""StatusFilter, Pager, RefreshBadge and TrendStrip: exact strings, literal server text, no needless repaints."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from widgets import Pager, RefreshBadge, StatusFilter, format_duration
from widgets.pager import cursor_text, number_text
from widgets.trend_strip import TrendStrip


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class BitsApp(App):
    def __init__(self, clock: Clock, tick: bool = False) -> None:
        super().__init__()
        self.clock = clock
        self.tick = tick

    def compose(self) -> ComposeResult:
        yield StatusFilter()
        yield Pager()
        yield RefreshBadge(clock=self.clock, tick=self.tick)


def count_updates(widget) -> list:
    calls: list = []
    original = widget.update

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    widget.update = wrapper
    return calls


def shown(widget) -> str:
    return "".join(widget.render_line(0).text).rstrip()


def test_pager_strings() -> None:
    assert number_text(2, 24, 237) == "page 2 of 24 · 237 tasks"
    assert number_text(1, 1, 1) == "page 1 of 1 · 1 task"
    assert number_text(3, None, None) == "page 3"
    assert number_text(3, None, 40) == "page 3 · 40 tasks"
    assert number_text(1, 0, 0) == "no tasks"
    assert number_text(1, 0, None) == "no tasks"
    assert cursor_text(2, 150, False) == "page 3 · 150 tasks"
    assert cursor_text(2, 150, True) == "page 3 · 150 tasks · more"
    assert cursor_text(0, None, True) == "page 1 · more"
    assert cursor_text(0, 0, False) == "no tasks"


def test_durations() -> None:
    assert [format_duration(s) for s in (0, 2.9, 59, 60, 3599, 3600, 86400 * 2)] == [
        "0s", "2s", "59s", "1m", "59m", "1h", "2d"
    ]
    assert format_duration(-5) == "0s"


async def test_status_filter_and_pager_widgets() -> None:
    app = BitsApp(Clock())
    async with app.run_test() as pilot:
        status = app.query_one(StatusFilter)
        pager = app.query_one(Pager)
        assert status.text == "filter: All"
        status.show("error", "this page")
        pager.show_number(2, 24, 237)
        await pilot.pause()
        assert shown(status) == "filter: error (this page)"
        assert shown(pager) == "page 2 of 24 · 237 tasks"
        status.show("[b]x[/b]\x1b[2J")
        pager_updates = count_updates(pager)
        pager.show_number(2, 24, 237)
        assert pager_updates == []
        pager.show_cursor(0, None, True)
        assert len(pager_updates) == 1
        await pilot.pause()
        assert shown(status) == "filter: [b]x[/b]␛[2J"
        assert shown(pager) == "page 1 · more"


async def test_badge_strings_follow_the_clock() -> None:
    clock = Clock(1000.0)
    app = BitsApp(clock)
    async with app.run_test():
        badge = app.query_one(RefreshBadge)
        assert badge.text == "loading…"
        badge.mark_updated(997.0)
        badge.set_next(1002.0)
        assert badge.text == "updated 3s ago · next in 2s"
        clock.now = 1001.5
        badge.refresh_text()
        assert badge.text == "updated 4s ago · next in 1s"
        badge.mark_loading()
        assert badge.text == "updated 4s ago · loading…"
        badge.mark_updated(1001.5)
        badge.set_next(None)
        assert badge.text == "updated 0s ago"
        clock.now = 1013.5
        badge.set_paused(True)
        assert badge.text == "paused · updated 12s ago"
        assert badge.has_class("-paused")
        badge.set_paused(False)
        clock.now = 1061.5
        badge.set_error("HTTP 503 [b]down[/b] \x1b]52;c;evil\x07", retry_at=1073.5)
        assert badge.text == "stale (updated 1m ago): HTTP 503 [b]down[/b] ␛]52;c;evil␇ · retrying in 12s"
        assert badge.has_class("-error")
        badge.mark_loading()
        assert badge.text.endswith(" · retrying…")
        badge.clear_error()
        badge.mark_updated(1062.0)
        assert badge.text == "updated 0s ago" and not badge.has_class("-error")


async def test_badge_error_before_any_data() -> None:
    clock = Clock(50.0)
    app = BitsApp(clock)
    async with app.run_test():
        badge = app.query_one(RefreshBadge)
        badge.set_error("connection refused", retry_at=None)
        assert badge.text == "failed: connection refused"
        badge.set_error("x" * 10_000, retry_at=60.0)
        assert len(badge.text) < 220 and badge.text.endswith("… · retrying in 10s")


async def test_badge_repaints_only_when_its_text_changes() -> None:
    clock = Clock(100.0)
    app = BitsApp(clock)
    async with app.run_test():
        badge = app.query_one(RefreshBadge)
        badge.mark_updated(100.0)
        badge.set_next(105.0)
        updates = count_updates(badge)
        for _ in range(3):
            badge.refresh_text()
        clock.now = 100.4  # same whole seconds: same text
        badge.refresh_text()
        assert updates == []
        clock.now = 101.0
        badge.refresh_text()
        badge.refresh_text()
        assert len(updates) == 1


async def test_badge_ticks_by_itself() -> None:
    clock = Clock(100.0)
    app = BitsApp(clock, tick=True)
    async with app.run_test() as pilot:
        badge = app.query_one(RefreshBadge)
        badge.mark_updated(100.0)
        clock.now = 107.0  # nobody calls refresh_text: the 1 s timer must notice
        for _ in range(60):
            if badge.text == "updated 7s ago":
                break
            await pilot.pause(0.05)
        assert badge.text == "updated 7s ago"


class StripApp(App):
    def compose(self) -> ComposeResult:
        yield TrendStrip(("queued", "failed"))


def count_layouts(widgets) -> list:
    """The refresh calls of `widgets` that ask for a layout pass (one re-flows the screen)."""
    calls: list = []
    for widget in widgets:
        original = widget.refresh

        def counting(*regions, _original=original, _widget=widget, **kwargs):
            if kwargs.get("layout"):
                calls.append(_widget)
            return _original(*regions, **kwargs)

        widget.refresh = counting
    return calls


async def test_trend_strip_lays_out_again_only_when_a_scale_changes_width() -> None:
    app = StripApp()
    async with app.run_test() as pilot:
        strip = app.query_one(TrendStrip)
        strip.show("trends · last hour", {"queued": ([1, 2], "1–2 tasks"),
                                         "failed": ([0, 1], "0–1 per 2m")}, "wait p50 1m")
        await pilot.pause()
        layouts = count_layouts(strip.query(Static))
        strip.show("trends · last hour", {"queued": ([2, 3], "2–3 tasks"),
                                         "failed": ([1, 1], "1–1 per 2m")}, "wait p50 2m")
        assert layouts == []  # new bars, heading and scales, all the same sizes
        assert strip.shows == 2
        strip.show("trends · last hour", {"queued": ([2, 30], "2–30 tasks"),
                                         "failed": ([1, 1], "1–1 per 2m")}, "wait p50 2m")
        assert len(layouts) == 1  # the queued scale grew by a cell
        await pilot.pause()
        scale = strip.query(".trend-scale").first(Static)
        assert str(scale.render()) == "2–30 tasks" and scale.size.width == len("2–30 tasks")


async def test_trend_strip_draws_a_read_that_came_before_its_mount() -> None:
    """The app's first trends read can land between `mount()` and the strip's own mount."""
    app = App()
    async with app.run_test() as pilot:
        strip = TrendStrip(("queued", "failed"))
        strip.show("trends · last hour", {"queued": ([1, 2], "1–2 tasks")}, "wait p50 1m")
        await app.mount(strip)
        await pilot.pause()
        assert strip.shows == 1
        heading = strip.query(".trend-heading").first(Static)
        assert str(heading.render()).startswith("trends · last hour")
