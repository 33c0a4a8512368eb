"""Lenient timestamp parsing and the short human forms the tables and detail views use.

Servers send RFC 3339 with or without fractions, with `Z` or an offset, and sometimes nothing usable;
an unparseable value is shown verbatim elsewhere rather than breaking a row.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO/RFC 3339 string, or None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def relative(when: datetime | None, now: datetime) -> str:
    """'just now', '42s ago', '3m ago', '5h ago', '2d ago' (or 'in 3m' for future times)."""
    if when is None:
        return ""
    seconds = int((now - when).total_seconds())
    if abs(seconds) < 5:
        return "just now"
    text = compact_duration(abs(seconds))
    return f"{text} ago" if seconds > 0 else f"in {text}"


def compact_duration(seconds: float) -> str:
    """The largest whole unit: '42s', '3m', '5h', '2d'."""
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def duration(seconds: float) -> str:
    """A precise span for detail views: '45s', '3m 07s', '2h 05m', '3d 04h'."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def absolute(when: datetime | None) -> str:
    """'2026-11-20 12:00:05 UTC' — the unambiguous form for detail views."""
    return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else ""
