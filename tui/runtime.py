"""What the app runs against: URLs, keys, clock, and (with --demo) the embedded simulator.

Built by the CLI before the app starts, so the app itself never reads the environment or the
config file and tests can hand it any runtime they like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.keys import KeyInfo
from tui.providers.sources import DatasetsSource, NimbleSource, RedteamSource, TaskSource

#: Tab order; the provider whose key each tab needs.
TABS: tuple[tuple[str, str], ...] = (
    ("datasets", "enkrypt"),
    ("redteam", "enkrypt"),
    ("nimble", "nimble"),
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    enkrypt_url: str
    nimble_url: str
    keys: dict[str, KeyInfo]
    refresh_seconds: float = 5.0
    profile: str = "default"
    per_page: int = 10
    now: Callable[[], datetime] = utc_now
    timeout: float = 10.0
    #: The embedded simulator when running with --demo (stopped by `close`).
    simulator: Any = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _retired: list[Any] = field(default_factory=list, repr=False)

    def client(self, provider: str) -> Any:
        """The one httpx-backed client for a provider (created on first use)."""
        if provider not in self._clients:
            key = self.keys[provider].value
            if provider == "enkrypt":
                from tui.providers.enkrypt import EnkryptClient

                self._clients[provider] = EnkryptClient(self.enkrypt_url, key, timeout=self.timeout)
            else:
                from tui.providers.nimble import NimbleClient

                self._clients[provider] = NimbleClient(self.nimble_url, key, timeout=self.timeout)
        return self._clients[provider]

    def source(self, tab_id: str) -> TaskSource | None:
        """A fresh source for a tab, or None when its provider has no key."""
        provider = dict(TABS)[tab_id]
        if not self.keys[provider].present:
            return None
        client = self.client(provider)
        kinds = {"datasets": DatasetsSource, "redteam": RedteamSource, "nimble": NimbleSource}
        return kinds[tab_id](client)

    def set_key(self, key: KeyInfo) -> None:
        """Use a new key for a provider: its client is rebuilt on next use."""
        self.keys[key.provider] = key
        old = self._clients.pop(key.provider, None)
        if old is not None:
            self._retired.append(old)

    async def aclose(self) -> None:
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
