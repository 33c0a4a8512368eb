"""tui.core.alerts: one alert per transition into an alerting state, none on first load; OSC 9/777."""

from __future__ import annotations

import pytest

from tui.core.alerts import (
    MAX_BODY,
    Alert,
    AlertTracker,
    desktop_notification_sequences,
    notification_text,
)
from tui.providers.sources import TERMINAL_STATES, Row


def test_first_load_is_silent_even_with_failed_tasks():
    tracker = AlertTracker()
    assert tracker.observe("redteam", [("a", "Failed"), ("b", "Running"), ("c", "error")]) == []
    assert tracker.has_baseline("redteam")


def test_a_transition_to_failed_alerts_exactly_once():
    tracker = AlertTracker()
    tracker.observe("redteam", [("a", "Running"), ("b", "Queued")])
    assert tracker.observe("redteam", [("a", "Failed"), ("b", "Queued")]) == [
        Alert("redteam", "a", "Running", "Failed")
    ]
    # the next ticks see it still Failed: nothing more
    assert tracker.observe("redteam", [("a", "Failed"), ("b", "Queued")]) == []
    assert tracker.observe("redteam", [("a", "Failed"), ("b", "Running")]) == []


def test_fail_retry_fail_alerts_twice():
    tracker = AlertTracker()
    tracker.observe("t", [("a", "Running")])
    assert len(tracker.observe("t", [("a", "Failed")])) == 1
    assert tracker.observe("t", [("a", "Running")]) == []
    assert len(tracker.observe("t", [("a", "FAILED")])) == 1


def test_statuses_compare_case_insensitively():
    tracker = AlertTracker()
    tracker.observe("t", [("a", "Failed")])
    assert tracker.observe("t", [("a", "failed")]) == []  # a case change is not a transition
    assert AlertTracker(states=["FAILED"]).is_alerting("failed")


def test_non_alerting_transitions_are_quiet():
    tracker = AlertTracker()
    tracker.observe("t", [("a", "Queued"), ("b", "Running")])
    assert tracker.observe("t", [("a", "Running"), ("b", "Finished")]) == []


def test_between_alerting_states_is_not_a_new_alert():
    tracker = AlertTracker()
    tracker.observe("n", [("x", "error")])
    assert tracker.observe("n", [("x", "failed")]) == []


def test_terminal_option_alerts_on_any_terminal_state():
    tracker = AlertTracker(states="terminal")
    assert tracker.states == TERMINAL_STATES
    tracker.observe("n", [("x", "pending"), ("y", "pending"), ("z", "Running")])
    alerts = tracker.observe("n", [("x", "success"), ("y", "error"), ("z", "Finished")])
    assert [(a.key, a.new) for a in alerts] == [("x", "success"), ("y", "error"), ("z", "Finished")]


def test_a_new_task_already_failed_after_the_first_load_alerts():
    tracker = AlertTracker()
    tracker.observe("r", [("a", "Running")])
    alerts = tracker.observe("r", [("new", "Failed"), ("ok", "Queued"), ("a", "Running")])
    assert alerts == [Alert("r", "new", None, "Failed")]
    assert tracker.observe("r", [("new", "Failed"), ("a", "Running")]) == []


def test_new_task_alerts_can_be_turned_off_globally_or_per_observation():
    quiet = AlertTracker(alert_new_failed=False)
    quiet.observe("r", [])
    assert quiet.observe("r", [("new", "Failed")]) == []
    tracker = AlertTracker()
    tracker.observe("r", [("a", "Running")])
    # page 2: rows slide in from page 1 as new tasks arrive; not new, so no alert
    assert tracker.observe("r", [("slid", "Failed"), ("a", "Running")], alert_new=False) == []
    # but a known task's transition still alerts there
    assert tracker.observe("r", [("a", "Failed")], alert_new=False) == [
        Alert("r", "a", "Running", "Failed")]


