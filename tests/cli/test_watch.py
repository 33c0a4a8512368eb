"""`tasktop watch` as a CI job runs it: a real subprocess against the simulator, whose tasks the
test moves (update_task, or the simulated clock), waiting on each output line."""

from __future__ import annotations

import json
import signal

import httpx
import jsonschema
import pytest
from support.hooks import wait_until
from support.watch import LINE_WAIT, WatchProcess, watch_env

from tui.core.watching import EVENT_SCHEMA
from tui.sim.faults import Fault

FAST = ("--interval", "0.1")


@pytest.fixture
def environ(sim, tmp_path):
    return watch_env(sim, tmp_path)


@pytest.fixture
def started():
    running: list[WatchProcess] = []

    def start(env, *args: str) -> WatchProcess:
        proc = WatchProcess(env, *args)
        running.append(proc)
        return proc

    yield start
    for proc in running:
        proc.kill()


def test_watch_by_id_prints_where_each_task_starts_then_its_changes_and_exits_0(
        sim, environ, started):
    first = sim.add_task("redteam", status="Queued")
    second = sim.add_task("redteam", status="Running")
    watch = started(environ, "redteam", first, second, *FAST)
    tails = sorted(line.split("  ", 2)[2] for line in watch.lines(2))  # after time and tab
    assert tails == sorted([f"{first}  is Queued", f"{second}  is Running"])
    sim.update_task("redteam", first, status="Running")
    assert watch.line().endswith(f"redteam  {first}  Queued → Running")
    sim.update_task("redteam", first, status="Finished")
    assert watch.line().endswith(f"{first}  Running → Finished")
    sim.update_task("redteam", second, status="Finished")
    assert watch.line().endswith(f"{second}  Running → Finished")
    assert watch.finish() == 0
    assert watch.err_lines == ["tasktop: watch: done · 2 tasks watched · 2 Finished · exit 0"]


def test_a_task_that_ends_as_the_simulated_clock_moves_gives_its_own_exit_code(
        sim, environ, started):
    """A seeded task, moved only by the simulator's clock: the watch exits when it has ended,
    0 if it finished and 6 if it failed."""
    with httpx.Client(base_url=sim.url, headers={"apikey": sim.enkrypt_key}) as http:
        tasks = http.get("/redteam/list-tasks", params={"status": "Queued"}).json()["tasks"]
        task_id = tasks[0]["task_id"]
        watch = started(environ, "redteam", task_id, *FAST)
        assert watch.line().endswith(f"{task_id}  is Queued")
        sim.advance(8000)  # past the longest queue (180 s) and run (7,200 s) of a red-team task
        answer = http.get("/redteam/get-task", headers={"x-enkrypt-task-id": task_id})
    final = answer.json()["data"]["status"]
    assert final in ("Finished", "Failed")
    assert watch.line().endswith(f"{task_id}  Queued → {final}")
    assert watch.finish() == (0 if final == "Finished" else 6)


@pytest.mark.parametrize(("tab", "start", "end", "options", "code"), [
    ("nimble", {"state": "pending"}, {"state": "error"}, (), 6),
    ("redteam", {"status": "Queued"}, {"status": "Failed"}, (), 6),
    ("redteam", {"status": "Queued"}, {"status": "Cancelled"}, (), 0),
    ("redteam", {"status": "Queued"}, {"status": "Finished"}, ("--fail-on", "FINISHED,bogus"), 6),
    ("nimble", {"state": "pending"}, {"state": "timeout"}, ("--fail-on", "error,Timeout"), 6),
])
def test_a_task_ending_in_a_fail_on_state_exits_6(sim, environ, started, tab, start, end,
                                                 options, code):
    """Default failed,error, case-folded; --fail-on replaces them and may name a vendor's word
    tasktop does not know; any other ending (Cancelled) is not a failure."""
    task_id = sim.add_task(tab, **start)
    watch = started(environ, tab, task_id, *FAST, *options)
    watch.line()
    sim.update_task(tab, task_id, **end)
    assert watch.line().endswith(f" → {next(iter(end.values()))}")
    assert watch.finish() == code
    assert watch.err_lines[-1].endswith(f"exit {code}")


