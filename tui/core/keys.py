"""Where an API key comes from: env var, session store, OS keyring, else none.

Pure Python, no Textual. Lookup order (first hit wins):

1. env var (TASKTOP_ENKRYPT_API_KEY / TASKTOP_NIMBLE_API_KEY): an explicit operator override,
   always wins;
2. session key (`remember_session_key`): typed into the key dialog for this process only, e.g.
   because the keyring is unusable; it wins over the keyring so that what the user just typed is
   what is used;
3. OS keyring (service "tasktop", username "<profile>:<provider>");
4. none.

Every keyring call goes through `call_keyring`, which runs it on a daemon thread with a timeout (a
locked Secret Service can block forever) and turns every failure into `KeyringUnavailable`.
`keyring` is imported, and its ~155 ms backend discovery run, only when a lookup reaches step 3.
Async wrappers (`resolve_key_async`, `store_key_async`, `delete_key_async`) let the Textual app
await all this without blocking its event loop. A `KeyInfo` never shows its value in repr/str; labels show at most the last 4 characters.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

#: The built-in keyring providers: one Enkrypt key serves Datasets and Red team.
PROVIDERS: tuple[str, ...] = ("enkrypt", "nimble")
#: Provider → the env var of its key; a tab package's provider joins through `register_provider`.
ENV_VARS: dict[str, str] = {
    "enkrypt": "TASKTOP_ENKRYPT_API_KEY",
    "nimble": "TASKTOP_NIMBLE_API_KEY",
}
#: Keyring service name; the username is "<profile>:<provider>".
SERVICE = "tasktop"
DEFAULT_PROFILE = "default"
#: Seconds one keyring call may take; TASKTOP_KEYRING_TIMEOUT overrides it.
DEFAULT_TIMEOUT = 3.0
TIMEOUT_ENV = "TASKTOP_KEYRING_TIMEOUT"
#: Keys shorter than this are never shown, not even their last 4 characters.
MIN_MASKABLE = 12

KeySource = Literal["env", "keyring", "session", "demo", "none"]
NO_BUS = "no D-Bus session bus"
FailureKind = Literal["no-backend", "no-dbus", "locked", "timeout", "error"]

_ADVICE = (
    f"Set {ENV_VARS['enkrypt']} / {ENV_VARS['nimble']}, or run a Secret Service "
    "(gnome-keyring, KeePassXC) / macOS Keychain / Windows Credential Locker."
)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A key and where it was found. The value is excluded from repr and str.

    `problem` (never secret) says why no key was found when the keyring failed.
    """

    provider: str
    source: KeySource
    value: str | None = field(default=None, repr=False)
    problem: str | None = None

    @property
    def present(self) -> bool:
        return bool(self.value)

    def tail(self) -> str:
        """'…f3a9' for keys of 12+ characters, '' otherwise (short keys reveal nothing)."""
        if not self.value or len(self.value) < MIN_MASKABLE:
            return ""
        return f"…{self.value[-4:]}"

    def label(self) -> str:
        """'env (…f3a9)', 'keyring', or 'no key' — for status lines."""
        if not self.value:
            return "no key"
        tail = self.tail()
        return f"{self.source} ({tail})" if tail else self.source

    def masked(self) -> str:
        """'key: env …f3a9' style label; never more than the last 4 characters."""
        if not self.value:
            return "no key"
        tail = self.tail()
        return f"key: {self.source} {tail}" if tail else f"key: {self.source}"

    def __str__(self) -> str:
        return self.masked()


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used. `kind` says why; str() is one line with what to do instead."""

    def __init__(self, reason: str, kind: FailureKind = "error") -> None:
        self.reason = " ".join(reason.split())
        self.kind: FailureKind = kind
        super().__init__(f"no usable keyring ({self.reason}). {_ADVICE}")


def register_provider(provider: str, env_var: str) -> None:
    """Know a tab package's provider (tui.tabs.registry): its key lives in `env_var`, or in the
    keyring as "<profile>:<provider>", like the built-ins'. A built-in's env var never changes."""
    ENV_VARS.setdefault(provider, env_var)


def check_provider(provider: str) -> str:
    if provider not in ENV_VARS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {', '.join(ENV_VARS)}")
    return provider


def keyring_username(provider: str, profile: str | None = None) -> str:
    """The keyring username for a provider in a profile: '<profile>:<provider>'."""
    return f"{profile or DEFAULT_PROFILE}:{check_provider(provider)}"


# --- env ------------------------------------------------------------------------------------------


def env_key(provider: str, env: Mapping[str, str] | None = None) -> KeyInfo | None:
    """The key from the provider's env var, if set and non-empty."""
    env = os.environ if env is None else env
    value = env.get(ENV_VARS[check_provider(provider)], "").strip()
    return KeyInfo(provider, "env", value) if value else None


