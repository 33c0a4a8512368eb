"""When a tab fetches next, without a screen: intervals, retries, backoff and walks."""

from __future__ import annotations

import pytest

from tui.core.refresh_schedule import (
    MAX_BACKOFF,
    RefreshSchedule,
    calls_per_tick,
    retry_delay,
)
from tui.providers.base import (
    Page,
    PageInfo,
    PageRequest,
    RateLimited,
    ServerError,
    WalkStats,
)


@pytest.mark.parametrize(("failures", "delay"), [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0),
                                                 (5, MAX_BACKOFF), (30, MAX_BACKOFF)])
def test_backoff_doubles_from_the_refresh_interval_up_to_the_cap(failures, delay):
    assert retry_delay(ServerError("boom", status_code=503), 5.0, failures) == delay


@pytest.mark.parametrize(("retry_after", "delay"), [(7.0, 7.0), (0.0, 0.0), (-3.0, 0.0),
                                                    (3600.0, MAX_BACKOFF), (None, 20.0)])
def test_retry_after_is_honoured_within_the_cap(retry_after, delay):
    assert retry_delay(RateLimited("slow", retry_after=retry_after), 5.0, 3) == delay


def test_a_filtered_walk_spaces_its_ticks_by_its_calls():
    request = PageRequest.first(10)
    plain = Page([], PageInfo(kind="cursor"), request)
    walked = Page([], PageInfo(kind="cursor"), request, walk=WalkStats(searched=900, calls=9))
    idle_walk = Page([], PageInfo(kind="cursor"), request, walk=WalkStats(searched=0, calls=0))
    assert (calls_per_tick(None), calls_per_tick(plain)) == (1, 1)
    assert (calls_per_tick(walked), calls_per_tick(idle_walk)) == (9, 1)
    schedule = RefreshSchedule(5.0, last_success=100.0)
    assert schedule.next_due(9) == 145.0


def test_a_success_clears_the_failure_streak_and_sets_the_next_due_time():
    schedule = RefreshSchedule(5.0)
    assert schedule.next_due() is None and schedule.wait_on_activation(50.0) is None
    assert schedule.failed(ServerError("x"), now=10.0) == 5.0
    assert schedule.failed(ServerError("x"), now=15.0) == 10.0
    assert (schedule.failures, schedule.retry_at, schedule.next_due()) == (2, 25.0, 25.0)
    assert schedule.wait_on_activation(20.0) == 5.0  # a failed tab waits out its retry
    schedule.succeeded(30.0)
    assert (schedule.failures, schedule.error, schedule.retry_at) == (0, None, None)
    assert schedule.next_due() == 35.0
    assert schedule.wait_on_activation(33.0) == 2.0 and schedule.wait_on_activation(35.0) is None
    schedule.forget()
    assert schedule.next_due() is None


def test_hidden_tabs_tick_only_when_watched_and_never_show_a_next_time():
    schedule = RefreshSchedule(5.0, active=True)
    assert schedule.ticking(has_source=True) == (True, True) and schedule.interval == 5.0
    assert schedule.ticking(has_source=False) == (False, False)
    schedule.active = False
    assert schedule.ticking(has_source=True) == (False, False)
    schedule.background_seconds = 30.0
    assert schedule.ticking(has_source=True) == (True, False) and schedule.interval == 30.0
    schedule.paused = True
    assert schedule.ticking(has_source=True) == (False, False)
