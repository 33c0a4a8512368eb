"""--log FILE: a 0600 debug log with request lines and timings, and never an API key."""

from __future__ import annotations

import logging
import os
import re
import stat

import httpx
import pytest

from tui.commands.main import main
from tui.process.logsetup import (
    RedactingFilter,
    configure_logging,
    forget_secrets,
    get_logger,
    httpx_event_hooks,
    instrument,
    log_error,
    logging_enabled,
    redact,
    register_secret,
    safe_url,
)
from tui.providers.base import AuthError, PageRequest
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient
from tui.sim.server import start_simulator

ENKRYPT_KEY = "ek-LOGCANARY-4b1d9e7a2c6f"
NIMBLE_KEY = "nk-LOGCANARY-8a3c5e1f9d2b"


@pytest.fixture(autouse=True)
def no_leftover_logging():
    forget_secrets()
    yield
    configure_logging(None)
    forget_secrets()


@pytest.fixture
def keyed_sim():
    with start_simulator(seed=1, manual_clock=True, enkrypt_key=ENKRYPT_KEY,
                         nimble_key=NIMBLE_KEY) as server:
        yield server


@pytest.fixture
def cli_env(keyed_sim, clean_env, tmp_path):
    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    clean_env.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    clean_env.setenv("TASKTOP_ENKRYPT_URL", keyed_sim.url)
    clean_env.setenv("TASKTOP_NIMBLE_URL", keyed_sim.url)
    clean_env.setenv("TASKTOP_ENKRYPT_API_KEY", ENKRYPT_KEY)
    clean_env.setenv("TASKTOP_NIMBLE_API_KEY", NIMBLE_KEY)
    return clean_env


def assert_no_key(text: str, *keys: str) -> None:
    for key in keys or (ENKRYPT_KEY, NIMBLE_KEY):
        assert key not in text
        assert key[3:] not in text  # not even without its prefix
        assert "LOGCANARY" not in text


# ------------------------------------------------------------------------------- the file


def test_log_file_is_created_owner_only_even_with_a_permissive_umask(tmp_path):
    path = tmp_path / "debug.log"
    old = os.umask(0)
    try:
        configure_logging(path)
    finally:
        os.umask(old)
    get_logger().debug("hello %s", "world")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    configure_logging(None)
    text = path.read_text()
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} DEBUG   tasktop: hello world$",
                     text, re.M)


def test_an_existing_log_is_appended_and_tightened(tmp_path):
    path = tmp_path / "debug.log"
    path.write_text("earlier line\n")
    path.chmod(0o644)
    configure_logging(path)
    get_logger("x").warning("later line")
    configure_logging(None)
    lines = path.read_text().splitlines()
    assert lines[0] == "earlier line" and lines[-1].endswith("WARNING tasktop.x: later line")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_without_log_nothing_is_written_anywhere(capsys, caplog):
    assert not logging_enabled()
    log_error(AuthError("bad key"), what="list redteam")
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")


def test_configure_again_replaces_the_handler(tmp_path):
    configure_logging(tmp_path / "a.log")
    configure_logging(tmp_path / "b.log")
    get_logger().info("only in b")
    configure_logging(None)
    assert not logging_enabled()
    assert "only in b" not in (tmp_path / "a.log").read_text()
    assert "only in b" in (tmp_path / "b.log").read_text()


# -------------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apikey: abc123def", "apikey: ***"),
        ("APIKEY=abc123def rest", "APIKEY=*** rest"),
        ("{'apikey': 'abc123def', 'page': 1}", "{'apikey': '***', 'page': 1}"),
        ('{"Authorization": "Bearer abc.def-ghi"}', '{"Authorization": "Bearer ***"}'),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("sent bearer abcdef123 to host", "sent bearer *** to host"),
        ("/x?api_key=abc&page=2", "/x?api_key=***&page=2"),
        ("x-api-key: abc", "x-api-key: ***"),
        ("the token count is 5", "the token count is 5"),
        ("page=2&per_page=10", "page=2&per_page=10"),
    ],
)
def test_redact_header_shaped_values(text, expected):
    assert redact(text) == expected


def test_registered_secrets_are_masked_anywhere():
    register_secret(ENKRYPT_KEY)
    register_secret("short")  # too short to register: would blank ordinary words
    assert redact(f"server said {ENKRYPT_KEY}!") == "server said ***!"
    assert redact("a short word") == "a short word"


