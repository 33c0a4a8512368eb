"""The one stream of status changes that history, alerts, `watch` and hooks all consume.

A fetched page only says what each task is *now*; a transition is the difference between that and
the last status tasktop knew. Computing it once, here, keeps every consumer agreeing on what
"changed" means (a first sighting is a transition from None; an empty status is "not known yet",
as for a dataset whose enrichment has not landed, and is never a change). Pure and stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Transition", "server_times", "transitions"]


class _Row(Protocol):
    key: str
    status: str
    record: Any


@dataclass(frozen=True, slots=True)
class Transition:
    """Task `task_id` of `tab` seen with `status` at `seen_at` (UTC, tasktop's clock), after
    `previous` (None: first seen). The server's own times are kept verbatim where the API gives them."""

    tab: str
    task_id: str
    previous: str | None
    status: str
    seen_at: datetime
    record: Any = None
    created: str | None = None
    started: str | None = None
    modified: str | None = None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def server_times(record: Any) -> tuple[str | None, str | None, str | None]:
    """(created, started, modified) from a record's `created_at`/`started_at`/`modified_at`,
    None where the API gives none (a names-only dataset row is a plain string)."""
    return (
        _text(getattr(record, "created_at", None)),
        _text(getattr(record, "started_at", None)),
        _text(getattr(record, "modified_at", None)),
    )


def transitions(
    tab: str, before: Mapping[str, str], rows: Iterable[_Row], seen_at: datetime
) -> list[Transition]:
    """The changes between `before` (last known status per task id) and a fetched page of rows,
    in page order; a task listed twice on one page changes at most once per distinct status."""
    out: list[Transition] = []
    latest: dict[str, str] = {}
    for row in rows:
        status = row.status
        if not status:
            continue
        previous = latest.get(row.key, before.get(row.key))
        if previous == status:
            continue
        latest[row.key] = status
        created, started, modified = server_times(row.record)
        out.append(
            Transition(tab, row.key, previous, status, seen_at, row.record, created, started, modified)
        )
    return out
