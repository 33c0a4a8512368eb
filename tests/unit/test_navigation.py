"""The tab's navigation model without a screen: what each paging key asks for next."""

from __future__ import annotations

import pytest

from tui.core.navigation import LATER, PAGE_SIZES, Navigation, next_page_size
from tui.providers.base import Page, PageInfo, PageRequest


def numbered(request: PageRequest, total_pages: int | None) -> Page:
    return Page([], PageInfo(kind="number", total_pages=total_pages), request)


def cursor_page(request: PageRequest, next_cursor: str | None) -> Page:
    info = PageInfo(kind="cursor", has_next=next_cursor is not None, next_cursor=next_cursor)
    return Page([], info, request)


@pytest.mark.parametrize(
    ("current", "step", "size"),
    [(10, 1, 25), (25, 1, 50), (100, 1, None), (18, 1, 25), (18, -1, 10), (10, -1, None),
     (100, -1, 50), (200, -1, 100)],
)
def test_page_sizes_step_through_the_fixed_list_from_any_size(current, step, size):
    assert next_page_size(current, step) == size
    assert size is None or size in PAGE_SIZES


def test_page_number_keys_stop_at_either_end():
    nav = Navigation(PageRequest.first(10))
    last = numbered(nav.request, total_pages=3)
    assert nav.previous_page() is None and nav.first_page() is None
    assert nav.next_page(last) == {"page": 2}
    nav.go({"page": 3})
    assert nav.next_page(numbered(nav.request, 3)) is None
    assert nav.previous_page() == {"page": 2}
    assert nav.first_page() == {"page": 1}
    assert nav.last_page(numbered(nav.request, 3)) is None  # already there
    nav.go({"page": 1})
    assert nav.last_page(numbered(nav.request, 3)) == {"page": 3}
    assert nav.next_page(numbered(nav.request, None)) is None  # no total: no next page number


def test_jump_goes_only_somewhere_else():
    nav = Navigation(PageRequest.first(10).with_(page=4))
    assert nav.jump(None) is None and nav.jump(4) is None
    assert nav.jump(9) == {"page": 9}


def test_cursor_stack_goes_forward_back_and_to_the_first_page():
    nav = Navigation(PageRequest.first(10), "cursor")
    assert nav.next_page(cursor_page(nav.request, "c1")) == {"cursor": "c1"}
    nav.go({"cursor": "c1"})
    assert nav.next_page(cursor_page(nav.request, "c2")) == {"cursor": "c2"}
    nav.go({"cursor": "c2"})
    assert (nav.cursors, nav.page_index) == ([None, "c1", "c2"], 2)
    assert nav.previous_page() == {"cursor": "c1"} and nav.page_index == 1
    nav.go({"cursor": "c1"})
    # forward again from page 1 replaces what lay beyond it
    assert nav.next_page(cursor_page(nav.request, "c2-new")) == {"cursor": "c2-new"}
    assert nav.cursors == [None, "c1", "c2-new"]
    assert nav.first_page() == {"cursor": None} and nav.page_index == 0
    assert nav.last_page(cursor_page(nav.request, "x")) is None  # `G` is for page numbers
    assert nav.next_page(cursor_page(nav.request, None)) is None  # the last page


def test_n_while_a_cursor_page_loads_is_counted_then_walked_when_it_lands():
    nav = Navigation(PageRequest.first(10), "cursor")
    shown = cursor_page(nav.request, "c1")
    nav.go(nav.next_page(shown))  # page 1 asked for, page 0 still on screen
    assert nav.next_page(shown) == LATER and nav.next_page(shown) == LATER
    assert nav.steps_ahead == 2 and nav.shown_index == 3
    landed = cursor_page(nav.request, "c2")
    move, left = nav.walk_on(landed)
    assert move == {"cursor": "c2"} and left == 1 and nav.page_index == 2
    nav.go(move)
    assert nav.steps_ahead == 0  # any move ends the walk; the view restores what is left
    assert nav.walk_on(cursor_page(nav.request, "c3")) is None