def test_env_keys_are_registered_when_logging_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("TASKTOP_NIMBLE_API_KEY", NIMBLE_KEY)
    configure_logging(tmp_path / "l.log")
    assert redact(f"x {NIMBLE_KEY} y") == "x *** y"


def test_filter_redacts_args_tracebacks_and_stack(tmp_path):
    path = tmp_path / "l.log"
    configure_logging(path)
    register_secret(ENKRYPT_KEY)
    log = get_logger("t")
    log.debug("headers %r", {"apikey": ENKRYPT_KEY})
    log.info("plain %s", ENKRYPT_KEY)
    try:
        raise ValueError(f"boom {ENKRYPT_KEY}")
    except ValueError:
        log.exception("failed with apikey: %s", ENKRYPT_KEY)
    log.warning("stack", stack_info=True)
    log.debug("bad format %d", "not a number")  # must not crash or leak
    configure_logging(None)
    text = path.read_text()
    assert_no_key(text, ENKRYPT_KEY)
    assert "ValueError: boom ***" in text
    assert "headers {'apikey': '***'}" in text
    assert "bad format %d (unformattable log arguments)" in text


def test_filter_does_not_drop_records():
    record = logging.LogRecord("tasktop", logging.INFO, __file__, 1, "k=%s", ("v",), None)
    assert RedactingFilter().filter(record) is True
    assert (record.getMessage(), record.args) == ("k=v", None)


# --------------------------------------------------------------------------- httpx hooks


def test_safe_url_drops_credentials_and_masks_secret_params():
    url = "https://user:pw@api.example.com:8443/v1/tasks?cursor=abc&api_key=zz&token=t#frag"
    assert safe_url(url) == (
        "https://api.example.com:8443/v1/tasks?cursor=abc&api_key=redacted&token=redacted")
    assert safe_url("http://127.0.0.1:9/redteam/list-tasks?page=2&per_page=10") == (
        "http://127.0.0.1:9/redteam/list-tasks?page=2&per_page=10")


async def test_hooks_log_requests_and_responses_never_headers(keyed_sim, tmp_path):
    path = tmp_path / "hooks.log"
    configure_logging(path)
    ticks = iter([10.0, 10.0125, 20.0, 20.5])
    hooks = httpx_event_hooks(get_logger("http"), clock=lambda: next(ticks))
    async with httpx.AsyncClient(base_url=keyed_sim.url, event_hooks=hooks) as client:
        ok = await client.get("/redteam/list-tasks", params={"page": 2},
                              headers={"apikey": ENKRYPT_KEY})
        refused = await client.get("/v1/tasks", headers={"Authorization": "Bearer wrong-key-123"})
    assert (ok.status_code, refused.status_code) == (200, 401)
    configure_logging(None)
    lines = [line.split(None, 2)[2] for line in path.read_text().splitlines()[1:]]
    url = keyed_sim.url
    assert lines == [
        f"tasktop.http: request GET {url}/redteam/list-tasks?page=2",
        f"tasktop.http: response 200 GET {url}/redteam/list-tasks?page=2 12.5 ms",
        f"tasktop.http: request GET {url}/v1/tasks",
        f"tasktop.http: response 401 GET {url}/v1/tasks 500.0 ms",
    ]
    assert "WARNING" in path.read_text().splitlines()[-1]
    # nothing was registered as a secret here: the hooks simply never read headers
    assert ENKRYPT_KEY not in path.read_text() and "wrong-key-123" not in path.read_text()


async def test_instrument_adds_hooks_only_when_logging(keyed_sim, tmp_path):
    async with EnkryptClient(keyed_sim.url, ENKRYPT_KEY) as quiet:
        instrument(quiet)
        assert quiet.http._client.event_hooks == {"request": [], "response": []}  # noqa: SLF001
    path = tmp_path / "i.log"
    configure_logging(path)
    async with NimbleClient(keyed_sim.url, NIMBLE_KEY) as client:
        instrument(client)
        page = await client.list_tasks(PageRequest(limit=3))
    configure_logging(None)
    text = path.read_text()
    assert len(page.rows) == 3
    assert f"request GET {keyed_sim.url}/v1/tasks?limit=3" in text
    assert f"response 200 GET {keyed_sim.url}/v1/tasks?limit=3" in text
    assert_no_key(text)


