"""One guarded HTTP exchange for the vendor clients: JSON in, typed ProviderError out.

Why one place: the rules that keep an API key safe (no plain http off loopback, no following
redirects with credentials, no key in any message) and the rules that keep the UI responsive
(timeouts, a response-size cap) must hold for every endpoint, and the retry policy (retry.py) wraps
exactly one `request()`. No Textual here.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import ssl
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec

from tui.base.loopback import is_loopback

from .base import (
    AuthError,
    InsecureTransport,
    InvalidArgument,
    ProtocolError,
    ProviderError,
    TransportError,
)
from .http_errors import (
    CONNECT_TIMEOUT,
    fmt_seconds,
    human_bytes,
    status_error,
    transport_error,
)
from .models import decode_json
from .retry import DEFAULT_RETRY, RetryPolicy

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
#: Longest piece of server text quoted in an error message.
_MAX_SERVER_TEXT = 300
#: What replaces the client's own key wherever a server echoes it in a body.
KEY_MASK = "***"
#: Keys shorter than this are not masked in bodies: they could be ordinary words (the log's
#: redaction follows the same rule, tui.process.logsetup.MIN_SECRET_LEN).
MIN_MASKED_KEY = 6
#: Bodies larger than this are decoded on a worker thread, so a big answer never stalls the UI.
THREAD_DECODE_BYTES = 256 * 1024
#: Seconds an idle connection stays in the pool. httpx's default (5 s) equals the default refresh
#: interval, so a tick often found its connection just closed and paid a new TCP (and TLS)
#: handshake; this outlasts the refresh and the 30 s background polls of --watch-all.
KEEPALIVE_EXPIRY = 120.0
#: Idle connections kept: enough for a full enrichment window (window.CAP) plus the list call.
KEEPALIVE_CONNECTIONS = 32


def settle_missing_sniffio() -> None:
    """Make `import sniffio` fail at once when sniffio is not installed.

    httpcore (and anyio) try `import sniffio` on every request, four times (two locks, an event, a
    cancel shield), and run on asyncio when it is missing. A failed import is not remembered, so
    each try searched every entry of sys.path again: about a quarter of a loopback request's CPU.
    A None in sys.modules is Python's own "known missing". An installed sniffio is left alone.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def skip_httpx_cli() -> None:
    """Keep httpx from importing its command-line client when httpx is imported.

    httpx's `__init__` imports `httpx._main` whenever click is installed (in a development venv
    import-linter brings it), and that imports click, rich's console, progress, table and syntax,
    and pygments: ~40 ms of a cold import that tasktop never uses. A None in sys.modules makes that
    import fail at once, and httpx falls back to the stub it has for a missing click.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


settle_missing_sniffio()
skip_httpx_cli()


class Secret:
    """An API key that never shows itself: repr and str are masked.

    Why: Textual's crash report renders every frame's locals, so no frame on an error's way may
    hold the key as a plain str. Clients wrap the key at their boundary and `del` the parameter.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret | None) -> None:
        if isinstance(value, Secret):
            value = value._value
        self._value = (value or "").strip() or None

    def reveal(self) -> str | None:
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return "Secret(***)" if self._value else "Secret(None)"

    __str__ = __repr__


