"""The one gate to the OS keyring: every call runs on a daemon thread with a timeout (a locked
Secret Service can block forever) and every failure becomes `KeyringUnavailable`, one line that
says what to do instead. `keyring` is imported, and its backend discovery run, on first use."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

DEFAULT_TIMEOUT = 3.0
TIMEOUT_ENV = "TASKTOP_KEYRING_TIMEOUT"
NO_BUS = "no D-Bus session bus"
FailureKind = Literal["no-backend", "no-dbus", "locked", "timeout", "error"]

#: What to do without a keyring (the built-ins' env vars: a tab package's are in its docs).
_ADVICE = (
    "Set TASKTOP_ENKRYPT_API_KEY / TASKTOP_NIMBLE_API_KEY, or run a Secret Service "
    "(gnome-keyring, KeePassXC) / macOS Keychain / Windows Credential Locker."
)


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used. `kind` says why; str() is one line with what to do instead."""

    def __init__(self, reason: str, kind: FailureKind = "error") -> None:
        self.reason = " ".join(reason.split())
        self.kind: FailureKind = kind
        super().__init__(f"no usable keyring ({self.reason}). {_ADVICE}")



T = TypeVar("T")


def keyring_timeout() -> float:
    """DEFAULT_TIMEOUT, or TASKTOP_KEYRING_TIMEOUT when it is a positive number."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def call_keyring(
    op: Callable[[Any], T], *, timeout: float | None = None, secret: str | None = None
) -> T:
    """Run `op(backend)` on a daemon thread; return its result or raise KeyringUnavailable.

    The thread is a daemon so a call hung on a locked Secret Service never blocks exit (a
    ThreadPoolExecutor would: its threads are joined at interpreter shutdown). A timed-out call
    leaves that one thread parked. `secret` is scrubbed from any error text. The raised exception
    has no __cause__/__context__, and no frame on its way holds the secret, so neither a traceback
    nor a crash report that renders locals (Textual's does) can show the key.
    """
    timeout = keyring_timeout() if timeout is None else timeout
    call = _Call(op, secret)
    del op, secret
    threading.Thread(target=call.run, name="tasktop-keyring", daemon=True).start()
    if not call.done.wait(timeout):
        failure: tuple[FailureKind, str] = (
            "timeout",
            f"keyring did not answer within {timeout:g} s; a locked Secret Service may be "
            "waiting for an unlock prompt",
        )
    elif call.failure is not None:
        failure = call.failure
    else:
        return call.result
    raise KeyringUnavailable(failure[1], failure[0])


class _Call:
    """One keyring call handed to a daemon thread; drops op and secret once it has run."""

    __slots__ = ("op", "secret", "done", "result", "failure")

    def __init__(self, op: Callable[[Any], Any] | None, secret: str | None) -> None:
        self.op, self.secret = op, secret
        self.done = threading.Event()
        self.result: Any = None
        self.failure: tuple[FailureKind, str] | None = None

    def __repr__(self) -> str:
        return "<keyring call>"

    def run(self) -> None:
        try:
            assert self.op is not None
            self.result = self.op(_backend())
        except BaseException as exc:  # noqa: BLE001 - everything becomes KeyringUnavailable
            self.failure = _classify(exc, self.secret)
        finally:
            self.op = self.secret = None
            self.done.set()


def _backend() -> Any:
    """keyring's chosen backend (lazy import + discovery); fail.Keyring raises NoKeyringError."""
    import keyring
    from keyring.backends import fail
    from keyring.errors import NoKeyringError

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise NoKeyringError("no recommended keyring backend is available")
    return backend


def _classify(exc: BaseException, secret: str | None = None) -> tuple[FailureKind, str]:
    """Map an exception from keyring/secretstorage/jeepney to (kind, one-line reason).

    The secret is scrubbed before truncation, so no prefix of it can survive.
    """
    name = type(exc).__name__
    text = str(exc)
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(text.split())[:160]
    detail = f"{name}: {text}" if text else name
    module = type(exc).__module__ or ""
    bus = _session_bus_problem()
    try:
        from keyring.errors import KeyringLocked, NoKeyringError
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        return "error", detail
    if isinstance(exc, NoKeyringError):
        return ("no-dbus", f"{bus}; {detail}") if bus else ("no-backend", detail)
    if isinstance(exc, KeyringLocked) or "Dismissed" in name or "Denied" in name:
        return "locked", f"keyring is locked or access was denied; {detail}"
    dbusish = module.startswith(("jeepney", "secretstorage")) or "D-Bus" in text or "DBUS" in text
    if dbusish or isinstance(exc, ConnectionError):
        return "no-dbus", f"{bus or 'D-Bus session bus unreachable'}; {detail}"
    return "error", detail


def _session_bus_problem() -> str | None:
    """On Linux, why there is no D-Bus session bus (address unset, or socket gone), else None."""
    if not sys.platform.startswith("linux"):
        return None
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        return f"{NO_BUS}: DBUS_SESSION_BUS_ADDRESS is unset, e.g. over SSH"
    paths = [part[len("unix:path="):].split(",")[0] for part in address.split(";")
             if part.startswith("unix:path=")]
    if paths and not any(os.path.exists(path) for path in paths):
        return f"{NO_BUS}: its socket {paths[0]} is gone"
    return None
