"""How an HTTP answer or failure becomes one ProviderError: the status, the server's own words
(`server_message`), Retry-After, and transport failures named by endpoint, never by key."""

from __future__ import annotations

import math
import socket
import ssl
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import msgspec

from .base import (
    AuthError,
    BadRequest,
    InvalidArgument,
    NotFound,
    PaymentRequired,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    TransportError,
)
from .retry import rate_limit_reset

if TYPE_CHECKING:  # httpx is imported with the first request (see http.HttpClient)
    import httpx

CONNECT_TIMEOUT = 5.0
RETRY_AFTER_CAP = 60.0
_MAX_SERVER_TEXT = 300


def parse_retry_after(
    value: str | None, *, now: datetime | None = None, cap: float = RETRY_AFTER_CAP
) -> float | None:
    """Retry-After as seconds (delay-seconds or HTTP-date), clamped to [0, cap]; None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
        if seconds < 0:
            return None
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def server_message(body: bytes) -> str | None:
    """The server's own explanation from a JSON error body, or None (HTML and junk are never quoted).

    Shapes known: Enkrypt {"error": ...}, Nimble {"msg": ..., "error": ...}, FastAPI {"detail": ...}
    (a string or a list of {loc, msg}), Nimble 500 {"message": ...}.
    """
    try:
        obj = msgspec.json.decode(body)
        text = _message_of(obj)
    except (msgspec.DecodeError, RecursionError):  # junk, or nested deeper than the stack
        return None
    if not text:
        return None
    text = " ".join(text.split())
    if len(text) > _MAX_SERVER_TEXT:
        text = text[: _MAX_SERVER_TEXT - 1] + "…"
    return text or None


def _message_of(obj: Any) -> str | None:
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return None
    msg, error = obj.get("msg"), obj.get("error")
    if isinstance(msg, str) and msg:
        if isinstance(error, str) and error and error != msg:
            return f"{msg} ({error})"
        return msg
    if isinstance(error, str) and error:
        return error
    if isinstance(error, dict):
        inner = _message_of(error)
        if inner:
            return inner
    detail = obj.get("detail")
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and isinstance(item.get("msg"), str):
                loc = item.get("loc")
                where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
                parts.append(f"{where}: {item['msg']}" if where else item["msg"])
            elif isinstance(item, str):
                parts.append(item)
        if parts:
            return "; ".join(parts)
    message = obj.get("message")
    if isinstance(message, str) and message:
        return message
    return None


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:g}s"


def status_error(response: httpx.Response, body: bytes, path: str) -> ProviderError:
    """The error an HTTP status other than 2xx means, with the server's own words if any."""
    import httpx

    status = response.status_code
    text = server_message(body)
    suffix = f": {text}" if text else ""
    if 300 <= status < 400:
        location = response.headers.get("location")
        if not location:
            return ProtocolError(f"server answered a redirect ({status}) without a location")
        try:
            target = response.request.url.join(location).host or location
        except (httpx.InvalidURL, ValueError):
            target = location
        target = " ".join(target.split())[:100]
        return ProtocolError(f"server redirected to {target}; not following with credentials")
    if status in (400, 422):
        return BadRequest(f"server rejected the request ({status}){suffix}", status_code=status)
    if status in (401, 403):
        return AuthError(f"API key refused ({status}){suffix}", status_code=status)
    if status == 402:
        return PaymentRequired(
            f"payment required: {text}" if text else "payment required (402)", status_code=402
        )
    if status == 404:
        return NotFound(f"nothing found at {path} (404){suffix}", status_code=404)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            reset = rate_limit_reset(response.headers)
            retry_after = None if reset is None else min(reset, RETRY_AFTER_CAP)
        hint = f"; retry after {fmt_seconds(retry_after)}" if retry_after is not None else ""
        return RateLimited(
            f"too many requests (429){suffix}{hint}", status_code=429, retry_after=retry_after
        )
    if status >= 500:
        return ServerError(f"server error {status}{suffix}", status_code=status)
    if 400 <= status < 500:
        return BadRequest(f"request refused ({status}){suffix}", status_code=status)
    return ProtocolError(f"unexpected HTTP status {status}", status_code=status)


def transport_error(
    exc: httpx.HTTPError, got_headers: bool, *, endpoint: str, host: str, timeout: float,
    provider: str,
) -> ProviderError:
    """What went wrong below HTTP, in words that name the endpoint and not the key."""
    import httpx

    where = endpoint
    if isinstance(exc, httpx.ConnectTimeout):
        connect = min(CONNECT_TIMEOUT, timeout)
        return TransportError(f"timed out after {fmt_seconds(connect)} connecting to {where}")
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(
            f"timed out after {fmt_seconds(timeout)} waiting for {where}"
        )
    if isinstance(exc, httpx.DecodingError):
        return ProtocolError(f"response from {where} could not be decoded ({exc})")
    if isinstance(exc, httpx.ConnectError):
        cause = root_cause(exc)
        if isinstance(cause, ConnectionRefusedError):
            return TransportError(f"connection refused: {where}")
        if isinstance(cause, socket.gaierror):
            return TransportError(f"cannot resolve host {host}")
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TransportError(
                f"TLS certificate of {host} not trusted ({cause.verify_message})"
            )
        if isinstance(cause, ssl.SSLError):
            return TransportError(f"TLS handshake with {where} failed ({cause.reason})")
        return TransportError(f"cannot connect to {where}: {first_line(cause or exc)}")
    if isinstance(exc, httpx.RemoteProtocolError):
        if got_headers:
            return ProtocolError(f"response from {where} was cut off before its end")
        return TransportError(f"{where} closed the connection without answering")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return InvalidArgument(f"invalid {provider} URL: {first_line(exc)}")
    if isinstance(exc, httpx.TransportError):
        return TransportError(f"network error talking to {where}: {first_line(exc)}")
    return TransportError(f"HTTP error talking to {where}: {type(exc).__name__}")


def root_cause(exc: BaseException) -> BaseException | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    last: BaseException | None = None
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        last = cur
        if isinstance(cur, (ConnectionRefusedError, socket.gaierror, ssl.SSLError)):
            return cur
        cur = cur.__cause__ or cur.__context__
    return last if last is not exc else None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def human_bytes(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"
