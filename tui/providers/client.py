"""What every vendor client shares: one HttpClient built from URL + key, and its lifecycle.

Subclasses only say how the vendor authenticates (`auth_header`, `auth_scheme`) and what its
default URL is; the key is wrapped in `Secret` at once so no frame ever holds it in plain.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any, ClassVar, Self

import httpx

from .base import PageRequest
from .http import DEFAULT_TIMEOUT, MAX_RESPONSE_BYTES, HttpClient, Secret


class ProviderClient:
    provider: ClassVar[str] = ""
    default_url: ClassVar[str] = ""
    auth_header: ClassVar[str] = ""
    auth_scheme: ClassVar[str | None] = None

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | Secret | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        max_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        secret = Secret(api_key)
        del api_key  # no frame on an error's way may hold the key (see http.Secret)
        self._http = HttpClient(
            base_url or self.default_url,
            secret,
            provider=self.provider,
            auth_header=self.auth_header,
            auth_scheme=self.auth_scheme,
            timeout=timeout,
            max_bytes=max_bytes,
            transport=transport,
        )
        self._preloaded: tuple[str, PageRequest, Future[Any]] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._http.base_url)!r})"

    @property
    def http(self) -> HttpClient:
        return self._http

    def preload(self, call: str, request: PageRequest, answer: Future[Any]) -> None:
        """Let the first `call(request)` take `answer`, a page already on its way (fetched on
        another thread by tui.process.prefetch while the app starts)."""
        self._preloaded = (call, request, answer)

    async def _take_preloaded(self, call: str, request: PageRequest) -> Any | None:
        """The preloaded answer to this very call, once; None to ask the server here instead
        (another call, or the early fetch failed: its error is met again by the normal path)."""
        if self._preloaded is None or self._preloaded[:2] != (call, request):
            return None
        answer = self._preloaded[2]
        self._preloaded = None
        try:
            return await asyncio.wrap_future(answer)
        except Exception:  # noqa: BLE001 - any failure: the request is simply made again here
            return None

    async def aclose(self) -> None:
        self._preloaded = None
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
