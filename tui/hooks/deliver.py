"""Run one hook once: a command (no shell, own process group, killed on timeout) or a webhook POST.

Each returns None on success, else a one-line reason ("exit 3: no such device", "timed out after
10 s", "HTTP 500", "cannot connect"). Nothing raises: a hook's failure is a notice, never a crash.

A command's environment is the caller's minus every variable that could carry a tasktop key
(`TASKTOP_*`, `ENKRYPT_*`, `NIMBLE_*`, and any variable whose value holds a known key), plus the
event's TASKTOP_* fields. Its stdout is discarded and its stderr kept only for the last line of a
failure (a hook must not write over a full-screen terminal).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping

from tui.core.hook_settings import HookSpec
from tui.core.safe_text import escape_controls
from tui.hooks.event import HookEvent, event_env, event_json

#: Variable-name prefixes a hook never inherits: tasktop's own (keys, config) and the vendors'.
STRIPPED_PREFIXES = ("TASKTOP_", "ENKRYPT_", "NIMBLE_")
#: Seconds to wait for a killed process group to be reaped.
REAP_SECONDS = 5.0
MAX_REASON = 200
USER_AGENT = "tasktop-hooks"


def child_env(
    event: HookEvent, secrets: Iterable[str] = (), base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a command hook for `event`."""
    secrets = tuple(s for s in secrets if s)
    base = os.environ if base is None else base
    env = {
        name: value
        for name, value in base.items()
        if not name.upper().startswith(STRIPPED_PREFIXES)
        and not any(secret in value for secret in secrets)
    }
    env.update(event_env(event, secrets))
    return env


def run_command(
    hook: HookSpec,
    event: HookEvent,
    secrets: Iterable[str] = (),
    *,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> str | None:
    """Run the hook's argv for `event`; None when it exits 0 within its timeout."""
    assert hook.command
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(
                list(hook.command),
                env=child_env(event, secrets),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                close_fds=True,
                start_new_session=True,  # its own process group, killed whole on timeout
            )
        except FileNotFoundError:
            return "command not found"
        except OSError as error:
            return f"cannot run: {error.strerror or error}"
        if started is not None:
            started(process)
        try:
            code = process.wait(timeout=hook.timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return f"timed out after {hook.timeout:g} s (killed)"
        if code == 0:
            return None
        return _with_tail(f"exit {code}" if code > 0 else f"killed by signal {-code}", stderr)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the hook's whole process group (it leads it: start_new_session) and reap it."""
    if process.returncode is not None:
        return  # reaped: its group id may no longer be its own
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=REAP_SECONDS)
    except subprocess.TimeoutExpired:
        pass


def _with_tail(reason: str, stderr) -> str:
    try:
        stderr.seek(0, os.SEEK_END)
        size = stderr.tell()
        stderr.seek(max(0, size - 4096))
        lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        lines = []
    if lines:
        reason = f"{reason}: {lines[-1].strip()}"
    return escape_controls(reason, single_line=True)[:MAX_REASON]


def post_webhook(hook: HookSpec, event: HookEvent, secrets: Iterable[str] = ()) -> str | None:
    """POST the event object as JSON; None on a 2xx answer. Redirects are not followed, the
    environment's proxies and .netrc are not used (they could add credentials)."""
    assert hook.webhook
    import httpx

    body = event_json(event, secrets).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    try:
        with httpx.Client(timeout=hook.timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(hook.webhook, content=body, headers=headers)
    except httpx.TimeoutException:
        return f"timed out after {hook.timeout:g} s"
    except httpx.ConnectError:
        return "cannot connect"
    except httpx.HTTPError as error:
        return f"request failed ({type(error).__name__})"
    if response.is_redirect:
        return f"HTTP {response.status_code} redirect, not followed"
    if response.status_code >= 300:
        return f"HTTP {response.status_code}"
    return None


def deliver(
    hook: HookSpec,
    event: HookEvent,
    secrets: Iterable[str] = (),
    *,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> str | None:
    """Run the hook, whichever kind it is; None on success, else a one-line reason."""
    try:
        if hook.command:
            return run_command(hook, event, secrets, started=started)
        return post_webhook(hook, event, secrets)
    except Exception as error:  # noqa: BLE001 - a hook must never take the monitor down
        return f"failed ({type(error).__name__})"
