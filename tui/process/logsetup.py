"""`--log FILE`: a debug log of requests, timings and errors that never contains an API key.

Four guards, because a log file outlives the session and gets pasted into tickets or read with
`tail -f`:
- the file is created owner-only (0600);
- a redaction filter on the handler rewrites every record: values registered with
  `register_secret` (the env keys are registered automatically) and header-shaped text such as
  "apikey: …" or "Authorization: Bearer …" become "***", in the message, its args and traceback;
- the formatter then escapes every line with tui.core.safe_text (ESC from a server body becomes
  "␛", an embedded newline "␤"), so the file holds no terminal escapes and one record is one line;
- the httpx hooks from `httpx_event_hooks` log method, URL (secret-looking query values masked),
  status and time to headers, and never look at headers.
Everything logs under the "tasktop" logger; without `--log` nothing is written anywhere. No Textual.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tui.core.safe_text import escape_controls

LOGGER_NAME = "tasktop"
MASK = "***"
#: Shorter values are not registered as secrets (they would blank ordinary words).
MIN_SECRET_LEN = 6
FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: Env vars whose values are secrets (tui.core.keys.ENV_VARS; repeated here to keep this import-light).
SECRET_ENV_VARS = ("TASKTOP_ENKRYPT_API_KEY", "TASKTOP_NIMBLE_API_KEY")

# A library logger: without --log nothing is printed (not even warnings via logging.lastResort).
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

_secrets: set[str] = set()
_secrets_lock = threading.Lock()

_NAME = r"(?:api[_-]?key|x-api-key|authorization|proxy-authorization|token|access[_-]?token|secret)"
# "apikey: v", "'apikey': 'v'", "Authorization=Bearer v", "api_key=v&…" (header lines, dict reprs,
# query strings): keep the name and separator, mask the value.
_NAMED_VALUE = re.compile(
    rf"""(?ix)
    (?P<head>["']?\b{_NAME}["']?\s*[:=]\s*["']?(?:bearer\s+|basic\s+|token\s+)?)
    (?P<value>[^\s"',;&}}\]]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_PARAM = re.compile(
    r"(?i)(api[_-]?key|key|token|secret|passw(or)?d|auth|signature|sig|credential)"
)


def register_secret(value: str | None) -> None:
    """Mask this exact value in every later log record (no-op for None or very short values)."""
    value = (value or "").strip()
    if len(value) >= MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets.add(value)


def forget_secrets() -> None:
    """Drop every registered secret (tests)."""
    with _secrets_lock:
        _secrets.clear()


def redact(text: str) -> str:
    """`text` with registered secrets and header-shaped key values replaced by ***."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _NAMED_VALUE.sub(lambda m: m.group("head") + MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """Renders each record's message (and traceback) once, redacted, so no handler sees a key."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not leak args: log the template only
            message = f"{record.msg!s} (unformattable log arguments)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # the formatter then uses exc_text, already redacted
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class EscapingFormatter(logging.Formatter):
    """Formats a record as one line of printable text: server text in it cannot drive the
    terminal of whoever reads the log."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record), single_line=True)


class PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file is created with mode 0600 (and tightened to it if it exists)."""

    def _open(self):  # type: ignore[override]
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def get_logger(name: str | None = None) -> logging.Logger:
    """The "tasktop" logger, or a child of it ("tasktop.http")."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def logging_enabled() -> bool:
    """True once `configure_logging` installed a file handler."""
    return any(isinstance(h, PrivateFileHandler) for h in get_logger().handlers)


def configure_logging(path: Path | str | None, level: str | int = "DEBUG") -> logging.Logger:
    """Send the "tasktop" logger to `path` (0600, appended); None leaves logging off.

    Replaces a handler from an earlier call. Raises OSError when the file cannot be opened.
    """
    logger = get_logger()
    for handler in list(logger.handlers):
        if isinstance(handler, PrivateFileHandler):
            logger.removeHandler(handler)
            handler.close()
    if path is None:
        logger.propagate = True
        return logger
    for var in SECRET_ENV_VARS:
        register_secret(os.environ.get(var))
    handler = PrivateFileHandler(os.fspath(Path(path).expanduser()), encoding="utf-8")
    handler.setFormatter(EscapingFormatter(FORMAT, DATE_FORMAT))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # the log goes to the file only, never to a terminal's root handler
    logger.debug("log started (pid %d)", os.getpid())
    return logger


# --------------------------------------------------------------------------------- httpx


def safe_url(url: Any) -> str:
    """scheme://host[:port]/path?query: userinfo and fragment dropped, secret-looking params
    replaced by "redacted"."""
    import httpx

    url = httpx.URL(str(url))
    params = [
        (k, "redacted" if _SECRET_PARAM.search(k) else v) for k, v in url.params.multi_items()
    ]
    clean = url.copy_with(username=None, password=None, fragment=None, query=None)
    if params:
        clean = clean.copy_with(params=params)
    return str(clean)


def httpx_event_hooks(
    logger: logging.Logger | None = None,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[Callable[..., Any]]]:
    """Async httpx event hooks logging "GET url" and "200 GET url 12.3 ms" (time to headers).

    For `HttpClient.add_event_hooks` (or `httpx.AsyncClient(event_hooks=…)`). They read the
    method, URL and status only — never headers, never bodies.
    """
    log = logger or get_logger("http")
    started: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

    async def on_request(request: Any) -> None:
        started[request] = clock()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("request %s %s", request.method, safe_url(request.url))

    async def on_response(response: Any) -> None:
        request = response.request
        began = started.pop(request, None)
        took = f"{(clock() - began) * 1000:.1f} ms" if began is not None else "? ms"
        level = logging.DEBUG if response.status_code < 400 else logging.WARNING
        if log.isEnabledFor(level):
            log.log(
                level,
                "response %d %s %s %s",
                response.status_code,
                request.method,
                safe_url(request.url),
                took,
            )

    return {"request": [on_request], "response": [on_response]}


def instrument(client: Any, logger: logging.Logger | None = None) -> None:
    """Add the logging hooks to a provider client (EnkryptClient/NimbleClient/HttpClient) when
    `--log` is on; otherwise do nothing (no per-request cost)."""
    if not logging_enabled():
        return
    http = getattr(client, "http", client)
    http.add_event_hooks(httpx_event_hooks(logger))


def log_error(error: BaseException, *, what: str = "request", logger: logging.Logger | None = None,
              extra: Mapping[str, Any] | None = None) -> None:
    """One WARNING line for a failed operation: its class, kind and (redacted) message."""
    log = logger or get_logger()
    kind = getattr(error, "kind", type(error).__name__)
    details = " ".join(f"{k}={v}" for k, v in (extra or {}).items())
    log.warning("%s failed: %s: %s%s", what, kind, error, f" ({details})" if details else "")
