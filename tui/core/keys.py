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
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.core.keyring_gate import (  # noqa: F401 - keys is where callers find them
    DEFAULT_TIMEOUT,
    NO_BUS,
    TIMEOUT_ENV,
    FailureKind,
    KeyringUnavailable,
    call_keyring,
    keyring_timeout,
)

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
#: Keys shorter than this are never shown, not even their last 4 characters.
MIN_MASKABLE = 12

KeySource = Literal["env", "keyring", "session", "demo", "none"]



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
