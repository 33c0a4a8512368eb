"""`tasktop list` / `tasktop show` end to end against the real simulator over HTTP on 127.0.0.1.

Expected values come from the simulator's raw HTTP answers (fetched independently with httpx), so
these tests check the whole round trip: argv -> config/env -> key -> client -> parse -> output.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import httpx
import pytest

from tui.commands.main import main
from tui.sim.server import Fault, start_simulator


def raw(sim, path: str, *, params=None, headers=None):
    """The simulator's own answer, fetched without tasktop's code."""
    auth = (
        {"Authorization": f"Bearer {sim.nimble_key}"}
        if path.startswith("/v1")
        else {"apikey": sim.enkrypt_key}
    )
    r = httpx.get(sim.url + path, params=params, headers={**auth, **(headers or {})})
    r.raise_for_status()
    return r.json()


def table_rows(out: str) -> list[list[str]]:
    """Data lines of a table (header and paging line dropped), split on 2+ spaces."""
    lines = out.rstrip("\n").split("\n")
    return [re.split(r"\s{2,}", line) for line in lines[1:-1]]


def same_fields(parsed: dict, sent: dict) -> None:
    """Every field the server sent comes back unchanged; absent ones are only null."""
    assert {k: parsed[k] for k in sent} == sent
    assert all(parsed[k] is None for k in parsed.keys() - sent.keys())


# ------------------------------------------------------------------------------------ lists


def test_list_redteam_human(cli, sim):
    expected = raw(sim, "/redteam/list-tasks", params={"page": 1, "per_page": 10})
    code, out, err = cli("list", "redteam")
    assert (code, err) == (0, "")
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split() == ["STATUS", "TEST", "MODEL", "PROJECT", "TASK", "ID"]
    rows = table_rows(out)
    assert [r[-1] for r in rows] == [t["task_id"] for t in expected["tasks"]]
    assert [r[0] for r in rows] == [t["status"] for t in expected["tasks"]]
    p = expected["pagination"]
    assert lines[-1] == f"page 1 of {p['total_pages']} · {p['total_count']} tasks"
    # columns are aligned: every TASK ID starts in the same column
    starts = {line.index("red-team-") for line in lines[1:-1]}
    assert len(starts) == 1 and lines[0].index("TASK ID") in starts


def test_list_redteam_json_matches_server(cli, sim):
    params = {"page": 2, "per_page": 7, "status": "Finished"}
    expected = raw(sim, "/redteam/list-tasks", params=params)
    code, out, _ = cli("list", "redteam", "--page", "2", "--per-page", "7", "--status", "Finished",
                       "--json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["rows"]) == 7
    for parsed, sent in zip(doc["rows"], expected["tasks"], strict=True):
        same_fields(parsed, sent)
    paging = doc["paging"]
    assert paging["kind"] == "number"
    assert {k: paging[k] for k in expected["pagination"]} == expected["pagination"]


def test_list_last_page(cli, sim):
    first = raw(sim, "/redteam/list-tasks", params={"per_page": 25})["pagination"]
    last = first["total_pages"]
    code, out, _ = cli("list", "redteam", "--per-page", "25", "--page", str(last), "--json")
    doc = json.loads(out)
    assert code == 0
    assert len(doc["rows"]) == first["total_count"] - (last - 1) * 25 > 0
    assert doc["paging"]["has_next"] is False and doc["paging"]["has_previous"] is True
    code, out, _ = cli("list", "redteam", "--per-page", "25", "--page", str(last))
    assert out.rstrip().split("\n")[-1] == f"page {last} of {last} · {first['total_count']} tasks"


def test_list_empty_filtered_page(cli, sim):
    empty = [
        (source, status)
        for source in ("datasets", "redteam")
        for status in ("Queued", "Running", "Finished", "Failed")
        if raw(sim, f"/{source}/list-tasks", params={"status": status})["pagination"][
            "total_count"
        ] == 0
    ]
    assert empty, "the seed-0 world should have a status with no tasks"
    source, status = empty[0]
    code, out, _ = cli("list", source, "--status", status)
    assert code == 0
    assert out == f"no tasks\npage 1 of 1 · 0 tasks · status {status}\n"
    code, out, _ = cli("list", source, "--status", status, "--json")
    doc = json.loads(out)
    assert doc["rows"] == [] and doc["paging"]["total_count"] == 0
    assert doc["paging"]["has_next"] is False


def test_list_datasets_human_and_json(cli, sim):
    expected = raw(sim, "/datasets/list-tasks", params={"page": 3, "per_page": 4})
    tasks = [raw(sim, "/datasets/get-task", headers={"X-Enkrypt-Dataset": name})["data"]
             for name in expected["datasets"]]
    code, out, _ = cli("list", "datasets", "--page", "3", "--per-page", "4")
    assert code == 0
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split() == ["STATUS", "DATASET", "CREATED", "STARTED", "TASK", "ID"]
    assert table_rows(out) == [
        [t["status"], t["dataset_name"], t["created_at"], t["started_at"] or "-", t["task_id"]]
        for t in tasks
    ]
    assert [t["dataset_name"] for t in tasks] == expected["datasets"]
    p = expected["pagination"]
    assert lines[-1] == f"page 3 of {p['total_pages']} · {p['total_count']} tasks"
    code, out, _ = cli("list", "datasets", "--page", "3", "--per-page", "4", "--json")
    doc = json.loads(out)
    for parsed, sent in zip(doc["rows"], tasks, strict=True):
        same_fields(parsed, sent)
    assert {k: doc["paging"][k] for k in p} == p


def test_list_nimble_human_and_json(cli, sim):
    expected = raw(sim, "/v1/tasks", params={"limit": 5})
    code, out, _ = cli("list", "nimble", "--limit", "5")
    assert code == 0
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split() == ["STATE", "API", "TYPE", "CREATED", "MODIFIED", "CODE", "ERROR", "ID"]
    assert [r[-1] for r in table_rows(out)] == [t["id"] for t in expected["data"]]
    p = expected["pagination"]
    assert lines[-1] == f"next cursor: {p['next_cursor']} · {p['total']} tasks"
    code, out, _ = cli("list", "nimble", "--limit", "5", "--json")
    doc = json.loads(out)
    for parsed, sent in zip(doc["rows"], expected["data"], strict=True):
        same_fields(parsed, sent)
    assert doc["paging"] | {} == {
        "kind": "cursor", "has_next": True, "has_previous": False, "page": None,
        "per_page": None, "total_count": None, "total_pages": None, "cursor": None,
        "next_cursor": p["next_cursor"], "total": p["total"],
    }


def test_nimble_full_cursor_walk_sees_every_task_once(cli, sim):
    total = raw(sim, "/v1/tasks", params={"limit": 1})["pagination"]["total"]
    everything = [t["id"] for t in raw(sim, "/v1/tasks", params={"limit": total})["data"]]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        argv = ["list", "nimble", "--limit", "37", "--json"]
        if cursor:
            argv += ["--cursor", cursor]
        code, out, err = cli(*argv)
        assert (code, err) == (0, "")
        doc = json.loads(out)
        pages += 1
        assert doc["paging"]["cursor"] == cursor
        assert doc["paging"]["has_previous"] is (cursor is not None)
        seen += [row["id"] for row in doc["rows"]]
        if not doc["paging"]["has_next"]:
            assert doc["paging"]["next_cursor"] is None
            break
        cursor = doc["paging"]["next_cursor"]
    assert pages == -(-total // 37)
    assert seen == everything and len(set(seen)) == total
    _, out, _ = cli("list", "nimble", "--limit", "37", "--cursor", cursor)
    assert out.rstrip().split("\n")[-1] == f"last page · {total} tasks"


# ------------------------------------------------------------------------------------- show


def test_show_redteam(cli, sim):
    task_id = raw(sim, "/redteam/list-tasks")["tasks"][3]["task_id"]
    expected = raw(sim, "/redteam/get-task", headers={"X-Enkrypt-Task-ID": task_id})["data"]
    code, out, _ = cli("show", "redteam", task_id, "--json")
    assert code == 0
    same_fields(json.loads(out), expected)
    code, out, _ = cli("show", "redteam", task_id)
    assert code == 0
    lines = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in out.rstrip("\n").split("\n")
                 if not line.startswith(" "))
    assert lines["task_id"] == task_id and lines["status"] == expected["status"]
    for name in expected:  # every field the server sent, extras included, has a line
        assert name in lines


def test_show_nimble(cli, sim):
    task = raw(sim, "/v1/tasks", params={"limit": 20})["data"][11]
    expected = raw(sim, f"/v1/tasks/{task['id']}")
    expected = expected.get("task", expected)
    code, out, _ = cli("show", "nimble", task["id"], "--json")
    assert code == 0
    same_fields(json.loads(out), expected)
    code, out, _ = cli("show", "nimble", task["id"])
    assert code == 0
    assert re.search(rf"^id\s+{task['id']}$", out, re.M)
    assert re.search(rf"^state\s+{expected['state']}$", out, re.M)
    if isinstance(expected.get("input"), dict):  # JSON values are pretty-printed, indented
        assert re.search(r"^input\s+\{$", out, re.M)
        first_key = next(iter(expected["input"]))
        assert re.search(rf'^\s+"{first_key}": ', out, re.M)


def test_show_datasets_by_name_and_by_task_id(cli, sim):
    name = raw(sim, "/datasets/list-tasks")["datasets"][0]
    expected = raw(sim, "/datasets/get-task", headers={"X-Enkrypt-Dataset": name})["data"]
    code, out, _ = cli("show", "datasets", name, "--json")
    assert code == 0
    same_fields(json.loads(out), expected)
    assert expected["task_id"].startswith("data-generation-")
    code, out, _ = cli("show", "datasets", expected["task_id"], "--json")
    assert code == 0 and json.loads(out)["dataset_name"] == name
    code, out, _ = cli("show", "datasets", name)
    assert re.search(rf"^dataset_name\s+{re.escape(name)}$", out, re.M)
    assert re.search(r"^tools\s+\[\]$", out, re.M)


# ------------------------------------------------------------------------------------ errors


def test_bad_cursor_is_bad_request(cli, sim):
    code, out, err = cli("list", "nimble", "--cursor", "not-a-uuid")
    assert (code, out) == (1, "")
    assert err == (
        "tasktop: bad request: server rejected the request (400): Invalid request parameters "
        "(PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR)\n"
    )


@pytest.mark.parametrize("source", ["redteam", "nimble"])
def test_wrong_key_is_auth_error(cli, env, sim, source):
    var = "TASKTOP_NIMBLE_API_KEY" if source == "nimble" else "TASKTOP_ENKRYPT_API_KEY"
    env.setenv(var, "wrong-key-0123456789")
    code, out, err = cli("list", source)
    assert (code, out) == (3, "")
    assert err.startswith("tasktop: auth: API key refused (401)")
    assert "wrong-key" not in err and err.count("\n") == 1


def test_missing_key_is_auth_error_with_a_hint(cli, env, sim):
    env.delenv("TASKTOP_ENKRYPT_API_KEY")
    code, _, err = cli("list", "redteam")
    assert code == 3
    assert err.startswith("tasktop: auth: no API key configured for enkrypt (")
    assert "TASKTOP_ENKRYPT_API_KEY" in err
    assert sim.counts() == {}


@pytest.mark.parametrize(
    ("fault", "argv", "code", "expected"),
    [
        (Fault("status", status=402), ("list", "nimble"), 3,
         "tasktop: payment: payment required: trial expired\n"),
        (Fault("status", status=429, retry_after="3"), ("list", "redteam"), 4,
         "tasktop: rate limited: too many requests (429): Rate limit exceeded; retry after 3s\n"),
        (Fault("status", status=500), ("list", "datasets"), 1,
         "tasktop: server: server error 500: can't download the query response - please try "
         "again\n"),
        (Fault("html"), ("list", "nimble"), 1, "tasktop: server: server error 502\n"),
        (Fault("huge"), ("list", "redteam"), 1,
         "tasktop: protocol: response too large (> 8 MiB)\n"),
    ],
)
def test_fault_statuses(cli, sim, fault, argv, code, expected):
    sim.set_fault(fault)
    got, out, err = cli(*argv)
    assert (got, out, err) == (code, "", expected)


def test_truncated_body_is_protocol_error(cli, sim):
    sim.set_fault(Fault("truncated"))
    code, out, err = cli("list", "redteam")
    assert (code, out) == (1, "")
    assert err.startswith("tasktop: protocol: response is not valid JSON")


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("list", "redteam"), "`$.tasks[0].status`"),
        (("list", "datasets"), "`$.pagination.total_count`"),
        (("list", "nimble"), "`$.pagination.total`"),
    ],
)
def test_wrong_type_is_protocol_error_naming_field(cli, sim, argv, field):
    sim.set_fault(Fault("wrong_type"))
    code, out, err = cli(*argv)
    assert (code, out) == (1, "")
    assert err.startswith("tasktop: protocol: unexpected response: ")
    assert field in err


def test_wrong_type_in_show_names_field(cli, sim):
    task_id = raw(sim, "/redteam/list-tasks")["tasks"][0]["task_id"]
    sim.set_fault(Fault("wrong_type"))
    code, _, err = cli("show", "redteam", task_id)
    assert code == 1 and "`$.data.status`" in err


def test_show_unknown_id_is_not_found(cli, sim):
    for source in ("redteam", "nimble", "datasets"):
        code, out, err = cli("show", source, "no-such-task-here")
        assert (code, out) == (5, "")
        assert err.startswith("tasktop: not found: ") and "Task not found" in err


def test_hang_times_out(cli, sim):
    sim.set_fault(Fault("hang", seconds=30))
    code, out, err = cli("list", "redteam", "--timeout", "0.3")
    assert (code, out) == (1, "")
    port = sim.url.rsplit(":", 1)[1]
    assert err == f"tasktop: transport: timed out after 0.3s waiting for 127.0.0.1:{port}\n"


def test_timeout_from_config_file(cli, env, sim, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("timeout = 0.25\n", encoding="utf-8")
    sim.set_fault(Fault("hang", seconds=30))
    code, _, err = cli("--config", str(path), "list", "nimble")
    assert code == 1 and "timed out after 0.25s" in err


def test_dropped_connection_is_transport_error(cli, sim):
    sim.set_fault(Fault("drop"))
    code, _, err = cli("list", "nimble")
    assert code == 1
    assert err.startswith("tasktop: transport: ") and "closed the connection" in err


def test_refused_on_closed_port(cli, env):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env.setenv("TASKTOP_NIMBLE_URL", f"http://127.0.0.1:{port}")
    code, out, err = cli("list", "nimble")
    assert (code, out, err) == (1, "", f"tasktop: transport: connection refused: 127.0.0.1:{port}\n")


def test_plain_http_to_remote_host_refused(cli, env, sim):
    env.setenv("TASKTOP_ENKRYPT_URL", "http://tasks.example.com")
    code, out, err = cli("list", "redteam")
    assert (code, out) == (2, "")
    assert err.startswith("tasktop: insecure: refusing to send the enkrypt API key over plain http")


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (("list", "redteam", "--status", "finished"), 2, "tasktop: invalid argument: status must be"),
        (("list", "datasets", "--per-page", "101"), 2, "per_page must be between 1 and 100"),
        (("list", "datasets", "--page", "0"), 2, "page must be an integer >= 1"),
        (("list", "nimble", "--limit", "0"), 2, "limit must be an integer >= 1"),
        (("list", "redteam", "--cursor", "x"), 2, "tasktop: usage: --cursor apply to nimble only"),
        (("list", "nimble", "--status", "error"), 2, "tasktop: usage: --status not supported"),
        (("list", "redteam", "--timeout", "0"), 2, "timeout must be > 0"),
    ],
)
def test_invalid_arguments_send_nothing(cli, sim, argv, code, fragment):
    got, out, err = cli(*argv)
    assert (got, out) == (code, "")
    assert err.startswith(fragment) or fragment in err
    assert sim.counts() == {}


# ------------------------------------------------------------------------------------ config


def test_config_profile_supplies_urls(cli, env, sim, tmp_path):
    env.delenv("TASKTOP_ENKRYPT_URL")
    env.delenv("TASKTOP_NIMBLE_URL")
    path = tmp_path / "c.toml"
    path.write_text(
        f'enkrypt_url = "https://never.example"\n[profiles.local]\nenkrypt_url = "{sim.url}"\n',
        encoding="utf-8",
    )
    code, out, _ = cli("--config", str(path), "--profile", "local", "list", "redteam")
    assert code == 0 and out.startswith("STATUS")
    code, out, _ = cli("list", "redteam", "--config", str(path), "--profile", "local", "--json")
    assert code == 0 and json.loads(out)["paging"]["page"] == 1


def test_config_errors_exit_2(cli, tmp_path):
    code, out, err = cli("--config", str(tmp_path / "missing.toml"), "list", "redteam")
    assert (code, out) == (2, "") and err.startswith("tasktop: config: config file not found")
    path = tmp_path / "c.toml"
    path.write_text("[profiles.a]\n", encoding="utf-8")
    code, _, err = cli("--config", str(path), "--profile", "b", "list", "nimble")
    assert code == 2 and err.startswith("tasktop: config: unknown profile 'b'")
    path.write_text('api_key = "sk-IN-FILE-123456"\n', encoding="utf-8")
    code, _, err = cli("--config", str(path), "show", "nimble", "x")
    assert code == 2 and "keyring" in err and "sk-IN-FILE" not in err


# ------------------------------------------------------------------- hostile server strings


def test_control_characters_are_made_harmless(cli, sim):
    evil = "\x1b[31mRED\x1b]0;pwned\x07 \u202eesrever\x9b2J\nnext"
    task_id = sim.add_task("redteam", test_name=evil, model_name="m\rX", extra_field="\x1b[2J")
    code, out, _ = cli("list", "redteam")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out
    assert "\r" not in out
    assert "\\x1b[31mRED\\x1b]0;pwned\\x07 " in out  # clipped to the column width
    assert len(out.rstrip("\n").split("\n")) == 12  # header + 10 rows + paging: no injected line
    code, out, _ = cli("show", "redteam", task_id)
    assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out
    assert re.search(r"^extra_field\s+\\x1b\[2J$", out, re.M)
    assert re.search(r"^test_name\s+\\x1b\[31mRED\\x1b\]0;pwned\\x07 \\u202eesrever\\x9b2J$", out,
                     re.M)
    assert re.search(r"^\s+next$", out, re.M)  # a newline in a value continues, indented
    assert re.search(r"^model_name\s+m\\x0dX$", out, re.M)
    for argv in (("list", "redteam", "--json"), ("show", "redteam", task_id, "--json")):
        code, out, _ = cli(*argv)
        assert code == 0
        assert not re.search("[\x00-\x1f\x7f-\x9f\u202e]", out.replace("\n", ""))
        doc = json.loads(out)
        record = doc["rows"][0] if "rows" in doc else doc
        assert record["test_name"] == evil  # JSON escapes keep the exact value


def test_hostile_error_message_is_harmless(cli, sim):
    sim.set_fault(Fault("status", status=404))
    code, _, err = cli("show", "nimble", "\x1b[2Jid")
    assert code == 5
    assert "\x1b" not in err


# ---------------------------------------------------------------------------- key never shown


def test_key_never_appears_in_any_output(env, capsys):
    enkrypt_key = "sk-ENKRYPT-DISTINCTIVE-9f8e7d6c5b4a"
    nimble_key = "nb-NIMBLE-DISTINCTIVE-1a2b3c4d5e6f"
    with start_simulator(seed=1, manual_clock=True, enkrypt_key=enkrypt_key,
                         nimble_key=nimble_key) as sim:
        env.setenv("TASKTOP_ENKRYPT_URL", sim.url)
        env.setenv("TASKTOP_NIMBLE_URL", sim.url)
        env.setenv("TASKTOP_ENKRYPT_API_KEY", enkrypt_key)
        env.setenv("TASKTOP_NIMBLE_API_KEY", nimble_key)
        task_id = raw(sim, "/redteam/list-tasks")["tasks"][0]["task_id"]
        outputs = []

        def run(*argv):
            code = main(list(argv))
            out, err = capsys.readouterr()
            outputs.append(out + err)
            return code

        assert run("list", "redteam") == 0
        assert run("list", "nimble", "--json") == 0
        assert run("show", "redteam", task_id) == 0
        assert run("show", "redteam", task_id, "--json") == 0
        for fault in (Fault("status", status=401), Fault("status", status=429, retry_after="1"),
                      Fault("html"), Fault("wrong_type"), Fault("truncated"), Fault("drop")):
            sim.set_fault(fault)
            for source in ("redteam", "nimble"):
                assert run("list", source) != 0
            sim.clear_faults()
        assert run("show", "nimble", "missing") == 5
        assert run("list", "redteam", "--status", "nope") == 2
        env.setenv("TASKTOP_ENKRYPT_URL", "http://remote.example")
        assert run("list", "redteam") == 2
        env.setenv("TASKTOP_ENKRYPT_URL", sim.url)
        env.setenv("TASKTOP_ENKRYPT_API_KEY", enkrypt_key + "X")  # a near-miss key: 401
        assert run("list", "redteam") == 3
    text = "\n".join(outputs)
    assert len(outputs) == 20 and "tasktop: " in text
    for key in (enkrypt_key, nimble_key, enkrypt_key[:-4], nimble_key[4:]):
        assert key not in text


def test_cli_import_is_lazy():
    code = (
        "import sys, tui.commands.main; tui.commands.main.build_parser(); "
        "print(','.join(m for m in ('httpx', 'textual', 'keyring', 'msgspec') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