# --- session store (in memory, this process only) -------------------------------------------------

_session: dict[tuple[str, str], str] = {}
_session_lock = threading.Lock()


def remember_session_key(provider: str, profile: str | None, value: str) -> KeyInfo:
    """Keep a key for this process only (never written anywhere). Empty value forgets it."""
    key = (profile or DEFAULT_PROFILE, check_provider(provider))
    value = value.strip()
    with _session_lock:
        if value:
            _session[key] = value
        else:
            _session.pop(key, None)
    return KeyInfo(provider, "session", value) if value else KeyInfo(provider, "none")


def forget_session_key(provider: str, profile: str | None = None) -> bool:
    """Drop the session key; True if there was one."""
    with _session_lock:
        found = _session.pop((profile or DEFAULT_PROFILE, check_provider(provider)), None)
    return found is not None


def session_key(provider: str, profile: str | None = None) -> KeyInfo | None:
    with _session_lock:
        value = _session.get((profile or DEFAULT_PROFILE, check_provider(provider)))
    return KeyInfo(provider, "session", value) if value else None


# --- the one gate to the keyring ------------------------------------------------------------------

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


# --- key operations -------------------------------------------------------------------------------


def keyring_key(
    provider: str, profile: str | None = None, *, timeout: float | None = None
) -> KeyInfo | None:
    """The key stored in the keyring, or None. Raises KeyringUnavailable."""
    user = keyring_username(provider, profile)
    value = call_keyring(lambda kr: kr.get_password(SERVICE, user), timeout=timeout)
    value = (value or "").strip()
    return KeyInfo(provider, "keyring", value) if value else None


def store_key(
    provider: str, value: str, profile: str | None = None, *, timeout: float | None = None
) -> KeyInfo:
    """Save a key in the keyring (replacing any). Raises ValueError (empty) or KeyringUnavailable.

    On success the session key for the same provider/profile is forgotten: the stored key is used.
    """
    user = keyring_username(provider, profile)
    value = value.strip()
    if not value:
        raise ValueError("empty key")
    try:
        call_keyring(
            lambda kr: kr.set_password(SERVICE, user, value), timeout=timeout, secret=value
        )
    except KeyringUnavailable as exc:
        failure = KeyringUnavailable(exc.reason, exc.kind)  # fresh: no frame that held the key
    else:
        forget_session_key(provider, profile)
        return KeyInfo(provider, "keyring", value)
    del value  # crash reports may render this frame's locals
    raise failure


def delete_key(provider: str, profile: str | None = None, *, timeout: float | None = None) -> bool:
    """Remove the keyring entry (and the session key). False if the keyring held none.

    Raises KeyringUnavailable.
    """
    user = keyring_username(provider, profile)
    forget_session_key(provider, profile)

    def delete(kr: Any) -> bool:
        from keyring.errors import PasswordDeleteError

        if kr.get_password(SERVICE, user) is None:
            return False
        try:
            kr.delete_password(SERVICE, user)
        except PasswordDeleteError:
            return False
        return True

    return call_keyring(delete, timeout=timeout)