def test_a_watch_that_times_out_exits_124_and_says_what_had_not_ended(sim, environ, started):
    task_id = sim.add_task("redteam", status="Queued")
    watch = started(environ, "redteam", task_id, *FAST, "--timeout", "3s")
    assert watch.line().endswith("is Queued")
    assert watch.finish() == 124
    assert watch.err_lines == [
        "tasktop: watch: timed out · 1 task watched · 1 not ended · exit 124"]


def test_a_queue_watch_writes_json_lines_that_match_the_schema(sim, environ, started):
    """The first poll gives every task on the first page once (from null), then each change;
    server text arrives exact but inert (no raw ESC or bidi override in the output)."""
    watch = started(environ, "redteam", "--json", *FAST)
    first = [json.loads(line) for line in watch.lines(100)]
    assert {event["from"] for event in first} == {None}
    assert len({event["id"] for event in first}) == 100
    hostile = "red-team-\x1b]52;c;aGk=\x07-\u202e-x"
    sim.add_task("redteam", task_id=hostile, status="Queued", test_name="[bold]t[/]")
    arrived = watch.line()
    assert "\x1b" not in arrived and "\u202e" not in arrived and "\x07" not in arrived
    event = json.loads(arrived)
    assert (event["id"], event["from"], event["to"]) == (hostile, None, "Queued")
    assert event["task"]["test_name"] == "[bold]t[/]"
    sim.update_task("redteam", hostile, status="Running")
    moved = json.loads(watch.line())
    assert (moved["id"], moved["from"], moved["to"]) == (hostile, "Queued", "Running")
    for event in [*first, event, moved]:
        jsonschema.validate(event, EVENT_SCHEMA)
    watch.proc.send_signal(signal.SIGTERM)
    assert watch.finish() == 143
    assert watch.err_lines[-1].startswith("tasktop: watch: stopped by SIGTERM · ")
    assert watch.err_lines[-1].endswith(" · exit 143")


def test_human_output_escapes_server_text_and_sigint_ends_it_with_a_summary(
        sim, environ, started):
    """A queue watch (an id holding controls cannot even be sent as a request header)."""
    hostile = "red-team-\x1b[31m\u202e"
    sim.add_task("redteam", task_id=hostile, status="Qu\x1beued")
    watch = started(environ, "redteam", *FAST)
    lines = watch.lines(100)
    assert not any("\x1b" in line or "\u202e" in line for line in lines)
    assert any(line.endswith("  redteam  red-team-\\x1b[31m\\u202e  is Qu\\x1beued")
               for line in lines)
    watch.proc.send_signal(signal.SIGINT)
    assert watch.finish() == 130
    assert watch.err_lines[-1].startswith("tasktop: watch: stopped by SIGINT · 100 tasks seen")
    assert watch.err_lines[-1].endswith(" · exit 130")


@pytest.mark.parametrize(("fault", "notice"), [
    (Fault("status", status=429, retry_after=1, path_prefix="/redteam/"), "rate limited (429)"),
    (Fault("status", status=500, path_prefix="/redteam/"), "server error 500"),
])
def test_an_outage_is_ridden_through_with_one_notice_and_one_recovery(
        sim, environ, started, fault, notice):
    task_id = sim.add_task("redteam", status="Queued")
    watch = started(environ, "redteam", task_id, *FAST)
    assert watch.line().endswith("is Queued")
    sim.reset_counts()
    sim.set_fault(fault)
    assert notice in watch.err_line()
    # Several polls fail (each after the client's own quick retries) before the server recovers.
    wait_until(lambda: sum(sim.counts().values()) >= 8, timeout=LINE_WAIT,
               what="eight refused requests")
    sim.clear_faults()
    recovered = watch.err_line()
    assert recovered.startswith("tasktop: watch: redteam: answering again after ")
    failed_polls = int(recovered.split("after ", 1)[1].split()[0])
    assert failed_polls >= 2
    sim.update_task("redteam", task_id, status="Finished")
    assert watch.line().endswith("Queued → Finished")
    assert watch.finish() == 0
    assert len(watch.err_lines) == 3  # the notice, the recovery, the summary: not one per retry
    assert watch.err_lines[-1].endswith("exit 0")


