"""The retry policy inside one request (tui/providers/retry.py), against the simulator's faults.

Requests are counted at the simulator; waits are made tiny through the policy so the tests stay fast.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tui.providers.base import (
    AuthError,
    BadRequest,
    NotFound,
    PageRequest,
    PaymentRequired,
    ProtocolError,
    RateLimited,
    ServerError,
    TransportError,
)
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient
from tui.providers.retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy, rate_limit_reset
from tui.sim.server import Fault

LIST = "/redteam/list-tasks"
#: Tiny waits: the behaviour of the default policy at a hundredth of the time.
FAST = RetryPolicy(attempts=3, budget=2.0, wait_initial=0.01, wait_max=0.02, wait_jitter=0.005,
                   max_retry_after=0.5)


def enkrypt(sim, policy: RetryPolicy | None = FAST, timeout: float = 10.0) -> EnkryptClient:
    client = EnkryptClient(sim.url, sim.enkrypt_key, timeout)
    client.http.retry = policy
    return client


async def list_once(sim, **kw):
    async with enkrypt(sim, **kw) as client:
        return await client.list_redteam(PageRequest(per_page=5))


def requests(sim, path: str = LIST) -> int:
    return sim.counts().get(path, 0)


# ------------------------------------------------------------------------------------ 429


async def test_429_with_short_retry_after_waits_it_and_succeeds(sim):
    sim.set_fault(Fault("status", path_prefix=LIST, status=429, retry_after="0.05", times=1))
    page = await list_once(sim)
    assert len(page.rows) == 5 and requests(sim) == 2


async def test_429_with_long_retry_after_is_raised_at_once_for_the_app_to_schedule(sim):
    sim.set_fault(Fault("status", path_prefix=LIST, status=429, retry_after="12", times=1))
    with pytest.raises(RateLimited) as info:
        await list_once(sim)
    assert info.value.retry_after == 12.0
    assert requests(sim) == 1


async def test_429_retry_after_longer_than_the_remaining_budget_is_not_waited_for(sim):
    policy = RetryPolicy(attempts=3, budget=0.2, wait_initial=0.01, wait_max=0.01,
                         wait_jitter=0.0, max_retry_after=5.0)
    sim.set_fault(Fault("status", path_prefix=LIST, status=429, retry_after="1", times=1))
    with pytest.raises(RateLimited):
        await list_once(sim, policy=policy)
    assert requests(sim) == 1


async def test_429_without_retry_after_backs_off_and_succeeds(sim):
    sim.set_fault(Fault("status", path_prefix=LIST, status=429, times=1))
    page = await list_once(sim)
    assert page.rows and requests(sim) == 2


async def test_persistent_429_gives_up_after_the_attempts(sim):
    sim.set_fault(Fault("status", path_prefix=LIST, status=429))
    with pytest.raises(RateLimited) as info:
        await list_once(sim)
    assert info.value.retry_after is None
    assert requests(sim) == FAST.attempts


# ----------------------------------------------------------------------------- 5xx, network


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_twice_then_success(sim, status):
    sim.set_fault(Fault("status", path_prefix=LIST, status=status, times=2))
    page = await list_once(sim)
    assert page.rows and requests(sim) == 3


async def test_html_502_is_retried(sim):
    sim.set_fault(Fault("html", path_prefix=LIST, times=1))
    assert (await list_once(sim)).rows and requests(sim) == 2


async def test_persistent_500_raises_the_server_error_after_the_attempts(sim):
    sim.set_fault(Fault("status", path_prefix=LIST, status=500))
    with pytest.raises(ServerError) as info:
        await list_once(sim)
    assert str(info.value).startswith("server error 500")
    assert requests(sim) == 3


async def test_timeout_is_retried(sim):
    sim.set_fault(Fault("hang", path_prefix=LIST, seconds=30, times=1))
    page = await list_once(sim, timeout=0.3)
    assert page.rows and requests(sim) == 2


async def test_dropped_connection_is_retried(sim):
    sim.set_fault(Fault("drop", path_prefix=LIST, times=2))
    assert (await list_once(sim)).rows and requests(sim) == 3


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts what it was asked to send (a closed port has no counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def handle_async_request(self, request):
        self.sent += 1
        return await super().handle_async_request(request)


async def test_refused_connection_is_retried_then_reported():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens: connections are refused
    transport = CountingTransport()
    client = NimbleClient(f"http://127.0.0.1:{port}", "k-123456", transport=transport)
    client.http.retry = FAST
    async with client:
        with pytest.raises(TransportError) as info:
            await client.list_tasks()
    assert str(info.value) == f"connection refused: 127.0.0.1:{port}"
    assert transport.sent == FAST.attempts


async def test_budget_stops_retrying_before_the_attempts_run_out(sim):
    policy = RetryPolicy(attempts=1000, budget=0.3, wait_initial=0.05, wait_max=0.05,
                         wait_jitter=0.0)
    sim.set_fault(Fault("status", path_prefix=LIST, status=503))
    with pytest.raises(ServerError):
        await list_once(sim, policy=policy)
    assert 2 <= requests(sim) <= 10  # ~0.3 s / 0.05 s; far from 1000


async def test_no_retry_policy_and_none_send_once(sim):
    for policy in (NO_RETRY, None):
        sim.reset_counts()
        sim.set_fault(Fault("status", path_prefix=LIST, status=500, times=1))
        with pytest.raises(ServerError):
            await list_once(sim, policy=policy)
        assert requests(sim) == 1
        sim.clear_faults()


# ------------------------------------------------------------------------ never retried


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequest), (401, AuthError), (402, PaymentRequired), (403, AuthError),
     (404, NotFound), (422, BadRequest)],
)
async def test_client_errors_are_not_retried(sim, status, cls):
    sim.set_fault(Fault("status", path_prefix=LIST, status=status))
    with pytest.raises(cls):
        await list_once(sim)
    assert requests(sim) == 1


@pytest.mark.parametrize("kind", ["truncated", "wrong_type", "huge"])
async def test_protocol_errors_are_not_retried(sim, kind):
    sim.set_fault(Fault(kind, path_prefix=LIST))
    with pytest.raises(ProtocolError):
        await list_once(sim)
    assert requests(sim) == 1


async def test_a_cancelled_fetch_stops_waiting_at_once(sim):
    """The app's exclusive worker cancels superseded fetches: a retry wait must not outlive it."""
    slow = RetryPolicy(attempts=3, budget=60, wait_initial=30, wait_max=30, wait_jitter=0)
    sim.set_fault(Fault("status", path_prefix=LIST, status=500))
    async with enkrypt(sim, policy=slow) as client:
        task = asyncio.ensure_future(client.list_redteam())
        while requests(sim) < 1:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # now in the 30 s backoff
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
    assert requests(sim) == 1