def resolve_key(
    provider: str,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
    strict: bool = False,
) -> KeyInfo:
    """Lookup order: env var → session key → keyring → none. Blocks up to `timeout` on the keyring.

    A keyring failure gives KeyInfo(source="none", problem=<one-line reason>), or raises
    KeyringUnavailable when strict=True. Only the keyring step imports `keyring`.
    """
    found = env_key(provider, env) or session_key(provider, profile)
    if found:
        return found
    try:
        return keyring_key(provider, profile, timeout=timeout) or KeyInfo(provider, "none")
    except KeyringUnavailable as exc:
        if strict:
            raise KeyringUnavailable(exc.reason, exc.kind) from None
        return KeyInfo(provider, "none", problem=str(exc))


async def resolve_key_async(
    provider: str,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
    strict: bool = False,
) -> KeyInfo:
    """`resolve_key` for the event loop: env/session answer inline, the keyring off-loop."""
    import asyncio  # lazily: the CLI path never needs an event loop

    found = env_key(provider, env) or session_key(provider, profile)
    if found:
        return found
    return await asyncio.to_thread(
        resolve_key, provider, profile, env, timeout=timeout, strict=strict
    )


async def store_key_async(
    provider: str, value: str, profile: str | None = None, *, timeout: float | None = None
) -> KeyInfo:
    """`store_key` off the event loop (the loop's executor thread waits at most `timeout`)."""
    import asyncio  # lazily: the CLI path never needs an event loop

    try:
        return await asyncio.to_thread(store_key, provider, value, profile, timeout=timeout)
    except KeyringUnavailable as exc:
        failure = KeyringUnavailable(exc.reason, exc.kind)  # to_thread's frames hold the key
    del value
    raise failure


async def delete_key_async(
    provider: str, profile: str | None = None, *, timeout: float | None = None
) -> bool:
    import asyncio  # lazily: the CLI path never needs an event loop

    return await asyncio.to_thread(delete_key, provider, profile, timeout=timeout)


# --- reports --------------------------------------------------------------------------------------


def backend_description(*, timeout: float | None = None) -> str:
    """'SecretService Keyring (priority 5)', 'none (fail.Keyring)', or 'unavailable (<why>)'."""

    def describe(kr: Any) -> str:
        parts = [kr, *getattr(kr, "backends", ())]  # a chainer lists the backends it chains
        names = [f"{type(b).name} (priority {type(b).priority:g})" for b in parts[1:]]
        head = f"{type(kr).name} (priority {type(kr).priority:g})"
        return f"{head}: {', '.join(names)}" if names else head

    try:
        return call_keyring(describe, timeout=timeout)
    except KeyringUnavailable as exc:
        if exc.kind == "no-backend":
            return "none (fail.Keyring)"
        if exc.kind == "no-dbus" and exc.reason.startswith(NO_BUS):
            return f"none (fail.Keyring; {exc.reason.split('; ')[0]})"
        return f"unavailable ({exc.reason})"


def where_is_my_key(
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
) -> list[tuple[str, KeyInfo | KeyringUnavailable]]:
    """Per provider: where its key is (KeyInfo; source 'none' if nowhere) or why the keyring failed.

    After one keyring failure the others reuse it instead of waiting out another timeout.
    """
    report: list[tuple[str, KeyInfo | KeyringUnavailable]] = []
    failure: KeyringUnavailable | None = None
    for provider in PROVIDERS:
        found = env_key(provider, env) or session_key(provider, profile)
        if found is None and failure is None:
            try:
                found = keyring_key(provider, profile, timeout=timeout) or KeyInfo(provider, "none")
            except KeyringUnavailable as exc:
                failure = KeyringUnavailable(exc.reason, exc.kind)
        report.append((provider, found if found is not None else failure))  # type: ignore[arg-type]
    return report
