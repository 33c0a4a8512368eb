"""The row diff behind `TaskTable.apply`, as a pure function (like k9s' model1 delta).

Given what the table shows (each row's cell signatures and the cell objects it was last given)
and a new page of rows, `diff_rows` says which rows to add, remove and reorder, which cells
changed, and which rows carry the change mark. No widget: the table carries the answer out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import is_
from typing import Any

from rich.text import Text

from widgets.text import literal

#: A cheap comparable fingerprint of a cell: plain text, base style, spans, justify.
Signature = tuple[Any, ...]
#: One changed cell: its column index, the new value and the new value's signature.
CellChange = tuple[int, object, Signature]


def signature(value: object) -> Signature:
    if isinstance(value, Text):
        return (value.plain, value.style, tuple(value.spans), value.justify)
    if isinstance(value, str):
        return (value, "", (), None)
    if value is None or isinstance(value, (int, float)):
        return (literal(value).plain, "", (), None)
    return (None, value)  # other renderables: equality (usually identity)


@dataclass(frozen=True, slots=True)
class ApplyStats:
    """What one `TaskTable.apply` changed; `updated_cells` excludes the mark column."""

    added: int = 0
    removed: int = 0
    updated_cells: int = 0
    moved: bool = False
    duplicates: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.updated_cells or self.moved)


@dataclass(frozen=True, slots=True)
class RowDiff:
    """How to turn the rows shown into the rows given."""

    order: list[str]  # the new rows' keys, in order (later duplicates dropped)
    incoming: dict[str, Sequence[Any]]  # each new row's cells
    added: list[str]
    removed: list[str]
    kept: list[str]  # rows staying, in their old order
    changes: dict[str, list[CellChange]]
    moved: bool
    to_mark: set[str]
    to_unmark: set[str]
    stats: ApplyStats


def diff_rows(
    rows: Sequence[tuple[str, Sequence[Any]]],
    *,
    width: int,
    shown: Sequence[str],
    signatures: Mapping[str, Sequence[Signature]],
    last_cells: Mapping[str, tuple[object, ...]],
    marked: Collection[str],
    mark: bool | Collection[str],
    first_load: bool,
) -> RowDiff:
    """Diff `rows` (key, cells in column order) against the table's `shown` keys.

    Cells are compared by signature, except that a row given the very same cell objects as last
    time (`last_cells`) is unchanged at once. `mark=True` marks added and changed rows, a
    collection marks exactly those keys, False (or a first load) marks nothing.
    """
    order: list[str] = []
    incoming: dict[str, Sequence[Any]] = {}
    duplicates = 0
    for key, cells in rows:
        if key in incoming:
            duplicates += 1
            continue
        if len(cells) > width:
            raise ValueError(f"row {key!r} has {len(cells)} cells for {width} columns")
        incoming[key] = cells
        order.append(key)

    removed = [key for key in shown if key not in incoming]
    added = [key for key in order if key not in signatures]
    changes: dict[str, list[CellChange]] = {}
    for key in order:
        before = signatures.get(key)
        if before is None:
            continue
        cells = incoming[key]
        same = last_cells.get(key)
        if same is not None and len(same) == len(cells) and all(map(is_, same, cells)):
            continue  # the very cell objects shown last time (a caller's cache): unchanged
        for index in range(width):
            value = cells[index] if index < len(cells) else None
            new = signature(value)
            if new != before[index]:
                changes.setdefault(key, []).append((index, value, new))

    if first_load or mark is False:
        to_mark: set[str] = set()
    elif mark is True:
        to_mark = set(added) | set(changes)
    else:
        to_mark = set(mark) & incoming.keys()
    to_unmark = set(marked) - to_mark - set(removed)
    kept = [key for key in shown if key in incoming]
    moved = kept + [key for key in order if key not in signatures] != order
    updated = sum(len(cell_changes) for cell_changes in changes.values())
    stats = ApplyStats(len(added), len(removed), updated, moved, duplicates)
    return RowDiff(order, incoming, added, removed, kept, changes, moved, to_mark, to_unmark, stats)