def test_tabs_are_independent():
    tracker = AlertTracker()
    tracker.observe("redteam", [("a", "Running")])
    # first sight of the nimble tab is its own silent baseline
    assert tracker.observe("nimble", [("a", "error")]) == []
    assert tracker.observe("redteam", [("a", "Failed")]) == [Alert("redteam", "a", "Running",
                                                                   "Failed")]


def test_reset_makes_the_next_observation_a_baseline():
    tracker = AlertTracker()
    tracker.observe("r", [("a", "Running")])
    tracker.reset("r")  # page or filter changed
    assert not tracker.has_baseline("r")
    assert tracker.observe("r", [("a", "Failed"), ("b", "Failed")]) == []
    tracker.observe("n", [("x", "pending")])
    tracker.reset()
    assert not tracker.has_baseline("n")


def test_a_task_that_leaves_the_page_and_returns_is_remembered():
    tracker = AlertTracker()
    tracker.observe("r", [("a", "Failed"), ("b", "Running")])
    tracker.observe("r", [("b", "Running")])
    assert tracker.observe("r", [("a", "Failed"), ("b", "Running")]) == []


def test_tab_rows_and_none_status_are_accepted():
    tracker = AlertTracker()
    tracker.observe("d", [Row("ds1", "Running", "ds1"), ("ds2", None)])
    assert tracker.observe("d", [Row("ds1", "Failed", "ds1"), ("ds2", "Failed")]) == [
        Alert("d", "ds1", "Running", "Failed"), Alert("d", "ds2", "", "Failed")]


def test_memory_is_bounded():
    tracker = AlertTracker(max_remembered=3)
    tracker.observe("r", [(str(i), "Running") for i in range(5)])
    # only the 3 most recently seen are kept; "0" is forgotten and counts as new
    assert tracker.observe("r", [("4", "Failed"), ("0", "Failed")], alert_new=False) == [
        Alert("r", "4", "Running", "Failed")]


def test_alert_message():
    assert Alert("redteam", "abc", "Running", "Failed").message("Red team") == (
        "Red team: abc Running → Failed")
    assert Alert("nimble", "x", None, "error").message() == "nimble: x new task, error"


# ---------------------------------------------------------------------- notifications


def test_notification_sequences_exact_bytes():
    assert desktop_notification_sequences("tasktop", "Red team: abc Running → Failed") == [
        "\x1b]9;tasktop: Red team: abc Running → Failed\x07",
        "\x1b]777;notify;tasktop;Red team: abc Running → Failed\x07",
    ]


@pytest.mark.parametrize(
    "hostile",
    ["x\x07\x1b]0;pwned\x07", "x\x1b\\y", "x\x9cy", "a\nb\rc\td", "x\u202eevil", "\x00x\x7f"],
)
def test_controls_from_server_text_cannot_escape_the_sequence(hostile):
    for seq in desktop_notification_sequences(hostile, hostile):
        inner = seq[2:-1]  # between ESC ] and the final BEL
        assert seq.startswith("\x1b]") and seq.endswith("\x07")
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in inner)
        assert "\u202e" not in inner


def test_title_semicolons_cannot_add_fields():
    nine, seven = desktop_notification_sequences("a;b", "c;d")
    assert seven == "\x1b]777;notify;a,b;c;d\x07"
    assert nine == "\x1b]9;a,b: c;d\x07"


def test_osc9_text_cannot_become_a_conemu_command():
    nine, _ = desktop_notification_sequences("", "4;3;50")
    assert nine == "\x1b]9; 4;3;50\x07"


def test_length_is_capped():
    nine, seven = desktop_notification_sequences("t" * 500, "b" * 5000)
    assert len(seven) < 64 + MAX_BODY + 20
    assert seven.endswith("…\x07") and "t" * 63 + "…" in seven
    assert notification_text("  a \n  b  ", 10) == "a b"


# ------------------------------------------------------------------------------ layering


def test_on_call_logic_modules_load_no_textual():
    """alerts, clipboard, export and logsetup are pure: importing them pulls in no Textual."""
    import subprocess
    import sys

    code = ("import sys, tui.core.alerts, tui.core.clipboard, tui.core.export, tui.process.logsetup; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'widgets')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"
