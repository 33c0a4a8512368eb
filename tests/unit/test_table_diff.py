"""The table's row diff as a pure function: what `TaskTable.apply` adds, removes, moves, updates
and marks, without a widget."""

from __future__ import annotations

import pytest
from rich.text import Text

from widgets.table_cells import safe_cell, view_rows
from widgets.table_diff import diff_rows, signature


def shown_state(rows):
    """The diff state of a table showing `rows`."""
    return {
        "shown": [key for key, _ in rows],
        "signatures": {key: [signature(c) for c in cells] for key, cells in rows},
        "last_cells": {key: tuple(cells) for key, cells in rows},
    }


def diff(old, new, *, mark=True, marked=(), first_load=False, width=2):
    return diff_rows(new, width=width, marked=set(marked), mark=mark, first_load=first_load,
                     **shown_state(old))


def test_an_identical_page_changes_nothing():
    rows = [("a", [Text("Running"), "x"]), ("b", [Text("Queued"), "y"])]
    copy = [("a", [Text("Running"), "x"]), ("b", [Text("Queued"), "y"])]  # equal, not the same
    result = diff(rows, copy)
    assert not result.stats.changed and result.changes == {} and result.to_mark == set()


def test_one_changed_cell_is_one_change_and_marks_its_row():
    old = [("a", [Text("Running"), "x"]), ("b", [Text("Queued"), "y"])]
    new = [("a", [Text("Finished"), "x"]), ("b", [Text("Queued"), "y"])]
    result = diff(old, new)
    assert list(result.changes) == ["a"] and [c[0] for c in result.changes["a"]] == [0]
    assert result.stats.updated_cells == 1 and result.to_mark == {"a"}
    assert not result.moved and result.added == [] and result.removed == []


def test_a_style_change_alone_is_a_change():
    old = [("a", [Text("Running", style="red"), "x"])]
    assert diff(old, [("a", [Text("Running", style="green"), "x"])]).stats.updated_cells == 1


def test_added_removed_and_moved_rows():
    old = [("a", ["1", "x"]), ("b", ["2", "y"]), ("c", ["3", "z"])]
    new = [("c", ["3", "z"]), ("a", ["1", "x"]), ("d", ["4", "w"])]
    result = diff(old, new)
    assert result.added == ["d"] and result.removed == ["b"] and result.moved
    assert result.kept == ["a", "c"] and result.order == ["c", "a", "d"]
    assert result.to_mark == {"d"}
    appended = diff(old, [*old, ("d", ["4", "w"])])
    assert not appended.moved  # new rows after the kept ones are no move


def test_later_duplicates_are_dropped_and_counted():
    result = diff([], [("a", ["1", "x"]), ("a", ["2", "y"]), ("b", ["3", "z"])])
    assert result.order == ["a", "b"] and result.stats.duplicates == 1
    assert result.incoming["a"] == ["1", "x"]


def test_a_row_wider_than_the_columns_is_refused():
    with pytest.raises(ValueError, match="3 cells for 2 columns"):
        diff([], [("a", ["1", "2", "3"])])


def test_the_very_same_cell_objects_are_unchanged_without_comparing():
    class Opaque:  # compared by identity only
        pass

    cells = [Opaque(), Opaque()]
    old = [("a", cells)]
    assert diff(old, [("a", cells)]).changes == {}
    assert diff(old, [("a", [Opaque(), cells[1]])]).stats.updated_cells == 1


def test_short_rows_compare_missing_cells_as_empty():
    old = [("a", ["1", None])]
    assert diff(old, [("a", ["1"])]).changes == {}


@pytest.mark.parametrize(
    ("mark", "first_load", "expected"),
    [(True, False, {"a", "n"}), (False, False, set()), (True, True, set()),
     ({"b", "gone"}, False, {"b"})],
)
def test_what_is_marked(mark, first_load, expected):
    old = [("a", ["1", "x"]), ("b", ["2", "y"])]
    new = [("a", ["9", "x"]), ("b", ["2", "y"]), ("n", ["3", "z"])]
    assert diff(old, new, mark=mark, first_load=first_load).to_mark == expected


def test_marks_of_last_tick_are_cleared_unless_marked_again_or_removed():
    old = [("a", ["1", "x"]), ("b", ["2", "y"]), ("c", ["3", "z"])]
    new = [("a", ["1", "x"]), ("b", ["5", "y"])]
    result = diff(old, new, marked={"a", "b", "c"})
    assert result.to_mark == {"b"} and result.to_unmark == {"a"}  # "c" goes with its row


def test_search_and_sort_view_the_rows_without_changing_them():
    rows = [("a", [Text("task 10"), "Running"]), ("b", [Text("task 9"), "failed"]),
            ("c", [Text(""), "FAILED"])]
    assert [k for k, _ in view_rows(rows, "fail", None, False)] == ["b", "c"]
    assert [k for k, _ in view_rows(rows, "", 0, False)] == ["b", "a", "c"]  # natural, empty last
    assert [k for k, _ in view_rows(rows, "", 0, True)] == ["c", "a", "b"]


def test_a_cell_is_one_safe_line_cropped_to_its_limit():
    cell = safe_cell(Text("a\x1b[31mb\nc" + "x" * 50), 10)
    assert "\x1b" not in cell.plain and "\n" not in cell.plain and len(cell.plain) == 10
    assert cell.no_wrap and cell.end == ""
    original = Text("plain")
    made = safe_cell(original, 10)
    assert made is not original and original.end == "\n"  # the caller's Text is never mutated
    assert safe_cell(made, 10) is made  # a finished cell is kept as it is
