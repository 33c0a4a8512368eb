"""The change mark's rule: a row is news when its task's data changed since the last tick.

Kept apart from the table, which can only compare cells: a "3m ago" cell reads "4m ago" a minute
later although nothing happened to the task. No Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.providers.sources import Row


def changed_keys(before: Mapping[str, Row], rows: Iterable[Row]) -> frozenset[str]:
    """Keys of `rows` that are new, or whose status or any field differs from `before`."""
    return frozenset(row.key for row in rows if before.get(row.key) != row)
