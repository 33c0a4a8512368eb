"""Unit tests of the provider HTTP layer on httpx.MockTransport: error mapping, safety rules, parsing.

The simulator round trips live in test_client_sim.py; these pin each rule down in isolation.
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from tui.base.loopback import is_loopback
from tui.providers.base import (
    AuthError,
    BadRequest,
    InsecureTransport,
    InvalidArgument,
    NotFound,
    PageRequest,
    PaymentRequired,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    TransportError,
)
from tui.providers.enkrypt import EnkryptClient
from tui.providers.http_errors import parse_retry_after, server_message
from tui.providers.nimble import NimbleClient

KEY = "sk-UNIT-7f3c9a1e5b2d-SECRETVALUE-Q9ZX"
BASE = "https://api.test"

REDTEAM_OK = {
    "tasks": [
        {"status": "Finished", "model_name": "m", "task_id": "red-team-1", "test_name": "t1"},
        {"status": "Paused", "task_id": "red-team-2", "surprise": {"a": 1}},
    ],
    "pagination": {
        "page": 2,
        "per_page": 2,
        "total_count": 5,
        "total_pages": 3,
        "has_next": True,
        "has_previous": True,
    },
}
NIMBLE_OK = {
    "data": [{"id": "n1", "state": "pending", "input": None, "_query": None}],
    "pagination": {"has_next": True, "next_cursor": "c2", "total": 7},
}


class Recorder:
    """A MockTransport handler that remembers every request it was sent."""

    def __init__(self, respond):
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request):
        self.requests.append(request)
        return self.respond(request)


def enkrypt(respond, *, url=BASE, key=KEY, **kw) -> tuple[EnkryptClient, Recorder]:
    rec = Recorder(respond)
    return EnkryptClient(url, key, transport=httpx.MockTransport(rec), **kw), rec


def nimble(respond, *, url=BASE, key=KEY, **kw) -> tuple[NimbleClient, Recorder]:
    rec = Recorder(respond)
    return NimbleClient(url, key, transport=httpx.MockTransport(rec), **kw), rec


def answer(status: int, body=None, *, headers=None, text: str | None = None):
    def respond(request):
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return respond


def assert_clean(err: ProviderError) -> None:
    """Every message: one line, no key, no auth header."""
    text = str(err)
    assert "\n" not in text and text == err.message
    assert KEY not in text and "Bearer" not in text and "apikey" not in text.lower()


# ------------------------------------------------------------------------------- happy paths


async def test_enkrypt_sends_apikey_header_and_params_and_parses_page():
    client, rec = enkrypt(answer(200, REDTEAM_OK))
    async with client:
        page = await client.list_redteam(PageRequest(page=2, per_page=2, status="Finished"))
    (req,) = rec.requests
    assert req.headers["apikey"] == KEY
    assert "authorization" not in req.headers
    assert req.url.path == "/redteam/list-tasks"
    assert dict(req.url.params) == {"page": "2", "per_page": "2", "status": "Finished"}
    assert [t.task_id for t in page.rows] == ["red-team-1", "red-team-2"]
    assert page.rows[1].status == "Paused"  # unknown status word kept verbatim
    assert page.rows[1].extra == {"surprise": {"a": 1}}
    p = page.paging
    assert (p.kind, p.page, p.per_page, p.total_count, p.total_pages) == ("number", 2, 2, 5, 3)
    assert p.has_next and p.has_previous


async def test_nimble_sends_bearer_and_cursor_and_parses_page():
    client, rec = nimble(answer(200, NIMBLE_OK))
    async with client:
        page = await client.list_tasks(PageRequest(cursor="c1", limit=3))
    (req,) = rec.requests
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert "apikey" not in req.headers
    assert dict(req.url.params) == {"cursor": "c1", "limit": "3"}
    assert page.rows[0].id == "n1"
    p = page.paging
    assert (p.kind, p.cursor, p.next_cursor, p.has_next, p.total, p.has_previous) == (
        "cursor", "c1", "c2", True, 7, True,
    )


async def test_nimble_first_page_sends_no_cursor_and_has_no_previous():
    client, rec = nimble(answer(200, NIMBLE_OK))
    async with client:
        page = await client.list_tasks(PageRequest(limit=10))
    assert "cursor" not in rec.requests[0].url.params
    assert page.paging.has_previous is False and page.paging.cursor is None


async def test_base_url_with_path_prefix_is_kept():
    client, rec = nimble(answer(200, NIMBLE_OK), url="https://gw.test/nimble")
    async with client:
        await client.list_tasks()
    assert rec.requests[0].url.path == "/nimble/v1/tasks"


async def test_enkrypt_paging_fields_derived_when_server_omits_them():
    body = {"datasets": ["a", "b"], "pagination": {"total_count": 25}}
    client, _ = enkrypt(answer(200, body))
    async with client:
        page = await client.list_datasets(PageRequest(page=3, per_page=10))
    p = page.paging
    assert (p.page, p.per_page, p.total_count, p.total_pages) == (3, 10, 25, 3)
    assert p.has_next is False and p.has_previous is True


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"id": "x/1", "state": "success"}, "bare"),
        ({"task": {"id": "x/1", "state": "success"}}, "task"),
        ({"data": {"id": "x/1", "state": "success"}}, "data"),
    ],
)
async def test_nimble_get_task_accepts_bare_and_wrapped(body, where):
    client, rec = nimble(answer(200, body))
    async with client:
        task = await client.get_task("x/1")
    assert task.id == "x/1" and task.state == "success"
    assert rec.requests[0].url.raw_path == b"/v1/tasks/x%2F1"


async def test_nimble_get_task_quotes_dot_segments():
    client, rec = nimble(answer(200, {"id": "..", "state": "error"}))
    async with client:
        await client.get_task("..")
    assert rec.requests[0].url.raw_path == b"/v1/tasks/%2E%2E"


async def test_redteam_and_dataset_get_task_send_id_headers():
    data = {
        "dataset_name": "Election",
        "created_at": "2025-02-28T11:07:36Z",
        "status": "Running",
        "task_id": "data-generation-1",
    }
    client, rec = enkrypt(answer(200, {"data": {**data, "model_name": "m"}}))
    async with client:
        red = await client.get_redteam_task("red-team-9")
        ds = await client.get_dataset_task(dataset="Election")
        ds2 = await client.get_dataset_task(task_id="data-generation-1")
        await client.get_dataset_task(dataset="Élection", task_id="data-generation-1")
    assert red.task_id == "data-generation-1"
    assert ds.dataset_name == "Election" and ds2.extra == {"model_name": "m"}
    r0, r1, r2, r3 = rec.requests
    assert r0.url.path == "/redteam/get-task" and r0.headers["x-enkrypt-task-id"] == "red-team-9"
    assert r1.url.path == "/datasets/get-task" and r1.headers["x-enkrypt-dataset"] == "Election"
    assert "x-enkrypt-task-id" not in r1.headers
    assert r2.headers["x-enkrypt-task-id"] == "data-generation-1"
    assert "x-enkrypt-dataset" not in r2.headers
    assert r3.headers.get_list("x-enkrypt-dataset") and r3.headers["x-enkrypt-task-id"]


# ------------------------------------------------------------------------------ error mapping


@pytest.mark.parametrize(
    ("status", "body", "cls", "expected"),
    [
        (400, {"error": "Invalid pagination parameters. Page must be >= 1"}, BadRequest,
         "server rejected the request (400): Invalid pagination parameters. Page must be >= 1"),
        (400, {"status": "failed", "msg": "Invalid request parameters",
               "error": "PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR"}, BadRequest,
         "Invalid request parameters (PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR)"),
        (422, {"detail": [{"loc": ["query", "page"], "msg": "must be >= 1"}]}, BadRequest,
         "server rejected the request (422): query.page: must be >= 1"),
        (422, {"detail": "bad cursor"}, BadRequest, "(422): bad cursor"),
        (401, {"detail": "Invalid API key"}, AuthError, "API key refused (401): Invalid API key"),
        (403, None, AuthError, "API key refused (403)"),
        (402, {"status": "failed", "msg": "trial expired"}, PaymentRequired,
         "payment required: trial expired"),
        (402, None, PaymentRequired, "payment required (402)"),
        (404, {"status": "failed", "error": "Task not found"}, NotFound, "Task not found"),
        (500, {"success": "false", "task_id": "1", "message": "can't download"}, ServerError,
         "server error 500: can't download"),
        (503, None, ServerError, "server error 503"),
        (418, {"error": "teapot"}, BadRequest, "request refused (418): teapot"),
    ],
)
async def test_status_mapping(status, body, cls, expected):
    respond = answer(status, body) if body is not None else answer(status, text="")
    client, _ = enkrypt(respond)
    async with client:
        with pytest.raises(cls) as info:
            await client.list_datasets()
    assert type(info.value) is cls
    assert expected in str(info.value)
    assert info.value.status_code == status
    assert_clean(info.value)


async def test_exit_codes_by_class():
    assert AuthError("x").exit_code == 3
    assert RateLimited("x").exit_code == 4
    assert NotFound("x").exit_code == 5
    assert InvalidArgument("x").exit_code == 2
    assert ServerError("x").exit_code == 1


async def test_html_error_body_is_never_quoted():
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx\n</body></html>"
    client, _ = enkrypt(answer(502, text=html, headers={"content-type": "text/html"}))
    async with client:
        with pytest.raises(ServerError) as info:
            await client.list_redteam()
    assert str(info.value) == "server error 502"


async def test_multiline_server_message_becomes_one_line():
    client, _ = nimble(answer(400, {"msg": "bad\n\nthing\r\nhere"}))
    async with client:
        with pytest.raises(BadRequest) as info:
            await client.list_tasks()
    assert str(info.value).endswith("bad thing here")


async def test_server_echoing_the_key_is_scrubbed():
    client, _ = enkrypt(answer(401, {"error": f"key {KEY} is not valid"}))
    async with client:
        with pytest.raises(AuthError) as info:
            await client.list_redteam()
    assert KEY not in str(info.value) and "***" in str(info.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), ("2.5", 2.5), ("120", 60.0), ("soon", None), ("-4", None), ("", None)],
)
async def test_retry_after_seconds(header, expected):
    client, _ = nimble(answer(429, {"msg": "Rate limit exceeded"}, headers={"Retry-After": header}))
    async with client:
        with pytest.raises(RateLimited) as info:
            await client.list_tasks()
    assert info.value.retry_after == expected
    assert "Rate limit exceeded" in str(info.value)
    if expected is not None:
        assert f"retry after {expected:g}s" in str(info.value)


async def test_retry_after_absent_and_http_date():
    client, _ = nimble(answer(429, {"msg": "slow"}))
    async with client:
        with pytest.raises(RateLimited) as info:
            await client.list_tasks()
    assert info.value.retry_after is None and "retry after" not in str(info.value)
    far = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)
    client, _ = nimble(answer(429, {"msg": "slow"}, headers={"Retry-After": far}))
    async with client:
        with pytest.raises(RateLimited) as info:
            await client.list_tasks()
    assert info.value.retry_after == 60.0


def test_parse_retry_after_http_date_relative_to_now():
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:59:00 GMT", now=now) == 0.0
    assert parse_retry_after("Sat, 01 Mar 2025 13:00:00 GMT", now=now) == 60.0
    assert parse_retry_after("Sat, 99 Foo 2025 13:00:00 GMT", now=now) is None
    assert parse_retry_after("nan") is None and parse_retry_after("inf") is None
    assert parse_retry_after(None) is None


def test_server_message_shapes():
    assert server_message(b'{"error": "e"}') == "e"
    assert server_message(b'{"msg": "m", "error": "E"}') == "m (E)"
    assert server_message(b'{"detail": "d"}') == "d"
    assert server_message(b'{"message": "x"}') == "x"
    assert server_message(b'"plain"') == "plain"
    assert server_message(b"<html>oops</html>") is None
    assert server_message(b'{"other": 1}') is None
    assert len(server_message(json.dumps({"error": "x" * 5000}).encode())) <= 300


# -------------------------------------------------------------------- bodies: shape and size


async def test_non_json_body_is_protocol_error():
    json_type = {"content-type": "application/json"}
    client, _ = enkrypt(answer(200, text="{not json", headers=json_type))
    async with client:
        with pytest.raises(ProtocolError, match="not valid JSON"):
            await client.list_datasets()


async def test_html_200_names_content_type():
    client, _ = enkrypt(answer(200, text="<html/>", headers={"content-type": "text/html"}))
    async with client:
        with pytest.raises(ProtocolError, match="content-type text/html"):
            await client.list_datasets()


WRONG_SHAPES = [
    (enkrypt, lambda c: c.list_redteam(), {"tasks": [{"task_id": 5}]}, "$.tasks[0].task_id"),
    (enkrypt, lambda c: c.list_redteam(), {"pagination": {"page": "one"}}, "$.pagination.page"),
    (enkrypt, lambda c: c.list_datasets(), {"datasets": [1]}, "$.datasets[0]"),
    (nimble, lambda c: c.list_tasks(), {"data": "nope", "pagination": {}}, "$.data"),
    (nimble, lambda c: c.list_tasks(),
     {"data": [{"id": "a", "state": "x"}, {"id": "b", "state": 3}],
      "pagination": {"has_next": False, "next_cursor": None, "total": 2}}, "$.data[1].state"),
    (nimble, lambda c: c.list_tasks(), {"data": []}, "pagination"),
    (enkrypt, lambda c: c.get_redteam_task("r"), {"task": {}}, "$.data"),
    (enkrypt, lambda c: c.get_redteam_task("r"), {"data": {"status": "Running"}}, "task_id"),
    (nimble, lambda c: c.get_task("n"), {"task": {"id": "n", "state": None}}, "$.task.state"),
    (enkrypt, lambda c: c.list_redteam(), [1, 2], "`$`"),
]


@pytest.mark.parametrize(("make", "call", "body", "field"), WRONG_SHAPES)
async def test_wrong_shape_is_protocol_error_naming_field(make, call, body, field):
    client, _ = make(answer(200, body))
    async with client:
        with pytest.raises(ProtocolError) as info:
            await call(client)
    assert field in str(info.value)
    assert_clean(info.value)


async def test_oversize_declared_length_refused_before_reading():
    big = b"[" + b"0," * (4 * 1024 * 1024) + b"0]"  # a little over 8 MiB
    assert len(big) > 8 * 1024 * 1024
    client, _ = enkrypt(lambda r: httpx.Response(200, content=big))
    async with client:
        with pytest.raises(ProtocolError, match=r"response too large \(> 8 MiB\)"):
            await client.list_datasets()


async def test_oversize_stream_without_length_stops_at_cap():
    pulled = 0

    async def endless():
        nonlocal pulled
        while True:
            pulled += 1
            yield b" " * 1024

    client, _ = enkrypt(lambda r: httpx.Response(200, content=endless()), max_bytes=16 * 1024)
    async with client:
        with pytest.raises(ProtocolError, match=r"response too large \(> 16 KiB\)"):
            await client.list_datasets()
    assert pulled <= 17  # stopped right after the cap; an endless body would never return


# --------------------------------------------------------------------- redirects and transport


async def test_redirect_is_not_followed_and_key_never_reaches_other_host():
    def respond(request):
        if request.url.host == "evil.example":
            return httpx.Response(200, json=REDTEAM_OK)
        return httpx.Response(302, headers={"Location": "https://evil.example/steal?x=1"})

    client, rec = enkrypt(respond)
    async with client:
        with pytest.raises(ProtocolError) as info:
            await client.list_redteam()
    assert str(info.value) == "server redirected to evil.example; not following with credentials"
    assert [r.url.host for r in rec.requests] == ["api.test"]
    assert all(r.url.host == "api.test" for r in rec.requests if "apikey" in r.headers)


async def test_relative_redirect_also_refused():
    client, rec = nimble(answer(307, headers={"Location": "/v2/tasks"}, text=""))
    async with client:
        with pytest.raises(ProtocolError, match="server redirected to api.test; not following"):
            await client.list_tasks()
    assert len(rec.requests) == 1


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:8000", "http://127.0.0.1.nip.io"])
async def test_plain_http_off_loopback_refused_before_any_request(url):
    for make in (enkrypt, nimble):
        client, rec = make(answer(200, NIMBLE_OK), url=url)
        async with client:
            with pytest.raises(InsecureTransport) as info:
                if make is enkrypt:
                    await client.list_redteam()
                else:
                    await client.list_tasks()
        assert rec.requests == []
        assert "https://" in str(info.value) and info.value.exit_code == 2
        assert_clean(info.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.9.8.7"]
)
async def test_plain_http_to_loopback_allowed(url):
    client, rec = nimble(answer(200, NIMBLE_OK), url=url)
    async with client:
        await client.list_tasks()
    assert len(rec.requests) == 1


def test_is_loopback():
    assert is_loopback("localhost") and is_loopback("LOCALHOST.") and is_loopback("127.0.0.2")
    assert is_loopback("::1") and is_loopback("[::1]")
    for host in ("0.0.0.0", "localhost.evil.com", "10.0.0.1", "example.com", "::", "128.0.0.1"):
        assert not is_loopback(host), host


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_missing_key_refused_before_sending(key):
    client, rec = enkrypt(answer(200, REDTEAM_OK), key=key)
    async with client:
        with pytest.raises(AuthError, match="^no API key configured for enkrypt$"):
            await client.list_redteam()
    client2, rec2 = nimble(answer(200, NIMBLE_OK), key=key)
    async with client2:
        with pytest.raises(AuthError, match="^no API key configured for nimble$"):
            await client2.get_task("x")
    assert rec.requests == [] and rec2.requests == []


async def test_key_with_control_characters_refused_without_echo():
    bad = KEY + "\r\nX-Injected: 1"
    client, rec = enkrypt(answer(200, REDTEAM_OK), key=bad)
    async with client:
        with pytest.raises(AuthError) as info:
            await client.list_redteam()
    assert rec.requests == [] and KEY not in str(info.value)


def raising(exc: Exception):
    def respond(request):
        raise exc

    return respond


def _chain(outer: Exception, inner: BaseException) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "cls", "expected"),
    [
        (httpx.ConnectTimeout("x"), TransportError, "timed out after 5s connecting to api.test:443"),
        (httpx.ReadTimeout("x"), TransportError, "timed out after 10s waiting for api.test:443"),
        (httpx.PoolTimeout("x"), TransportError, "timed out after 10s waiting for api.test:443"),
        (_chain(httpx.ConnectError("All connection attempts failed"),
                ConnectionRefusedError(111, "refused")),
         TransportError, "connection refused: api.test:443"),
        (_chain(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
         TransportError, "cannot resolve host api.test"),
        (httpx.ConnectError("boom\nsecond line"), TransportError, "cannot connect to api.test:443: boom"),
        (httpx.RemoteProtocolError("Server disconnected"), TransportError,
         "api.test:443 closed the connection without answering"),
        (httpx.ReadError("reset"), TransportError, "network error talking to api.test:443: reset"),
    ],
)
async def test_transport_errors_are_one_line(exc, cls, expected):
    client, _ = enkrypt(raising(exc))
    async with client:
        with pytest.raises(cls) as info:
            await client.list_redteam()
    assert str(info.value) == expected
    assert_clean(info.value)


async def test_overall_deadline_applies_to_a_hung_answer():
    async def hang(request):
        await asyncio.Event().wait()  # never answers

    client, _ = enkrypt(hang, timeout=0.2)
    async with client:
        with pytest.raises(TransportError, match=r"^timed out after 0.2s waiting for api.test:443$"):
            await client.list_redteam()


async def test_connection_refused_on_a_real_closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # bound then closed: nothing listens there
    async with NimbleClient(f"http://127.0.0.1:{port}", KEY) as client:
        with pytest.raises(TransportError) as info:
            await client.list_tasks()
    assert str(info.value) == f"connection refused: 127.0.0.1:{port}"


# ------------------------------------------------------------------------- argument checks


BAD_ARGS = [
    (enkrypt, lambda c: c.list_redteam(PageRequest(page=0)), "page must be an integer >= 1"),
    (enkrypt, lambda c: c.list_datasets(PageRequest(per_page=0)), "per_page must be between 1 and 100"),
    (enkrypt, lambda c: c.list_datasets(PageRequest(per_page=101)), "per_page must be between 1 and 100"),
    (enkrypt, lambda c: c.list_redteam(PageRequest(status="finished")), "case-sensitive"),
    (enkrypt, lambda c: c.list_redteam(PageRequest(status="")), "status must be one of"),
    (enkrypt, lambda c: c.get_dataset_task(), "needs a dataset name or a task id"),
    (enkrypt, lambda c: c.get_dataset_task(dataset=""), "dataset name must be a non-empty"),
    (enkrypt, lambda c: c.get_dataset_task(task_id="a\r\nb"), "task id contains control"),
    (enkrypt, lambda c: c.get_redteam_task(""), "task id must be a non-empty"),
    (nimble, lambda c: c.list_tasks(PageRequest(limit=0)), "limit must be an integer >= 1"),
    (nimble, lambda c: c.list_tasks(PageRequest(cursor="")), "cursor must be a non-empty"),
    (nimble, lambda c: c.get_task(""), "task id must be a non-empty"),
    (nimble, lambda c: c.get_task("  "), "task id must be a non-empty"),
]


@pytest.mark.parametrize(("make", "call", "expected"), BAD_ARGS)
async def test_invalid_arguments_rejected_before_sending(make, call, expected):
    client, rec = make(answer(200, {}), key=None)  # validation comes even before the key check
    async with client:
        with pytest.raises(InvalidArgument) as info:
            await call(client)
    assert expected in str(info.value)
    assert info.value.exit_code == 2
    assert rec.requests == []


async def test_valid_statuses_are_accepted():
    client, rec = enkrypt(answer(200, REDTEAM_OK))
    async with client:
        for status in ("Queued", "Running", "Finished", "Failed"):
            await client.list_redteam(PageRequest(status=status, per_page=100))
    assert [r.url.params["status"] for r in rec.requests] == ["Queued", "Running", "Finished", "Failed"]


def test_reprs_never_show_the_key():
    for make in (enkrypt, nimble):
        client, _ = make(answer(200, {}))
        for obj in (client, client.http):
            assert KEY not in repr(obj) and KEY not in str(obj)
        assert KEY not in repr(client.http._client.headers)  # key is set per request only


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"url": "https://user:pw-SECRET@api.test"}, "must not carry credentials"),
        ({"timeout": 0}, "timeout must be > 0"),
        ({"timeout": None}, "timeout must be > 0"),
    ],
)
def test_constructor_rejects_bad_settings(kwargs, expected):
    with pytest.raises(InvalidArgument) as info:
        enkrypt(answer(200, {}), **kwargs)
    assert expected in str(info.value) and "pw-SECRET" not in str(info.value)


def render_with_locals(exc: BaseException) -> str:
    """The error as Textual's crash report shows it (rich traceback with every frame's locals),
    from the first frame below the test itself."""
    import io

    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(file=io.StringIO(), width=200, color_system=None)
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    console.print(Traceback.from_exception(type(exc), exc, tb, show_locals=True,
                                           locals_max_length=50, locals_max_string=500))
    return console.file.getvalue()


async def _hang(request):
    await asyncio.Event().wait()


CRASHES = [
    ("echoed 401", lambda: answer(401, {"error": f"bad key {KEY}"}), {}, "list_redteam"),
    ("refused", lambda: raising(_chain(httpx.ConnectError("x"), ConnectionRefusedError())), {},
     "list_redteam"),
    ("wrong shape", lambda: answer(200, {"tasks": [{"task_id": 1}]}), {}, "list_redteam"),
    ("html 502", lambda: answer(502, text="<html/>"), {}, "list_datasets"),
    ("hang", lambda: _hang, {"timeout": 0.1}, "list_redteam"),
    ("insecure", lambda: answer(200, {}), {"url": "http://example.com"}, "list_redteam"),
    ("bad arg", lambda: answer(200, {}), {}, "get_redteam_task"),
]


@pytest.mark.parametrize(("name", "respond", "kwargs", "method"), CRASHES, ids=[c[0] for c in CRASHES])
async def test_crash_reports_with_locals_never_show_the_key(name, respond, kwargs, method):
    client, _ = enkrypt(respond(), **kwargs)
    async with client:
        with pytest.raises(ProviderError) as info:
            if method == "get_redteam_task":
                await client.get_redteam_task("")
            else:
                await getattr(client, method)()
    rendered = render_with_locals(info.value)
    assert "self" in rendered  # frame locals were rendered
    assert KEY not in rendered and KEY[-12:] not in rendered


def test_constructor_errors_with_locals_never_show_the_key():
    for cls in (EnkryptClient, NimbleClient):
        with pytest.raises(InvalidArgument) as info:
            cls("https://api.test", KEY, 0)
        rendered = render_with_locals(info.value)
        assert "api_key" not in rendered or "Secret" in rendered
        assert KEY not in rendered and KEY[-12:] not in rendered


def test_secret_never_shows_itself():
    from tui.providers.http import Secret

    s = Secret(KEY)
    assert KEY not in repr(s) and KEY not in str(s) and KEY not in f"{s}"
    assert s.reveal() == KEY and bool(s) and not Secret("  ") and Secret(s).reveal() == KEY


# ------------------------------------------------------------------- echoed keys, odd counts


ODD_KEY = 'sk-a/b"c\\d-7f3c9a1e5b2d'


@pytest.mark.parametrize(
    "echo",
    [
        ODD_KEY,
        json.dumps(ODD_KEY)[1:-1],
        json.dumps(ODD_KEY)[1:-1].replace("/", "\\/"),
        "".join(f"\\u{ord(c):04x}" for c in ODD_KEY),
    ],
    ids=["raw", "json-escaped", "json-escaped-slash", "unicode-escaped"],
)
async def test_a_key_echoed_in_a_200_body_is_masked_before_decoding(echo):
    text = (
        '{"data": [{"id": "n1", "state": "pending", "note": "owner ECHO"}],'
        ' "pagination": {"has_next": true, "next_cursor": "ECHO", "total": 1}}'
    ).replace("ECHO", echo)
    client, _ = nimble(answer(200, text=text), key=ODD_KEY)
    async with client:
        page = await client.list_tasks()
    assert page.paging.next_cursor == "***"
    assert page.rows[0].extra == {"note": "owner ***"}
    assert ODD_KEY not in repr(page) and echo not in repr(page)


async def test_a_key_too_short_to_be_real_is_not_masked_in_bodies():
    client, _ = enkrypt(answer(200, {"tasks": [{"task_id": "abc-1", "test_name": "abcde"}]}),
                        key="abcde")
    async with client:
        page = await client.list_redteam()
    assert page.rows[0].test_name == "abcde"


@pytest.mark.parametrize(
    ("pagination", "rows", "total_count", "total_pages"),
    [
        ({"total_count": -5, "total_pages": 1}, 2, None, 1),
        ({"total_count": 1, "total_pages": 1}, 2, None, 1),  # fewer than the rows sent
        ({"page": 3, "per_page": 2, "total_count": 5}, 2, None, None),  # 4 rows before page 3
        ({"page": 3, "per_page": 2, "total_count": 6}, 2, 6, 3),
        ({"total_count": 7, "total_pages": -1}, 2, 7, 1),
        ({"total_count": 0}, 0, 0, 0),
    ],
)
async def test_impossible_enkrypt_counts_are_unknown(pagination, rows, total_count, total_pages):
    body = {"tasks": [{"task_id": f"t{i}"} for i in range(rows)], "pagination": pagination}
    client, _ = enkrypt(answer(200, body))
    async with client:
        page = await client.list_redteam(PageRequest(per_page=10))
    assert (page.paging.total_count, page.paging.total_pages) == (total_count, total_pages)


@pytest.mark.parametrize(("total", "expected"), [(-5, None), (1, None), (2, 2), (2.0, 2)])
async def test_impossible_nimble_totals_are_unknown(total, expected):
    body = {"data": [{"id": "a", "state": "pending"}, {"id": "b", "state": "error"}],
            "pagination": {"has_next": False, "next_cursor": None, "total": total}}
    client, _ = nimble(answer(200, body))
    async with client:
        page = await client.list_tasks()
    assert page.paging.total == expected
