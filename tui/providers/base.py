"""Provider-neutral types: what a page request asks, what a page answers, and what can go wrong.

Everything the app, the CLI and the tests need to talk about tasks lives here, so the two vendor
clients can differ in wire format while the layers above see one shape. No Textual, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

#: Status words the Enkrypt list endpoints accept as a filter (the server's `status` parameter).
ENKRYPT_STATUSES: tuple[str, ...] = ("Queued", "Running", "Finished", "Failed")
#: Nimble task states documented by the spec (the API has no server-side filter).
NIMBLE_STATES: tuple[str, ...] = ("pending", "success", "error")

MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page to fetch. Page-number APIs use page/per_page/status; cursor APIs use cursor/limit."""

    page: int = 1
    per_page: int = 10
    status: str | None = None
    cursor: str | None = None
    limit: int = 10

    @classmethod
    def first(cls, per_page: int) -> PageRequest:
        """The first page of a tab at this size (for both paging kinds)."""
        return cls(page=1, per_page=per_page, limit=per_page)

    def with_(self, **changes: object) -> PageRequest:
        """A copy with some fields changed (requests are values, so stale ones can be recognised)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PageInfo:
    """Paging facts of one answered page, for both page-number and cursor APIs.

    `kind == "number"`: page, per_page, total_count, total_pages, has_next, has_previous are set.
    `kind == "cursor"`: cursor (the one that was sent, None for the first page), next_cursor,
    has_next and total are set; has_previous is True when a cursor was sent.
    """

    kind: Literal["number", "cursor"]
    has_next: bool = False
    has_previous: bool = False
    page: int | None = None
    per_page: int | None = None
    total_count: int | None = None
    total_pages: int | None = None
    cursor: str | None = None
    next_cursor: str | None = None
    total: int | None = None

    @property
    def total_items(self) -> int | None:
        """The server's total task count, whichever API reported it."""
        return self.total_count if self.kind == "number" else self.total


@dataclass(frozen=True, slots=True)
class WalkStats:
    """How a page filtered by walking the list (an API without a status filter) was found.

    `searched` counts tasks from the top of the list through where the next page starts; `calls`
    is the list calls this walk made; `in_progress` marks an early look while it still walks.
    """

    searched: int
    calls: int
    in_progress: bool = False


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One answered page: its rows in server order plus its paging facts.

    A server that sends more rows than were asked for gets only the first ones shown (`rows`, at
    most the requested size): `sent` is how many it sent, and `surplus` keeps some of the others
    as the raw JSON values they came as (at most `models.MAX_SURPLUS_ROWS`), for an export of the
    page. Nothing that paints, diffs or alerts ever sees more than `rows`.
    """

    rows: list[T]
    paging: PageInfo
    request: PageRequest = field(default_factory=PageRequest)
    #: Set when the rows were found by a filtered walk over several list pages.
    walk: WalkStats | None = None
    sent: int | None = None
    surplus: tuple[object, ...] = ()

    @property
    def oversized(self) -> str | None:
        """"the server sent 100,000 rows; showing the first 10", or None for a normal page."""
        if self.sent is None:
            return None
        shown = self.request.limit if self.paging.kind == "cursor" else self.request.per_page
        return f"the server sent {self.sent:,} rows; showing the first {min(shown, self.sent)}"


def plausible_count(value: int | float | None, at_least: int = 0) -> int | None:
    """A server's count as an int, or None (unknown) when no real queue could have it.

    Why: a count is only shown, never computed with, so an impossible one (negative, not finite,
    fewer than the rows already seen) is better left out than printed as "-5 tasks".
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    count = int(value)
    return count if count >= max(at_least, 0) else None


# --------------------------------------------------------------------------------------- errors


class ProviderError(Exception):
    """Base of every error the provider layer raises. `str(err)` is one human line, no secrets."""

    kind: str = "error"
    #: CLI exit code for this class of failure.
    exit_code: int = 1

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        one_line = " ".join(str(message).split())
        super().__init__(one_line)
        self.message = one_line
        self.status_code = status_code


class InvalidArgument(ProviderError):
    """The caller asked for something the API does not accept; nothing was sent."""

    kind = "invalid argument"
    exit_code = 2


class InsecureTransport(ProviderError):
    """Refused to send a key over plain http to a host that is not loopback."""

    kind = "insecure"
    exit_code = 2


class BadRequest(ProviderError):
    """400/422: the server rejected the request; carries the server's own message."""

    kind = "bad request"


class AuthError(ProviderError):
    """401/403: the key is missing, wrong, or not allowed here."""

    kind = "auth"
    exit_code = 3


class PaymentRequired(ProviderError):
    """402: account problem such as 'trial expired'."""

    kind = "payment"
    exit_code = 3


class RateLimited(ProviderError):
    """429: slow down; `retry_after` is the server's requested delay in seconds, if given."""

    kind = "rate limited"
    exit_code = 4

    def __init__(
        self, message: str, *, status_code: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class NotFound(ProviderError):
    """404: no such task (or no such endpoint on this server)."""

    kind = "not found"
    exit_code = 5


class ServerError(ProviderError):
    """5xx: the server failed; usually worth retrying later."""

    kind = "server"


class TransportError(ProviderError):
    """No HTTP answer at all: timeout, refused connection, DNS failure, TLS failure."""

    kind = "transport"


class ProtocolError(ProviderError):
    """An answer arrived but is not what the contract says: not JSON, wrong shape, too large."""

    kind = "protocol"


#: Errors worth retrying automatically (the others need a human to change something).
RETRYABLE: tuple[type[ProviderError], ...] = (RateLimited, ServerError, TransportError)