def test_a_timeout_inside_a_rate_limit_outage_exits_with_the_rate_limit_code(
        sim, environ, started):
    """Retry-After (30 s, longer than the client waits inside one request) is honoured: in the
    5 s before the timeout the watch asks once."""
    task_id = sim.add_task("redteam", status="Queued")
    sim.set_fault(Fault("status", status=429, retry_after=30, path_prefix="/redteam/"))
    watch = started(environ, "redteam", task_id, *FAST, "--timeout", "5s")
    assert watch.finish() == 4
    assert sim.counts() == {"/redteam/get-task": 1}
    assert watch.out_lines == []
    assert "rate limited (429)" in watch.err_lines[0]
    assert watch.err_lines[-1].startswith("tasktop: watch: timed out · ")
    assert "in an outage" in watch.err_lines[-1]


def test_an_unknown_task_exits_5_at_once(sim, environ, started):
    watch = started(environ, "nimble", "no-such-task", *FAST)
    assert watch.finish() == 5
    assert watch.err_lines[0].startswith("tasktop: not found: ")


def test_no_key_exits_3_and_names_the_variable(sim, environ, started):
    del environ["TASKTOP_NIMBLE_API_KEY"]
    watch = started(environ, "nimble", *FAST)
    assert watch.finish() == 3
    assert "TASKTOP_NIMBLE_API_KEY" in watch.err_lines[0]


@pytest.mark.parametrize("args", [
    ("redteam", "x", "--status", "Queued"),
    ("redteam", "--fail-on", " , "),
    ("redteam", "--timeout", "soon"),
    ("redteam", "--until", "never"),
])
def test_usage_errors_exit_2(sim, environ, started, args):
    watch = started(environ, *args)
    assert watch.finish() == 2
    assert watch.out_lines == []


def test_a_status_watch_reports_the_ending_of_a_task_that_leaves_its_filter(
        sim, environ, started):
    """`--status pending`: a task that ends leaves the filtered page; its get-task says how it
    ended (and `--until terminal` stops there, with the failure's code)."""
    task_id = sim.add_task("nimble", state="pending")
    watch = started(environ, "nimble", "--status", "pending", "--until", "terminal", *FAST)
    assert watch.line().endswith("is pending")
    sim.update_task("nimble", task_id, state="error")
    # The rest of the first page (up to 99 more lines) came before the change.
    while not (line := watch.line()).endswith(f"nimble  {task_id}  pending → error"):
        assert line.endswith("is pending")
    assert watch.finish() == 6
    assert watch.err_lines[-1].startswith("tasktop: watch: done · ")


def test_a_key_the_server_echoes_never_reaches_the_output_or_the_log(sim, environ, started,
                                                                     tmp_path):
    sim.set_fault(Fault("echo_key", path_prefix="/redteam/"))
    log = tmp_path / "watch.log"
    watch = started(environ, "redteam", "--json", "--log", str(log), "--until", "all-terminal",
                    "--timeout", "3s", *FAST)
    events = [json.loads(line) for line in watch.lines(100)]
    assert events[0]["id"] == "***" and events[0]["task"]["echo"] == "***"
    watch.finish()
    text = "\n".join(watch.out_lines + watch.err_lines) + log.read_text()
    assert sim.enkrypt_key not in text and "list-tasks" in log.read_text()
