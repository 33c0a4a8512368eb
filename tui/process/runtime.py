"""What the app runs against: URLs, keys, clock, and (with --demo) the embedded simulator.

Built by the CLI before the app starts, so the app itself never reads the environment or the
config file and tests can hand it any runtime they like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tui.core.keys import KeyInfo
from tui.core.page_fit import rows_that_fit
from tui.providers.base import PageRequest
from tui.tabs.registry import providers, spec

if TYPE_CHECKING:
    from tui.providers.sources import TaskSource


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
    #: Alert hooks (a tui.hooks.runner.HookRunner; None without `[[hooks]]`): the app feeds it the
    #: status changes of its pages and closes it on exit.
    hooks: Any = None
    #: URLs of the providers a tab package brings (name → URL); built-ins use the fields above.
    urls: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _retired: list[Any] = field(default_factory=list, repr=False)
    #: The start tab's first page on its way (`prefetch`), until its view takes it.
    early_pages: dict[str, Any] = field(default_factory=dict, repr=False)
    _helpers: list[Any] = field(default_factory=list, repr=False)
    _warmed: bool = field(default=False, repr=False)

    def client(self, provider: str) -> Any:
        """The one httpx-backed client for a provider (created on first use)."""
        if provider not in self._clients:
            self._clients[provider] = self.new_client(provider)
        return self._clients[provider]

    def key(self, provider: str) -> KeyInfo:
        """The provider's key as known now (none yet for one the CLI did not look up)."""
        return self.keys.get(provider) or KeyInfo(provider, "none")

    def url(self, provider: str) -> str:
        """The provider's URL: the config's for the built-ins, else `urls`, else its default."""
        builtin = {"enkrypt": self.enkrypt_url, "nimble": self.nimble_url}.get(provider)
        return builtin or self.urls.get(provider) or providers()[provider].default_url

    def new_client(self, provider: str) -> Any:
        """A client for the provider with its current URL and key (logged if --log is on)."""
        key = self.key(provider).value
        client = providers()[provider].client(self.url(provider), key, self.timeout)
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

    def prefetch(self, tab_id: str, forked: Any = None) -> None:
        """Have the tab's first page fetched beside the app (see tui.process.prefetch); the tab's
        view takes it with `take_early`. `forked`: an EarlyPage whose helper process the CLI
        forked before this runtime existed; without one a thread fetches. Nothing is fetched
        without a key (keyring keys are found later, in the app) or without a page size."""
        request = self.first_request(tab_id)
        if request is None:
            if forked is not None:
                forked.close()
            return
        from tui.process import prefetch

        if forked is not None:
            forked.request = request
            early = forked
        else:
            early = prefetch.in_thread(
                tab_id, request, lambda send: self.fetch_first_page(tab_id, request, send)
            )
        self.early_pages[tab_id] = early
        self._helpers.append(early)

    def first_request(self, tab_id: str) -> PageRequest | None:
        """The tab's first request at start-up; None when its key or the page size is not known."""
        per_page = self.first_page_size()
        if not self.key(spec(tab_id).provider.name).present or per_page is None:
            return None
        return PageRequest.first(per_page)

    async def fetch_first_page(self, tab_id: str, request: PageRequest, send: Any) -> None:
        """A helper's job: the page, fetched with the tab's own source and a client of its own."""
        from tui.process import prefetch

        tab = spec(tab_id)
        await prefetch.fetch_first_page(
            tab.source, lambda: self.new_client(tab.provider.name), request, send,
            prefetch.DEADLINE_TIMEOUTS * self.timeout,
        )

    def warm_http(self) -> None:
        """Import the HTTP stack on a thread (see tui.providers.http.prepare), once."""
        if self._warmed:
            return
        self._warmed = True
        import threading
        from urllib.parse import urlsplit

        from tui.providers.http import prepare

        schemes = {urlsplit(self.url(p)).scheme for p in providers()}
        threading.Thread(target=prepare, args=(schemes,), name="tasktop-warm-http",
                         daemon=True).start()

    def take_early(self, tab_id: str) -> Any:
        """The tab's early first page (a tui.process.prefetch.EarlyPage), once; None if none."""
        return self.early_pages.pop(tab_id, None)

    def source(self, tab_id: str) -> TaskSource | None:
        """A fresh source for a tab, or None when its provider has no key."""
        tab = spec(tab_id)
        if not self.key(tab.provider.name).present:
            return None
        return tab.source(self.client(tab.provider.name))

    def set_key(self, key: KeyInfo) -> None:
        """Use a new key for a provider: its client is rebuilt on next use."""
        self.keys[key.provider] = key
        for tab_id in [t for t in self.early_pages if spec(t).provider.name == key.provider]:
            self.early_pages.pop(tab_id).close()  # fetched with the old key
        old = self._clients.pop(key.provider, None)
        if old is not None:
            self._retired.append(old)

    def switch_profile(self, name: str) -> None:
        """Use another config profile: its URLs and refresh, and its own keyring entries.

        Env keys still win; every other key is looked up again (by the app, off the UI thread).
        """
        from tui.core.config import load_config
        from tui.core.keys import env_key

        config = load_config(self.config_path, name)
        self.enkrypt_url, self.nimble_url = config.enkrypt_url, config.nimble_url
        self.refresh_seconds, self.profile = config.refresh, config.profile
        for provider in providers():
            self.set_key(env_key(provider) or KeyInfo(provider, "none"))

    async def aclose(self) -> None:
        for early in self._helpers:  # taken or not: a helper still running is stopped
            early.close()
        self.early_pages.clear()
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