def test_a_walk_that_reaches_the_last_page_paints_it():
    nav = Navigation(PageRequest.first(10), "cursor")
    nav.steps_ahead = 3
    assert nav.walk_on(cursor_page(nav.request, None)) is None and nav.steps_ahead == 0


def test_n_before_the_first_page_lands_is_taken_when_it_does():
    """Page numbers: every press at once, up to the last page; cursors: one page at a time."""
    nav = Navigation(PageRequest.first(10))
    assert nav.next_page(None) == LATER and nav.next_page(None) == LATER
    assert nav.walk_on(numbered(nav.request, total_pages=5)) == ({"page": 3}, 0)
    assert nav.steps_ahead == 0
    nav = Navigation(PageRequest.first(10))
    nav.next_page(None)
    nav.next_page(None)
    assert nav.walk_on(numbered(nav.request, total_pages=2)) == ({"page": 2}, 0)
    nav = Navigation(PageRequest.first(10))
    nav.next_page(None)
    assert nav.walk_on(numbered(nav.request, total_pages=1)) is None  # one page: paint it
    assert nav.steps_ahead == 0
    nav = Navigation(PageRequest.first(10), "cursor")
    assert nav.next_page(None) == LATER and nav.next_page(None) == LATER
    assert nav.walk_on(cursor_page(nav.request, "c1")) == ({"cursor": "c1"}, 1)


def test_a_new_page_size_keeps_the_presses_made_before_the_first_page():
    nav = Navigation(PageRequest.first(10))
    nav.next_page(None)
    nav.next_page(None)
    nav.go(nav.resize(25), keep_pending=True)
    assert nav.steps_ahead == 2 and nav.request.per_page == 25
    nav.go({"page": 1})  # any other move ends them
    assert nav.steps_ahead == 0


def test_the_filter_cycles_and_starts_a_filtered_list_afresh():
    filters = (None, "Queued", "Failed")
    nav = Navigation(PageRequest.first(10).with_(page=5))
    assert nav.cycle_filter(filters) == {"page": 1, "status": "Queued"}
    assert nav.cycle_filter(filters) == {"page": 1, "status": "Failed"}
    assert nav.cycle_filter(filters) == {"page": 1, "status": None}
    cursors = Navigation(PageRequest.first(10), "cursor")
    cursors.cursors, cursors.page_index = [None, "c1"], 1
    assert cursors.cycle_filter(filters) == {"cursor": None, "status": "Queued"}
    assert (cursors.cursors, cursors.page_index) == ([None], 0)
    assert cursors.status_filter(filters) == "Queued"


def test_a_new_page_size_keeps_the_first_row_shown_on_its_page():
    nav = Navigation(PageRequest.first(10).with_(page=4))  # rows 31-40
    assert nav.resize(25) == {"page": 2, "per_page": 25, "limit": 25}  # rows 26-50
    nav = Navigation(PageRequest.first(25).with_(page=2))  # rows 26-50
    assert nav.resize(10) == {"page": 3, "per_page": 10, "limit": 10}
    cursors = Navigation(PageRequest.first(10), "cursor")
    cursors.cursors, cursors.page_index = [None, "c1"], 1
    assert cursors.resize(50) == {"per_page": 50, "limit": 50, "cursor": None}
    assert cursors.on_first_page


def test_generations_drop_superseded_answers_and_a_restart_supersedes_too():
    nav = Navigation(PageRequest.first(10), "cursor")
    first = nav.supersede()
    second = nav.supersede()
    assert not nav.current(first) and nav.current(second)
    nav.go({"status": "error", "cursor": "c1"})
    nav.cursors, nav.page_index, nav.filter_index = [None, "c1"], 1, 2
    nav.restart("cursor")
    assert not nav.current(second)
    assert nav.request == PageRequest.first(10)
    assert (nav.cursors, nav.page_index, nav.filter_index, nav.steps_ahead) == ([None], 0, 0, 0)
