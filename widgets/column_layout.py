"""Column widths from the room a table has, recomputed whenever the room or the values change.

Pure arithmetic, no widgets: `fit` takes what each column wants and the width available and says
how wide each column is, or that it is left out. The rules, in order:

1. Every column wants its natural width (its widest value, label included): no column is ever
   wider than that, so spare room stays empty rather than padding short values.
2. When the naturals do not fit, columns shrink towards their minimum, by rank: identifiers first
   (down to the tail that still tells them apart), then text (names, tests, models, errors).
   Within a rank the widest shrink first, to a common ceiling, so short values (an API type, a
   status) are cut only after long ones have come down to their length.
3. When even the minimums do not fit, droppable columns go, lowest priority first (the rightmost
   of equal priorities first), and the rest are laid out again with the room they freed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_WIDTH", "ID_TAIL", "Column", "Want", "fit", "unique_tail"]

#: The shortest tail an identifier is shown with (like a short git hash).
ID_TAIL = 6
#: Characters of a value a table keeps for a column without a fixed width.
DEFAULT_MAX_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Column:
    """One data column: `width` fixes its width; None = as wide as its widest value (cells are
    kept up to `max_width` characters), laid out again whenever the values or the room change.

    When the table is short of room: an `id_like` column shrinks first, showing each value's
    tail ("…8118fe", long enough to keep the page's values apart); a column with a `min_width`
    (text: names, tests, errors) shrinks next, down to that, its values cut with "…"; and when
    even that does not fit, columns with a `priority` are left out, lowest first.
    """

    key: str
    label: str
    width: int | None = None
    max_width: int = DEFAULT_MAX_WIDTH
    min_width: int | None = None
    id_like: bool = False
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class Want:
    """What one column asks for, in cells of content (padding is added by `fit`)."""

    natural: int
    minimum: int
    #: Shrinking order when space is short: lower ranks give up their room first.
    rank: int = 0
    #: Dropped (lowest first) when even the minimums do not fit; None: never dropped.
    priority: int | None = None


def fit(wants: Sequence[Want], available: int, padding: int = 0) -> list[int | None]:
    """Each column's content width, or None for a column left out; `padding` is added to every
    visible column's width when adding them up. If nothing can be dropped and the minimums still
    do not fit, every column gets its minimum (the table scrolls sideways)."""
    visible = list(range(len(wants)))

    def needed(indexes: list[int], attr: str) -> int:
        return sum(getattr(wants[i], attr) + padding for i in indexes)

    while needed(visible, "minimum") > available:
        droppable = [i for i in visible if wants[i].priority is not None]
        if not droppable:
            break
        visible.remove(min(droppable, key=lambda i: (wants[i].priority, -i)))

    widths = {i: max(wants[i].natural, wants[i].minimum) for i in visible}
    excess = needed(visible, "natural") - available
    for rank in sorted({wants[i].rank for i in visible}):
        if excess <= 0:
            break
        group = [i for i in visible if wants[i].rank == rank]
        before = sum(widths[i] for i in group)
        shrunk = _ceiling(
            {i: widths[i] for i in group}, {i: wants[i].minimum for i in group}, before - excess
        )
        widths.update(shrunk)
        excess -= before - sum(shrunk.values())
    return [widths.get(i) for i in range(len(wants))]


def _ceiling(widths: dict[int, int], minimums: dict[int, int], target: int) -> dict[int, int]:
    """The widths cut to the highest common ceiling that brings their sum down to `target` (never
    below a minimum); cells the ceiling leaves over go to the leftmost columns it cut."""

    def at(level: int) -> dict[int, int]:
        return {i: max(minimums[i], min(w, level)) for i, w in widths.items()}

    if sum(widths.values()) <= target:
        return dict(widths)
    low, high = 0, max(widths.values())  # sum(at(high)) > target; find the highest level that fits
    while low < high:
        mid = (low + high + 1) // 2
        if sum(at(mid).values()) <= target:
            low = mid
        else:
            high = mid - 1
    out = at(low)
    spare = target - sum(out.values())
    for i in sorted(out):
        if spare <= 0:
            break
        if minimums[i] <= low < widths[i]:  # cut at the ceiling (one more cell would not fit all)
            out[i] += 1
            spare -= 1
    return out


def unique_tail(values: Sequence[str], shortest: int = ID_TAIL) -> int:
    """The shortest tail length (at least `shortest`) that keeps the distinct `values` distinct."""
    distinct = {v for v in values if v}
    if not distinct:
        return shortest
    longest = max(len(v) for v in distinct)
    length = shortest
    while length < longest and len({v[-length:] for v in distinct}) < len(distinct):
        length += 1
    return length