# --------------------------------------------------------------------------------- the CLI


def test_cli_log_has_request_lines_and_no_key(cli_env, keyed_sim, tmp_path, capsys):
    path = tmp_path / "cli.log"
    assert main(["--log", str(path), "list", "redteam"]) == 0
    assert main(["list", "nimble", "--log", str(path), "--limit", "5"]) == 0  # after the command
    assert main(["--log", str(path), "list", "redteam", "--all"]) == 0
    out = capsys.readouterr().out
    assert not logging_enabled()  # main() closed the file
    text = path.read_text()
    url = keyed_sim.url
    assert f"request GET {url}/redteam/list-tasks?page=1&per_page=10" in text
    assert re.search(rf"response 200 GET {re.escape(url)}/redteam/list-tasks\?page=1&per_page=10 "
                     r"\d+\.\d ms", text)
    assert f"request GET {url}/v1/tasks?limit=5" in text
    assert f"request GET {url}/redteam/list-tasks?page=3&per_page=100" in text
    assert "list redteam: profile default" in text and "key: env …" in text
    assert_no_key(text)
    assert_no_key(out)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cli_log_records_errors_without_the_key(cli_env, keyed_sim, tmp_path, capsys):
    wrong = "ek-WRONGCANARY-77aa88bb99cc"
    cli_env.setenv("TASKTOP_ENKRYPT_API_KEY", wrong)
    path = tmp_path / "err.log"
    assert main(["--log", str(path), "list", "redteam"]) == 3
    text = path.read_text()
    assert "response 401 GET" in text
    assert re.search(r"WARNING tasktop: list redteam failed: auth: ", text)
    assert wrong not in text and "WRONGCANARY" not in text
    assert capsys.readouterr().err.startswith("tasktop: auth: ")


def test_cli_log_file_that_cannot_be_opened(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "dir" / "x.log"
    assert main(["--log", str(target), "list", "redteam"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tasktop: log: cannot open {target}: ")
    assert not logging_enabled()


# ------------------------------------------------------------------------- server text in the log

HOSTILE_BODY = "\x1b]52;c;ZXZpbA==\x07\x1b]8;;https://evil.invalid\x1b\\x\x1b[31m\x9b2J\u202e"


def test_server_text_is_logged_as_visible_symbols(cli_env, keyed_sim, tmp_path, capsys,
                                                   monkeypatch):
    """`tail -f` of the log must not run a server's escapes: a 400 body carrying OSC 52, OSC 8,
    SGR, C1 and a bidi override (and the key, echoed) is written escaped, redacted, one line."""
    from tui.sim import handler as sim_handler
    from tui.sim.faults import Fault

    monkeypatch.setattr(sim_handler, "status_body",
                        lambda status, vendor: {"error": f"{HOSTILE_BODY} echo {ENKRYPT_KEY}"})
    keyed_sim.set_fault(Fault("status", path_prefix="/redteam", status=400))
    path = tmp_path / "hostile.log"
    assert main(["--log", str(path), "list", "redteam"]) != 0
    capsys.readouterr()
    raw = path.read_bytes().decode("utf-8")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", raw)
    assert "failed: bad request: server rejected the request (400): ␛]52;c;ZXZpbA==␇␛]8;;" in raw
    assert "␛[31m\\x9b2J\\u202e echo ***" in raw
    assert_no_key(raw)
    for line in raw.splitlines():  # one record per line
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} ", line), line


def test_a_record_with_newlines_stays_one_line(tmp_path):
    path = tmp_path / "lines.log"
    configure_logging(path)
    log = get_logger("test")
    log.warning("body: %s", "first\nforged 2026-01-01T00:00:00.000 INFO line\r\x1b[2K")
    try:
        raise ValueError("boom\x1b]0;title\x07")
    except ValueError:
        log.exception("failed")
    configure_logging(None)
    lines = path.read_text().splitlines()
    assert len(lines) == 3  # "log started", the warning, the exception with its traceback
    assert lines[1].endswith("body: first␤forged 2026-01-01T00:00:00.000 INFO line␍␛[2K")
    assert "Traceback (most recent call last):␤" in lines[2]
    assert "ValueError: boom␛]0;title␇" in lines[2]
