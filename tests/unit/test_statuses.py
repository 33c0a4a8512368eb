"""One vocabulary of status words: what refreshes, alerts, watches, timelines and trends agree on."""

from __future__ import annotations

import pytest

from tui.base import statuses
from tui.core.alerts import DEFAULT_ALERT_STATES
from tui.core.hook_settings import FAILED_STATES
from tui.core.watching import DEFAULT_FAIL_ON
from tui.history.timeline import phase
from tui.providers.sources import TERMINAL_STATES, is_terminal


@pytest.mark.parametrize("word", sorted(statuses.TERMINAL))
def test_every_word_that_ends_a_task_has_an_ending_phase(word):
    assert is_terminal(word) and is_terminal(word.upper())
    assert phase(word) in ("failed", "finished")


@pytest.mark.parametrize("word", sorted(statuses.QUEUED | statuses.RUNNING))
def test_live_words_keep_being_refreshed(word):
    assert not is_terminal(word) and phase(word) in ("queued", "running")


def test_done_and_cancelled_end_a_task_everywhere():
    assert {"done", "cancelled", "canceled"} <= TERMINAL_STATES
    assert phase("Done") == "finished" and phase("Cancelled") == "failed"


def test_failures_to_alert_on_are_one_set_of_ending_words_without_a_cancel():
    assert DEFAULT_ALERT_STATES == FAILED_STATES == DEFAULT_FAIL_ON == statuses.FAILURES
    assert statuses.FAILURES < statuses.FAILED and "cancelled" not in statuses.FAILURES


def test_an_unknown_word_is_live_and_has_no_phase():
    assert not is_terminal("Some new word") and phase("Some new word") is None
