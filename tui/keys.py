"""Where an API key comes from: env var first, then (issue C) the OS keyring, else none.

Pure Python, no Textual. Callers on a UI thread must run `resolve_key` in a worker: keyring backends
can block. A `KeyInfo` never shows its value in repr/str; only `masked()` (last 4 characters).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

#: Keyring providers: one Enkrypt key serves Datasets and Red team.
PROVIDERS: tuple[str, ...] = ("enkrypt", "nimble")
ENV_VARS: dict[str, str] = {
    "enkrypt": "TASKTOP_ENKRYPT_API_KEY",
    "nimble": "TASKTOP_NIMBLE_API_KEY",
}

KeySource = Literal["env", "keyring", "session", "demo", "none"]


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A key and where it was found. The value is excluded from repr and comparison output."""

    provider: str
    source: KeySource
    value: str | None = field(default=None, repr=False)

    @property
    def present(self) -> bool:
        return bool(self.value)

    def masked(self) -> str:
        """'key: env …f3a9' style label; never more than the last 4 characters."""
        if not self.value:
            return "no key"
        tail = self.value[-4:] if len(self.value) >= 12 else ""
        return f"key: {self.source} …{tail}" if tail else f"key: {self.source}"

    def __str__(self) -> str:
        return self.masked()


def env_key(provider: str, env: Mapping[str, str] | None = None) -> KeyInfo | None:
    """The key from the provider's env var, if set and non-empty."""
    env = os.environ if env is None else env
    value = env.get(ENV_VARS[provider], "").strip()
    return KeyInfo(provider, "env", value) if value else None


def resolve_key(
    provider: str, profile: str = "default", env: Mapping[str, str] | None = None
) -> KeyInfo:
    """Lookup order: env var → keyring (issue C) → none. May block: call off the UI thread."""
    return env_key(provider, env) or KeyInfo(provider, "none")
