"""What the app runs against: URLs, keys, clock, and (with --demo) the embedded simulator.

Built by the CLI before the app starts, so the app itself never reads the environment or the
config file and tests can hand it any runtime they like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tui.core.keys import KeyInfo
from tui.core.page_fit import rows_that_fit
from tui.providers.base import PageRequest
from tui.providers.sources import (
    DatasetsSource,
    NimbleSource,
    RedteamSource,
    TaskSource,
)

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
    #: Rows per page the user asked for (--per-page); None: as many as the table shows.
    per_page: int | None = None
    #: The terminal's (columns, lines) when the CLI started, for sizing the prefetched page.
    terminal_size: tuple[int, int] | None = None
    now: Callable[[], datetime] = utc_now
    timeout: float = 10.0
    #: The embedded simulator when running with --demo (stopped by `close`).
    simulator: Any = None
    #: Where the config came from (None: defaults/env only) and the profiles it names.
    config_path: Path | None = None
    profiles: list[str] = field(default_factory=lambda: ["default"])
    #: On-call alerts: which transitions alert, and how.
    alert_on: Literal["failed", "terminal"] = "failed"
    bell: bool = True
    desktop_notify: bool = False
    #: Keep hidden tabs polling (slower) so alerts arrive for them too.
    watch_all: bool = False
    #: Seconds between background polls of hidden tabs with watch_all.
    watch_seconds: float = 30.0
    #: The config's `[keymap]`: binding id → keys (the app checks it against its bindings).
    keymap: dict[str, str] = field(default_factory=dict)
    #: The history file (tui.history); None: history off (--no-history, `history = false`).
    history_path: Path | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _retired: list[Any] = field(default_factory=list, repr=False)

    def client(self, provider: str) -> Any:
        """The one httpx-backed client for a provider (created on first use)."""
        if provider not in self._clients:
            self._clients[provider] = self.new_client(provider)
        return self._clients[provider]

    def new_client(self, provider: str) -> Any:
        """A client for the provider with its current URL and key (logged if --log is on)."""
        key = self.keys[provider].value
        if provider == "enkrypt":
            from tui.providers.enkrypt import EnkryptClient

            client: Any = EnkryptClient(self.enkrypt_url, key, timeout=self.timeout)
        else:
            from tui.providers.nimble import NimbleClient

            client = NimbleClient(self.nimble_url, key, timeout=self.timeout)
        from tui.process.logsetup import instrument, register_secret

        register_secret(key)
        instrument(client)
        return client

    def first_page_size(self, terminal: tuple[int, int] | None = None) -> int | None:
        """Rows of a tab's first page: the user's choice, else what fits the terminal (None when
        neither is known)."""
        if self.per_page is not None:
            return self.per_page
        size = terminal or self.terminal_size
        return rows_that_fit(*size) if size else None

    def prefetch(self, tab_id: str) -> None:
        """Send the tab's first list call now, from a thread (see tui.process.prefetch); its client takes
        the answer. Nothing happens without a key (keyring keys are found later, in the app) or
        without a page size."""
        provider = dict(TABS)[tab_id]
        per_page = self.first_page_size()
        if not self.keys[provider].present or per_page is None:
            return
        from tui.process.prefetch import LIST_CALLS, fetch_in_thread

        call, request = LIST_CALLS[tab_id], PageRequest.first(per_page)
        answer = fetch_in_thread(lambda: self.new_client(provider), call, request)
        # Built now, the app's client imports httpcore on this thread at once. Built later, with
        # the screen, the fetch thread had to import it while competing with Textual's import,
        # and its answer missed the first frame in 9 of 11 launches.
        self.client(provider).preload(call, request, answer)

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

    def switch_profile(self, name: str) -> None:
        """Use another config profile: its URLs and refresh, and its own keyring entries.

        Env keys still win; every other key is looked up again (by the app, off the UI thread).
        """
        from tui.core.config import load_config
        from tui.core.keys import PROVIDERS, env_key

        config = load_config(self.config_path, name)
        self.enkrypt_url, self.nimble_url = config.enkrypt_url, config.nimble_url
        self.refresh_seconds, self.profile = config.refresh, config.profile
        for provider in PROVIDERS:
            self.set_key(env_key(provider) or KeyInfo(provider, "none"))

    async def aclose(self) -> None:
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