def header_value(label: str, value: str) -> str | bytes:
    """An identifier made safe to send as a header value, or InvalidArgument (nothing is sent).

    Control characters would split or corrupt the header; non-ASCII text is sent as UTF-8 bytes.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{label} must be a non-empty string")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise InvalidArgument(f"{label} contains control characters")
    return value if value.isascii() else value.encode("utf-8")


@functools.cache
def _tls_context(scheme: str) -> ssl.SSLContext:
    """The TLS context for a client of this URL scheme, built once per process.

    https: httpx's default verifying context, shared by every client, so the CA bundle is
    loaded once (each load costs ~40 ms at start-up). http (loopback only: `_check_before_send`):
    no TLS ever happens, redirects are never followed, so no CA bundle is loaded at all; the
    context still requires a verified certificate and trusts nothing, so it fails closed.
    """
    if scheme == "https":
        import httpx

        return httpx.create_ssl_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def prepare(schemes: set[str]) -> None:
    """Import httpx and build the TLS contexts the clients will use, now: the app calls this on a
    thread once its first page is painted, so its first own request does not stall the UI
    thread for the ~40 ms of the import (and ~40 ms of loading the CA bundle for https)."""
    import httpx  # noqa: F401

    for scheme in schemes:
        _tls_context(scheme)


class HttpClient:
    """One httpx.AsyncClient for one provider, plus the rules every request obeys.

    `auth_header` is the header name the key travels in; `auth_scheme` prefixes the value
    ("Bearer"). The key is kept private: it is added per request and never appears in repr or errors.

    httpx itself (~40 ms to import) is imported, and the AsyncClient built, with the first request:
    the app paints its first page, fetched by tui.process.prefetch, before it needs either.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | Secret | None,
        *,
        provider: str,
        auth_header: str,
        auth_scheme: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise InvalidArgument(f"timeout must be > 0 seconds, got {timeout!r}")
        self.provider = provider
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        #: Retries inside one request (None: one try). Settable, e.g. tests use tiny waits.
        self.retry = retry
        self._key = Secret(api_key)
        del api_key  # see Secret
        self._auth_header = auth_header
        self._auth_scheme = auth_scheme
        #: Called after every attempt (retries too) with its error or None and its seconds:
        #: how a concurrency window (window.AimdWindow) hears of a 429 that a retry then hid.
        self.listeners: list[Callable[[ProviderError | None, float], None]] = []
        if not isinstance(base_url, str):
            raise InvalidArgument(f"invalid {provider} URL: {base_url!r}")
        try:
            parts = urlsplit(base_url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise InvalidArgument(f"invalid {provider} URL: {exc}") from None
        if parts.username is not None or parts.password is not None:
            raise InvalidArgument(f"the {provider} URL must not carry credentials (user:pass@)")
        self._url = base_url
        self._transport = transport
        self._event_hooks: dict[str, list[Any]] = {"request": [], "response": []}

    @property
    def url(self) -> str:
        """The base URL as configured (no httpx needed to read it)."""
        return self._url

    @functools.cached_property
    def base_url(self) -> httpx.URL:
        import httpx

        try:
            return httpx.URL(self._url)
        except httpx.InvalidURL as exc:
            raise InvalidArgument(f"invalid {self.provider} URL: {exc}") from None

    @functools.cached_property
    def _client(self) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            follow_redirects=False,
            transport=self._transport,
            limits=httpx.Limits(
                max_keepalive_connections=KEEPALIVE_CONNECTIONS, keepalive_expiry=KEEPALIVE_EXPIRY
            ),
            verify=_tls_context(self.base_url.scheme),
            headers={"Accept": "application/json", "User-Agent": "tasktop"},
            event_hooks=self._event_hooks,
        )

    def __repr__(self) -> str:
        key = "set" if self._key else "missing"
        return f"HttpClient({self.provider}, base_url={self._url!r}, key={key})"

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    @property
    def endpoint(self) -> str:
        """host:port of the server, for messages."""
        url = self.base_url
        port = url.port or (443 if url.scheme == "https" else 80)
        host = f"[{url.host}]" if ":" in url.host else url.host
        return f"{host}:{port}"

    def add_event_hooks(self, hooks: Mapping[str, list[Any]]) -> None:
        """Append httpx event hooks (e.g. tui.process.logsetup.httpx_event_hooks) for every later request.

        Hooks see the request with its auth header: they must never log headers.
        """
        for name in ("request", "response"):
            self._event_hooks[name] = [*self._event_hooks[name], *hooks.get(name, [])]
        if "_client" in self.__dict__:  # already built: it copied the hooks it was given
            self._client.event_hooks = self._event_hooks

    async def aclose(self) -> None:
        if "_client" in self.__dict__:  # never built: nothing to close (and no httpx to import)
            await self._client.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------------------ requests

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str | bytes] | None = None,
        shape: Callable[[Any], Any] | None = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer (passed through `shape` if given), or a typed
        ProviderError.

        Every occurrence of this client's key in a body (any status) is masked before decoding,
        so no record, cursor or message built from an answer can hold it. A big body is decoded,
        and shaped, on a worker thread: `shape` is where a caller trims an oversized answer, so
        the work proportional to it, freeing it included, stays off the UI thread. Retryable
        failures (`base.RETRYABLE`) are tried again briefly under `self.retry`.
        """
        self._check_before_send()

        async def once() -> Any:
            started = time.monotonic()
            try:
                answer = await self._exchange(method, path, params, headers, shape)
            except ProviderError as err:
                self._tell(err, time.monotonic() - started)
                raise self._scrubbed(err) from None
            self._tell(None, time.monotonic() - started)
            return answer

        if self.retry is None:
            return await once()
        return await self.retry.call(once)

    def _tell(self, error: ProviderError | None, seconds: float) -> None:
        for listener in self.listeners:
            listener(error, seconds)

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return await self.request("GET", path, **kwargs)

    def _check_before_send(self) -> None:
        if not self._key:
            raise AuthError(f"no API key configured for {self.provider}")
        if not _sendable(self._key.reveal() or ""):
            raise AuthError(
                f"the {self.provider} API key contains spaces, control or non-ASCII characters"
            )
        scheme = self.base_url.scheme
        if scheme not in ("http", "https") or not self.base_url.host:
            raise InvalidArgument(
                f"{self.provider} URL must start with https:// (got {str(self.base_url)!r})"
            )
        if scheme == "http" and not is_loopback(self.base_url.host):
            raise InsecureTransport(
                f"refusing to send the {self.provider} API key over plain http to "
                f"{self.base_url.host}; use https:// (plain http is allowed only for loopback)"
            )

    def _build(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str | bytes] | None,
    ) -> httpx.Request:
        """The request with the auth header; the key lives only in this short frame."""
        value = self._key.reveal() or ""
        auth = f"{self._auth_scheme} {value}" if self._auth_scheme else value
        return self._client.build_request(
            method, path, params=params, headers={**(headers or {}), self._auth_header: auth}
        )

    async def _exchange(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str | bytes] | None,
        shape: Callable[[Any], Any] | None = None,
    ) -> Any:
        import httpx

        request = self._build(method, path, params, headers)
        if request.url.host != self.base_url.host or request.url.scheme != self.base_url.scheme:
            # Paths are ours, so this cannot happen; it guards the key if one ever is absolute.
            raise InvalidArgument(f"refusing to send the key to another origin ({request.url.host})")
        got_headers = False
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client.send(request, stream=True)
                got_headers = True
                try:
                    body = await self._read_capped(response)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise TransportError(
                f"timed out after {fmt_seconds(self.timeout)} waiting for {self.endpoint}"
            ) from None
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, got_headers) from None
        if len(body) > THREAD_DECODE_BYTES:
            outcome = await asyncio.to_thread(self._outcome, response, body, path, shape)
        else:
            outcome = self._outcome(response, body, path, shape)
        del body  # the body may echo the key: keep it out of the raising frame's locals
        if isinstance(outcome, ProviderError):
            raise outcome
        return outcome

    def _masked(self, body: bytes) -> bytes:
        """`body` with this client's key, raw or JSON-escaped, replaced by KEY_MASK.

        A body with \\u escapes is first re-encoded canonically (msgspec writes every printable
        ASCII character plainly), so a key spelled "\\u0073k-…" is found as well.
        """
        value = self._key.reveal()
        if not value or len(value) < MIN_MASKED_KEY:
            return body
        if b"\\u" in body:
            try:
                body = msgspec.json.encode(msgspec.json.decode(body))
            except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, OverflowError):
                pass  # not JSON: decoding fails below, and nothing of it is shown
        escaped = json.dumps(value)[1:-1]
        mask = KEY_MASK.encode()
        for form in dict.fromkeys((value, escaped, escaped.replace("/", "\\/"))):
            encoded = form.encode()
            if encoded in body:
                body = body.replace(encoded, mask)
        return body

    def _outcome(
        self,
        response: httpx.Response,
        body: bytes,
        path: str,
        shape: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Decoded (and shaped) JSON of a 2xx answer, else the error to raise (returned with no
        traceback). The key is masked first (see `_masked`)."""
        body = self._masked(body)
        status = response.status_code
        if not 200 <= status < 300:
            return status_error(response, body, path)
        try:
            obj = decode_json(body)
        except ProtocolError as err:
            ctype = response.headers.get("content-type", "").split(";")[0].strip()
            if ctype and "json" not in ctype:
                return ProtocolError(f"response is not JSON (content-type {ctype}, status {status})")
            return err.with_traceback(None)
        return obj if shape is None else shape(obj)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self.max_bytes
        too_large = ProtocolError(f"response too large (> {human_bytes(limit)})")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                chunks.clear()
                del chunk
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------------------ mapping

    def _transport_error(self, exc: httpx.HTTPError, got_headers: bool) -> ProviderError:
        return transport_error(exc, got_headers, endpoint=self.endpoint,
                               host=self.base_url.host, timeout=self.timeout,
                               provider=self.provider)

    def _scrubbed(self, err: ProviderError) -> ProviderError:
        """Remove the key from an error message, whatever put it there (a server may echo it)."""
        value = self._key.reveal()
        if value and value in err.message:
            err.message = err.message.replace(value, "***")
            err.args = (err.message,)
        return err


def _sendable(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value