# ------------------------------------------------------------------------ rate-limit headers


def answer_429(headers):
    def respond(request):
        return httpx.Response(429, json={"msg": "slow down"}, headers=headers)

    return respond


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"RateLimit-Reset": "7"}, 7.0),
        ({"X-RateLimit-Reset": "9"}, 9.0),
        ({"X-RateLimit-Reset": "99999"}, 60.0),  # capped like Retry-After
        ({"Retry-After": "3", "RateLimit-Reset": "50"}, 3.0),  # Retry-After wins
        ({"X-RateLimit-Reset": "soon"}, None),
        ({}, None),
    ],
)
async def test_rate_limit_headers_give_the_wait(headers, expected):
    client = NimbleClient("https://api.test", "k-123456",
                          transport=httpx.MockTransport(answer_429(headers)))
    client.http.retry = NO_RETRY
    async with client:
        with pytest.raises(RateLimited) as info:
            await client.list_tasks()
    assert info.value.retry_after == expected


def test_rate_limit_reset_reads_unix_times():
    now = 1_700_000_000.0
    assert rate_limit_reset({"x-ratelimit-reset": str(now + 42)}, now=now) == 42.0
    assert rate_limit_reset({"x-ratelimit-reset": str(now - 5)}, now=now) == 0.0
    assert rate_limit_reset({"ratelimit-reset": "-1", "x-ratelimit-reset": "4"}, now=now) == 4.0
    assert rate_limit_reset({"ratelimit-reset": "nan"}, now=now) is None


async def test_429_with_a_short_rate_limit_reset_is_waited_for(sim):
    calls = []

    def respond(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return httpx.Response(429, json={"msg": "slow"}, headers={"RateLimit-Reset": "0.1"})
        return httpx.Response(200, json={"data": [], "pagination": {
            "has_next": False, "next_cursor": None, "total": 0}})

    client = NimbleClient("https://api.test", "k-123456", transport=httpx.MockTransport(respond))
    client.http.retry = FAST
    async with client:
        page = await client.list_tasks()
    assert page.rows == [] and len(calls) == 2
    assert calls[1] - calls[0] >= 0.1  # the server's wait was honoured, not the tiny backoff


# ------------------------------------------------------------------------------ defaults, cost


def test_default_policy_retries_only_briefly():
    """Long waits belong to the app's timer, not inside one fetch (the UI would look frozen)."""
    assert 2 <= DEFAULT_RETRY.attempts <= 3
    assert DEFAULT_RETRY.budget <= 5
    assert DEFAULT_RETRY.max_retry_after <= 2
    assert DEFAULT_RETRY.wait_jitter > 0  # clients in step would otherwise retry in step


def test_cli_list_recovers_from_one_server_error(sim, clean_env, tmp_path, capsys):
    from tui.commands.main import main

    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    clean_env.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    clean_env.setenv("TASKTOP_ENKRYPT_URL", sim.url)
    clean_env.setenv("TASKTOP_ENKRYPT_API_KEY", sim.enkrypt_key)
    sim.set_fault(Fault("status", path_prefix=LIST, status=503, times=1))
    assert main(["list", "redteam"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") > 5
    assert requests(sim) == 2


def test_stamina_is_imported_only_after_a_failure(sim):
    code = f"""
import asyncio, sys
from tui.providers.enkrypt import EnkryptClient
from tui.providers.retry import RetryPolicy
from tui.sim.server import Fault, start_simulator

async def main():
    async with EnkryptClient({sim.url!r}, {sim.enkrypt_key!r}) as c:
        c.http.retry = RetryPolicy(wait_initial=0.01, wait_max=0.01, wait_jitter=0)
        await c.list_redteam()
        print("stamina" in sys.modules)
        import urllib.request
        req = urllib.request.Request({sim.url!r} + "/_sim/faults", method="POST",
            data=b'{{"kind": "status", "status": 500, "times": 1}}')
        urllib.request.urlopen(req).read()
        await c.list_redteam()
        print("stamina" in sys.modules)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert out.stderr == ""  # stamina's retry logging is off: nothing may reach a TUI's stderr


async def test_retries_are_logged_under_tasktop_never_to_stderr(sim, caplog):
    import logging

    sim.set_fault(Fault("status", path_prefix=LIST, status=502, times=2))
    with caplog.at_level(logging.INFO, logger="tasktop.retry"):
        await list_once(sim)
    lines = [r.getMessage() for r in caplog.records if r.name == "tasktop.retry"]
    assert len(lines) == 2
    assert lines[0].startswith("retry 1 in ") and "after: server error 502" in lines[0]
