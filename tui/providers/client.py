"""What every vendor client shares: one HttpClient built from URL + key, and its lifecycle.

Subclasses only say how the vendor authenticates (`auth_header`, `auth_scheme`) and what its
default URL is; the key is wrapped in `Secret` at once so no frame ever holds it in plain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from .http import DEFAULT_TIMEOUT, MAX_RESPONSE_BYTES, HttpClient, Secret

if TYPE_CHECKING:
    import httpx


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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http.url!r})"

    @property
    def http(self) -> HttpClient:
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
